#include <gtest/gtest.h>

#include <functional>
#include <utility>

#include "mmu/mmu.h"
#include "mmu_test_support.h"
#include "vmm/guest_memory.h"
#include "vmm/memory_layout.h"

namespace nv {
namespace {

using namespace mmu_test;

constexpr AccessType kSupRead = AccessType::explicit_access(AccessKind::read, 0, false);
constexpr AccessType kSupWrite = AccessType::explicit_access(AccessKind::write, 0, false);
constexpr AccessType kUserRead = AccessType::explicit_access(AccessKind::read, 3, false);
constexpr AccessType kUserWrite = AccessType::explicit_access(AccessKind::write, 3, false);

class MmuTest : public ::testing::Test {
 protected:
  MmuTest() { EXPECT_TRUE(mmu.set_paging_state(state_for(PagingMode::level4, pt.root()))); }

  uint64_t walks() { return mmu.active().counters().walks; }
  // The guest-physical address `gva` translates to, failing the test on a fault.
  uint64_t gpa(uint64_t gva, AccessType access = kSupRead) {
    MmuResult r = mmu.translate(gva, access);
    EXPECT_EQ(r.status, WalkStatus::ok) << std::hex << gva << " error code " << r.fault.error_code;
    return r.gpa;
  }
  PagingState state() { return mmu.active().role().state; }

  GuestMemory mem{64 * layout::kMiB};
  PageTables pt{mem, PagingMode::level4};
  Mmu mmu{mem};
};

TEST_F(MmuTest, MissWalksAndFillsThenHitIsThePointerAdd) {
  pt.map(0x7000, 0x5000, kP | kRW);
  MmuResult r = mmu.translate(0x7123, kSupRead);
  ASSERT_EQ(r.status, WalkStatus::ok);
  EXPECT_EQ(r.host, mem.host_ptr(0x5123, 1));
  EXPECT_EQ(walks(), 1u);
  r = mmu.translate(0x7456, kSupRead);
  EXPECT_EQ(r.host, mem.host_ptr(0x5456, 1));
  EXPECT_EQ(r.gpa, 0x5456u);
  EXPECT_EQ(walks(), 1u);
  EXPECT_EQ(mmu.tlb().counters().hits, 1u);
  EXPECT_EQ(mmu.tlb().counters().misses, 1u);
}

TEST_F(MmuTest, MmioTranslationsHaveNoHostPointer) {
  pt.map(0x7000, layout::kLapicBase, kP | kRW);
  for (int i = 0; i < 2; ++i) {
    MmuResult r = mmu.translate(0x7030, kSupWrite);
    ASSERT_EQ(r.status, WalkStatus::ok);
    EXPECT_EQ(r.host, nullptr);
    EXPECT_EQ(r.gpa, layout::kLapicBase + 0x30);
  }
  EXPECT_EQ(walks(), 1u) << "the MMIO translation is cached too";
}

TEST_F(MmuTest, FirstWriteAfterAReadFillWalksToSetDirty) {
  pt.map(0x7000, 0x5000, kP | kRW);
  gpa(0x7000, kSupRead);
  EXPECT_FALSE(pt.entry(0x7000, 1) & kD);
  gpa(0x7000, kSupWrite);
  EXPECT_EQ(walks(), 2u);
  EXPECT_TRUE(pt.entry(0x7000, 1) & kD);
  gpa(0x7008, kSupWrite);
  EXPECT_EQ(walks(), 2u);
}

TEST_F(MmuTest, FaultsAreNotCachedAndCarryTheErrorCode) {
  pt.map(0x7000, 0x5000, kP | kRW);  // supervisor page
  gpa(0x7000, kSupRead);
  MmuResult r = mmu.translate(0x7010, kUserRead);
  ASSERT_EQ(r.status, WalkStatus::page_fault);
  EXPECT_EQ(r.fault.address, 0x7010u);
  EXPECT_EQ(r.fault.error_code, pf_error::kPresent | pf_error::kUser);
}

TEST_F(MmuTest, SmapAcAndPkruAreCheckedOnTlbHits) {
  pt.map(0x7000, 0x5000, kP | kRW | kUS | pkey_bits(2));
  PagingState s = state();
  s.cr4 |= cr4::kSMAP | cr4::kPKE;
  ASSERT_TRUE(mmu.set_paging_state(s));
  AccessType ac_read = AccessType::explicit_access(AccessKind::read, 0, true);
  gpa(0x7000, ac_read);
  EXPECT_EQ(mmu.translate(0x7000, kSupRead).status, WalkStatus::page_fault) << "CLAC without a TLB flush";
  gpa(0x7000, kUserWrite);
  mmu.set_pkru(2u << 4);  // WD2
  uint64_t before = walks();
  MmuResult r = mmu.translate(0x7000, kUserWrite);
  ASSERT_EQ(r.status, WalkStatus::page_fault);
  EXPECT_EQ(r.fault.error_code, pf_error::kPresent | pf_error::kWrite | pf_error::kUser | pf_error::kProtectionKey);
  gpa(0x7000, kUserRead);
  EXPECT_EQ(walks(), before + 1) << "only the denied write walked; the read hit";
}

TEST_F(MmuTest, WriteProtectChangeAppliesToCachedEntries) {
  pt.map(0x7000, 0x5000, kP | kD);  // read-only, already dirty
  PagingState s = state();
  s.cr0 &= ~cr0::kWP;
  ASSERT_TRUE(mmu.set_paging_state(s));
  gpa(0x7000, kSupWrite);
  s.cr0 |= cr0::kWP;
  ASSERT_TRUE(mmu.set_paging_state(s));
  EXPECT_EQ(mmu.translate(0x7000, kSupWrite).status, WalkStatus::page_fault);
}

TEST_F(MmuTest, Cr3WriteKeepsGlobalEntriesAndInvlpgDropsOne) {
  PagingState s = state();
  s.cr4 |= cr4::kPGE;
  ASSERT_TRUE(mmu.set_paging_state(s));
  pt.map(0x7000, 0x5000, kP | kRW | kG);
  pt.map(0x8000, 0x6000, kP | kRW);
  pt.map(0x9000, 0xa000, kP | kRW);
  gpa(0x7000), gpa(0x8000), gpa(0x9000);
  // Remap all three: what the MMU returns shows what it still caches.
  pt.map(0x7000, 0x15000, kP | kRW | kG);
  pt.map(0x8000, 0x16000, kP | kRW);
  pt.map(0x9000, 0x1a000, kP | kRW);
  EXPECT_EQ(gpa(0x8000), 0x6000u) << "stale until invalidated, as on hardware";
  ASSERT_TRUE(mmu.write_cr3(pt.root(), false));
  EXPECT_EQ(gpa(0x7000), 0x5000u) << "§4.10.4.1: MOV to CR3 keeps global entries";
  EXPECT_EQ(gpa(0x8000), 0x16000u);
  EXPECT_EQ(gpa(0x9000), 0x1a000u);

  pt.map(0x8000, 0x26000, kP | kRW);
  pt.map(0x9000, 0x2a000, kP | kRW);
  mmu.invlpg(0x7abc);
  mmu.invlpg(0x8000);
  EXPECT_EQ(gpa(0x7000), 0x15000u) << "INVLPG drops global entries too";
  EXPECT_EQ(gpa(0x8000), 0x26000u);
  EXPECT_EQ(gpa(0x9000), 0x1a000u);

  s.cr4 &= ~cr4::kPGE;  // §4.10.4.1: changing CR4.PGE flushes everything, globals included
  pt.map(0x7000, 0x25000, kP | kRW | kG);
  ASSERT_TRUE(mmu.set_paging_state(s));
  EXPECT_EQ(gpa(0x7000), 0x25000u);
}

TEST_F(MmuTest, PcidTaggedEntriesSurviveACr3SwitchAndComeBack) {
  PageTables other(mem, PagingMode::level4, 0x800000);
  pt.map(0x7000, 0x5000, kP | kRW);
  other.map(0x7000, 0x6000, kP | kRW);
  PagingState s = state();
  s.cr4 |= cr4::kPCIDE;
  s.cr3 = pt.root() | 1;
  ASSERT_TRUE(mmu.set_paging_state(s));
  EXPECT_EQ(mmu.active().asid(), asid::make(asid::kL1Space, 1));
  EXPECT_EQ(gpa(0x7000), 0x5000u);
  ASSERT_TRUE(mmu.write_cr3(other.root() | 2, false));
  EXPECT_EQ(gpa(0x7000), 0x6000u);
  uint64_t before = walks();
  ASSERT_TRUE(mmu.write_cr3(pt.root() | 1, true));  // bit 63 set: no flush
  EXPECT_EQ(gpa(0x7000), 0x5000u);
  EXPECT_EQ(walks(), before) << "PCID 1's entry came back from the TLB";
  pt.map(0x7000, 0x15000, kP | kRW);
  ASSERT_TRUE(mmu.write_cr3(pt.root() | 1, false));
  EXPECT_EQ(gpa(0x7000), 0x15000u) << "without bit 63 the PCID's entries go";

  ASSERT_TRUE(mmu.write_cr3(other.root() | 2, true));
  EXPECT_EQ(gpa(0x7000), 0x6000u) << "PCID 2 kept its entry through the switches";
  other.map(0x7000, 0x16000, kP | kRW);
  mmu.invpcid(1, 2, 0);
  EXPECT_EQ(gpa(0x7000), 0x16000u);
}

TEST_F(MmuTest, InvalidateGuestPhysicalPage) {
  pt.map(0x7000, 0x5000, kP | kRW);
  gpa(0x7000);
  pt.map(0x7000, 0x6000, kP | kRW);
  mmu.invalidate_gpa_page(0x5000);
  EXPECT_EQ(gpa(0x7000), 0x6000u);
}

TEST_F(MmuTest, TurningPagingOnDropsTheIdentityEntries) {
  PagingState off = state_for(PagingMode::none, 0);
  ASSERT_TRUE(mmu.set_paging_state(off));
  EXPECT_EQ(gpa(0x7000), 0x7000u);
  pt.map(0x7000, 0x5000, kP | kRW);
  ASSERT_TRUE(mmu.set_paging_state(state_for(PagingMode::level4, pt.root())));
  EXPECT_EQ(gpa(0x7000), 0x5000u);
}

TEST_F(MmuTest, PaePdpteLoadFailureLeavesTheStateUnchanged) {
  PageTables pae(mem, PagingMode::pae, 0x800000);
  pae.map(0x1000, 0x5000, kP | kRW);
  PagingState s = state_for(PagingMode::pae, pae.root());
  ASSERT_TRUE(mmu.set_paging_state(s));
  EXPECT_EQ(mmu.active().mode(), PagingMode::pae);
  EXPECT_EQ(gpa(0x1000), 0x5000u);

  mem.write_obj<uint64_t>(pae.root() + 8, 0x9000 | kP | kRW);  // reserved bits 2:1
  EXPECT_FALSE(mmu.write_cr3(pae.root(), false)) << "§4.4.1: #GP";
  EXPECT_EQ(state().cr3, pae.root());
  PagingState pse = s;
  pse.cr4 |= cr4::kPSE;  // reloads the PDPTEs
  uint64_t resets = mmu.active().counters().role_resets;
  EXPECT_FALSE(mmu.set_paging_state(pse));
  EXPECT_EQ(state().cr4, s.cr4);
  EXPECT_EQ(mmu.active().counters().role_resets, resets);
  EXPECT_EQ(gpa(0x1000), 0x5000u);

  mem.write_obj<uint64_t>(pae.root() + 8, 0x9000 | kP);
  EXPECT_TRUE(mmu.set_paging_state(pse));
  EXPECT_EQ(mmu.active().role().pdptes[1], 0x9000 | kP);
}

TEST_F(MmuTest, L1AndL2ContextsHaveTheirOwnRolesAndTlbSpaces) {
  PageTables l2_tables(mem, PagingMode::pae, 0x800000);
  pt.map(0x7000, 0x5000, kP | kRW);
  l2_tables.map(0x7000, 0x6000, kP | kRW);
  EXPECT_EQ(gpa(0x7000), 0x5000u);

  PagingState l2_state = state_for(PagingMode::pae, l2_tables.root());
  mmu.enter_l2(l2_state, asid::l2_space(1));
  ASSERT_TRUE(mmu.l2().load_pdptes(l2_state));
  EXPECT_TRUE(mmu.in_l2());
  EXPECT_EQ(mmu.active().mode(), PagingMode::pae);
  EXPECT_EQ(gpa(0x7000), 0x6000u);

  uint64_t l1_walks = mmu.l1().counters().walks;
  EXPECT_TRUE(mmu.exit_to_l1(state_for(PagingMode::level4, pt.root())));
  EXPECT_EQ(mmu.active().mode(), PagingMode::level4);
  EXPECT_EQ(gpa(0x7000), 0x5000u);
  EXPECT_EQ(mmu.l1().counters().walks, l1_walks) << "L1's entry survived L2's run";

  // A PAE host loads its PDPTEs at VM exit; a reserved bit is a VMX abort.
  mmu.enter_l2(l2_state, asid::l2_space(1));
  EXPECT_TRUE(mmu.exit_to_l1(l2_state));
  EXPECT_EQ(mmu.l1().role().pdptes[0] & ~0xfffull, l2_tables.entry(0x7000, 3) & ~0xfffull);
  mem.write_obj<uint64_t>(l2_tables.root() + 8, 0x9000 | kP | kRW);
  EXPECT_FALSE(mmu.exit_to_l1(l2_state));
}

// Seed 004: mode changes and L1<->L2 switches recompute the role only.
TEST_F(MmuTest, RoleResetsNeverRepeatTheFullInitialisation) {
  PagingState s = state();
  uint64_t l1_resets = mmu.l1().counters().role_resets;
  for (int i = 0; i < 1000; ++i) {
    if (i % 2)
      s.cr0 ^= cr0::kWP;
    else
      s.cr4 ^= cr4::kSMEP;
    ASSERT_TRUE(mmu.set_paging_state(s));
  }
  EXPECT_EQ(mmu.l1().counters().role_resets, l1_resets + 1000);
  EXPECT_EQ(mmu.l1().counters().full_inits, 1u);

  for (int i = 0; i < 1000; ++i) {
    mmu.enter_l2(s, asid::l2_space(1));
    ASSERT_TRUE(mmu.exit_to_l1(s));
  }
  EXPECT_EQ(mmu.l1().counters().role_resets, l1_resets + 2000);
  EXPECT_EQ(mmu.l2().counters().role_resets, 1000u);
  EXPECT_EQ(mmu.l1().counters().full_inits, 1u);
  EXPECT_EQ(mmu.l2().counters().full_inits, 1u);
}

// The host page cache in front of the TLB (mmu/host_page_cache.h) holds only
// the access class that was checked, and every change of translations or
// rights empties it.
TEST_F(MmuTest, HostPageCacheHoldsExactlyTheCheckedAccessClass) {
  pt.map(0x7000, 0x5000, kP | kRW);
  pt.map(0x8000, layout::kLapicBase, kP | kRW);
  EXPECT_EQ(mmu.find_host_page(0x7000, kSupRead), nullptr);
  gpa(0x7010, kSupRead);
  const HostPageCache::Entry* e = mmu.find_host_page(0x7ff8, kSupRead);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->host_page, mem.host_ptr(0x5000, 4096));
  EXPECT_EQ(e->gpa_page, 0x5000u);
  EXPECT_EQ(mmu.find_host_page(0x7000, kSupWrite), nullptr) << "a read does not vouch for a write";
  EXPECT_EQ(mmu.find_host_page(0x7000, kUserRead), nullptr) << "nor for CPL 3";
  gpa(0x8000, kSupRead);
  EXPECT_EQ(mmu.find_host_page(0x8000, kSupRead), nullptr) << "MMIO always takes the full path";
  gpa(0x7000, AccessType::explicit_access(AccessKind::execute, 0, false));
  EXPECT_EQ(mmu.find_host_page(0x7000, AccessType::explicit_access(AccessKind::read, 0, false)), e);
}

TEST_F(MmuTest, EveryTranslationChangeEmptiesTheHostPageCache) {
  pt.map(0x7000, 0x5000, kP | kRW | kUS);
  auto cached = [&] {
    gpa(0x7000, kUserWrite);
    return mmu.find_host_page(0x7000, kUserWrite) != nullptr;
  };
  const PagingState s = state();
  const std::pair<const char*, std::function<void()>> changes[] = {
      {"INVLPG of the page", [&] { mmu.invlpg(0x7abc); }},
      {"MOV to CR3", [&] { ASSERT_TRUE(mmu.write_cr3(s.cr3, false)); }},
      {"MOV to CR0 or CR4", [&] { ASSERT_TRUE(mmu.set_paging_state(s)); }},
      {"WRPKRU", [&] { mmu.set_pkru(0); }},
      {"INVPCID", [&] { mmu.invpcid(0, 0, 0x9000); }},
      {"a guest-physical page invalidation", [&] { mmu.invalidate_gpa_page(0x6000); }},
      {"VM entry", [&] { mmu.enter_l2(s, asid::l2_space(1)); }},
      {"VM exit", [&] { ASSERT_TRUE(mmu.exit_to_l1(s)); }},
  };
  for (const auto& [what, change] : changes) {
    ASSERT_TRUE(cached()) << what;
    change();
    EXPECT_EQ(mmu.find_host_page(0x7000, kUserWrite), nullptr) << what;
  }
}

// INVLPG drops only its page from the host page cache while the TLB holds
// only 4 KiB translations; a large page's INVLPG must reach its other 4 KiB
// fragments too.
TEST_F(MmuTest, InvlpgDropsItsPagesFromTheHostPageCache) {
  pt.map(0x7000, 0x5000, kP | kRW);
  pt.map(0x8000, 0x6000, kP | kRW);
  gpa(0x7000, kSupWrite);
  gpa(0x8000, kSupWrite);
  mmu.invlpg(0x7000);
  EXPECT_EQ(mmu.find_host_page(0x7000, kSupWrite), nullptr);
  EXPECT_NE(mmu.find_host_page(0x8000, kSupWrite), nullptr) << "another 4 KiB page keeps its entry";

  pt.map(0x40000000, 0x200000, kP | kRW, 21);  // a 2 MiB page
  gpa(0x40000000, kSupRead);
  gpa(0x40005000, kSupRead);
  ASSERT_NE(mmu.find_host_page(0x40005000, kSupRead), nullptr);
  mmu.invlpg(0x40000000);
  EXPECT_EQ(mmu.find_host_page(0x40005000, kSupRead), nullptr) << "the large page's other fragment";
  EXPECT_EQ(gpa(0x40005000), 0x205000u);
}

}  // namespace
}  // namespace nv
