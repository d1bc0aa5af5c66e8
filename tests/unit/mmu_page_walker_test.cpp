#include <gtest/gtest.h>

#include "mmu/page_walker.h"
#include "mmu_test_support.h"
#include "vmm/guest_memory.h"
#include "vmm/memory_layout.h"

namespace nv {
namespace {

using namespace mmu_test;
using pf_error::kFetch, pf_error::kPresent, pf_error::kProtectionKey, pf_error::kReserved, pf_error::kUser,
    pf_error::kWrite;

constexpr AccessType kSupRead = AccessType::explicit_access(AccessKind::read, 0, false);
constexpr AccessType kSupWrite = AccessType::explicit_access(AccessKind::write, 0, false);
constexpr AccessType kSupFetch = AccessType::explicit_access(AccessKind::execute, 0, false);
constexpr AccessType kUserRead = AccessType::explicit_access(AccessKind::read, 3, false);
constexpr AccessType kUserWrite = AccessType::explicit_access(AccessKind::write, 3, false);
constexpr AccessType kUserFetch = AccessType::explicit_access(AccessKind::execute, 3, false);

class PageWalkerTest : public ::testing::Test {
 protected:
  WalkResult walk(uint64_t gva, AccessType access) {
    PagingRole role;
    role.set(state);
    if (role.mode == PagingMode::pae) {
      EXPECT_TRUE(walker.load_pdptes(state, role.pdptes));
    }
    return walker.translate(gva, access, role);
  }
  // Expects a #PF for `gva` with exactly `error_code`.
  void expect_fault(uint64_t gva, AccessType access, uint32_t error_code, const char* why = "") {
    SCOPED_TRACE(why);
    WalkResult r = walk(gva, access);
    ASSERT_EQ(r.status, WalkStatus::page_fault) << std::hex << "gva " << gva;
    EXPECT_EQ(r.fault.address, gva);
    EXPECT_EQ(r.fault.error_code, error_code) << std::hex << "gva " << gva;
  }
  uint64_t expect_gpa(uint64_t gva, AccessType access) {
    WalkResult r = walk(gva, access);
    EXPECT_EQ(r.status, WalkStatus::ok) << std::hex << "gva " << gva << " error code " << r.fault.error_code;
    return r.translation.gpa;
  }
  void use(PagingMode mode, PageTables& pt) { state = state_for(mode, pt.root()); }

  GuestMemory mem{64 * layout::kMiB};
  PageWalker walker{mem, nullptr};
  PagingState state;
};

TEST(PagingMode, FollowsCr0Cr4AndEfer) {
  EXPECT_EQ(paging_mode(state_for(PagingMode::none, 0)), PagingMode::none);
  EXPECT_EQ(paging_mode(state_for(PagingMode::bits32, 0)), PagingMode::bits32);
  EXPECT_EQ(paging_mode(state_for(PagingMode::pae, 0)), PagingMode::pae);
  EXPECT_EQ(paging_mode(state_for(PagingMode::level4, 0)), PagingMode::level4);
  EXPECT_EQ(paging_mode(state_for(PagingMode::level5, 0)), PagingMode::level5);
  PagingState s = state_for(PagingMode::level4, 0);
  s.efer &= ~efer::kLMA;  // LME alone (paging not yet on in long mode) is not IA-32e
  EXPECT_EQ(paging_mode(s), PagingMode::pae);
}

TEST(PagingMode, CanonicalAddressesDependOnTheLevelCount) {
  EXPECT_TRUE(is_canonical(0x00007fffffffffffull, PagingMode::level4));
  EXPECT_FALSE(is_canonical(0x0000800000000000ull, PagingMode::level4));
  EXPECT_TRUE(is_canonical(0xffff800000000000ull, PagingMode::level4));
  EXPECT_FALSE(is_canonical(0xff00800000000000ull, PagingMode::level4));
  EXPECT_TRUE(is_canonical(0x0000800000000000ull, PagingMode::level5));
  EXPECT_FALSE(is_canonical(0x0100000000000000ull, PagingMode::level5));
  EXPECT_TRUE(is_canonical(0xff00000000000000ull, PagingMode::level5));
  EXPECT_TRUE(is_canonical(0x0000800000000000ull, PagingMode::pae)) << "no canonical rule outside IA-32e mode";
}

TEST_F(PageWalkerTest, PagingOffIsIdentity) {
  state = state_for(PagingMode::none, 0);
  WalkResult r = walk(0x12345678, kUserWrite);
  ASSERT_EQ(r.status, WalkStatus::ok);
  EXPECT_EQ(r.translation.gpa, 0x12345678u);
}

TEST_F(PageWalkerTest, FourKiBPagesInEveryMode) {
  for (PagingMode mode : {PagingMode::bits32, PagingMode::pae, PagingMode::level4, PagingMode::level5}) {
    SCOPED_TRACE(static_cast<int>(mode));
    PageTables pt(mem, mode);
    use(mode, pt);
    uint64_t gva = is_ia32e(mode) ? 0x00007f1234567000ull : 0xc0345000ull;
    pt.map(gva, 0x2345000, kP | kRW | kUS);
    WalkResult r = walk(gva + 0x123, kUserWrite);
    ASSERT_EQ(r.status, WalkStatus::ok);
    EXPECT_EQ(r.translation.gpa, 0x2345123u);
    EXPECT_EQ(r.translation.page_shift, 12);
    EXPECT_EQ(r.translation.rights & page_rights::kUser, page_rights::kUser);
    expect_fault(gva + 0x1000, kUserRead, kUser);  // the neighbouring page is not mapped
  }
}

TEST_F(PageWalkerTest, LargePages) {
  PageTables pt32(mem, PagingMode::bits32);
  use(PagingMode::bits32, pt32);
  pt32.map(0x80000000, 0x1200400000ull, kP | kRW, 22);  // PSE-36: above 4 GiB
  WalkResult r = walk(0x80012345, kSupRead);
  ASSERT_EQ(r.status, WalkStatus::ok);
  EXPECT_EQ(r.translation.gpa, 0x1200412345ull);
  EXPECT_EQ(r.translation.page_shift, 22);
  state.cr4 &= ~cr4::kPSE;  // §4.3: without CR4.PSE the PS bit is ignored and the PDE points to a table
  EXPECT_NE(walk(0x80012345, kSupRead).translation.page_shift, 22);

  PageTables pae(mem, PagingMode::pae, 0x200000);
  use(PagingMode::pae, pae);
  pae.map(0x40200000, 0x1600000, kP | kRW, 21);
  r = walk(0x40212345, kSupRead);
  ASSERT_EQ(r.status, WalkStatus::ok);
  EXPECT_EQ(r.translation.gpa, 0x1612345u);
  EXPECT_EQ(r.translation.page_shift, 21);

  PageTables pt4(mem, PagingMode::level4, 0x300000);
  use(PagingMode::level4, pt4);
  pt4.map(0x7f0040000000ull, 0x40000000, kP | kRW, 30);
  pt4.map(0x7f0080200000ull, 0x800000, kP | kRW, 21);
  r = walk(0x7f0040123456ull, kSupRead);
  ASSERT_EQ(r.status, WalkStatus::ok);
  EXPECT_EQ(r.translation.gpa, 0x40123456u);
  EXPECT_EQ(r.translation.page_shift, 30);
  EXPECT_EQ(expect_gpa(0x7f00802abcdeull, kSupRead), 0x8abcdeu);

  PageTables pt5(mem, PagingMode::level5, 0x400000);
  use(PagingMode::level5, pt5);
  pt5.map(0x00ff000040000000ull, 0xc0000000ull, kP | kRW, 30);
  EXPECT_EQ(expect_gpa(0x00ff000040000010ull, kSupRead), 0xc0000010u);
}

TEST_F(PageWalkerTest, NotPresentAtEachLevelHasErrorCodeZeroPlusAccessBits) {
  PageTables pt(mem, PagingMode::level4);
  use(PagingMode::level4, pt);
  pt.map(0x1000, 0x5000, kP | kRW | kUS);
  expect_fault(0x8000000000ull, kSupRead, 0);            // PML4E
  expect_fault(0x40000000, kUserWrite, kWrite | kUser);  // PDPTE
  expect_fault(0x200000, kSupFetch, kFetch);             // PDE; NXE = 1: I/D reported
  expect_fault(0x2000, kUserFetch, kUser | kFetch);      // PTE
  state.efer &= ~efer::kNXE;
  expect_fault(0x2000, kSupFetch, 0, "I/D needs NXE or SMEP (§4.7)");
  state.cr4 |= cr4::kSMEP;
  expect_fault(0x2000, kSupFetch, kFetch);
}

TEST_F(PageWalkerTest, PaePdpteRegisters) {
  PageTables pt(mem, PagingMode::pae);
  use(PagingMode::pae, pt);
  pt.map(0x1000, 0x5000, kP | kRW);
  expect_fault(0xc0000000, kSupRead, 0);  // PDPTE 3 not present

  // §4.4.1: a present PDPTE with a reserved bit fails the load (#GP), leaving the registers unchanged.
  std::array<uint64_t, 4> regs{1, 2, 3, 4};
  mem.write_obj<uint64_t>(pt.root() + 8, 0x7000 | kP | kRW);
  EXPECT_FALSE(walker.load_pdptes(state, regs));
  EXPECT_EQ(regs, (std::array<uint64_t, 4>{1, 2, 3, 4}));
  mem.write_obj<uint64_t>(pt.root() + 8, 0x7000 | (1ull << 40));  // not present: anything goes
  EXPECT_TRUE(walker.load_pdptes(state, regs));
  EXPECT_EQ(regs[1], 0x7000 | (1ull << 40));
  mem.write_obj<uint64_t>(pt.root() + 8, 0x7000 | kP | kXD);  // XD does not exist in PDPTEs
  EXPECT_FALSE(walker.load_pdptes(state, regs));
  PagingState outside = state;
  outside.cr3 = 0x80000000;
  EXPECT_FALSE(walker.load_pdptes(outside, regs)) << "PDPT outside RAM";
}

TEST_F(PageWalkerTest, ReservedBitsFaultWithRsvd) {
  PageTables pt(mem, PagingMode::level4);
  use(PagingMode::level4, pt);
  state.maxphyaddr = 36;
  pt.map(0x1000, 0x5000, kP | kRW | kUS);
  pt.map(0x200000, 0x600000, kP | kRW | kUS, 21);
  pt.map(0x40000000, 0x40000000, kP | kRW | kUS, 30);
  EXPECT_EQ(expect_gpa(0x1000, kUserRead), 0x5000u);

  uint64_t pte = pt.entry(0x1000, 1);
  pt.set_entry(0x1000, 1, pte | (1ull << 36));  // at MAXPHYADDR
  expect_fault(0x1000, kUserWrite, kPresent | kReserved | kWrite | kUser);
  pt.set_entry(0x1000, 1, pte | (1ull << 35));  // below MAXPHYADDR: an address bit
  EXPECT_EQ(expect_gpa(0x1000, kSupRead), 0x800005000ull);
  pt.set_entry(0x1000, 1, pte | pkey_bits(15) | (1ull << 55));  // bits 62:52 are ignored or the key
  EXPECT_EQ(walk(0x1000, kSupRead).status, WalkStatus::ok);

  pt.set_entry(0x1000, 1, pte | kXD);
  expect_fault(0x1000, kSupFetch, kPresent | kFetch, "XD with NXE = 1 is a protection fault");
  state.efer &= ~efer::kNXE;
  expect_fault(0x1000, kSupRead, kPresent | kReserved, "XD is reserved when NXE = 0");
  state.efer |= efer::kNXE;
  pt.set_entry(0x1000, 1, pte);

  uint64_t pde = pt.entry(0x200000, 2);
  pt.set_entry(0x200000, 2, pde | (1ull << 13));  // §4.5.4: bits 20:13 of a 2 MiB PDE
  expect_fault(0x200000, kSupRead, kPresent | kReserved);
  pt.set_entry(0x200000, 2, pde);

  uint64_t pdpte = pt.entry(0x40000000, 3);
  pt.set_entry(0x40000000, 3, pdpte | (1ull << 29));  // bits 29:13 of a 1 GiB PDPTE
  expect_fault(0x40000000, kSupRead, kPresent | kReserved);
  pt.set_entry(0x40000000, 3, pdpte);
  state.page1gb = false;
  expect_fault(0x40000000, kSupRead, kPresent | kReserved, "PDPTE.PS without 1 GiB page support");
  state.page1gb = true;

  uint64_t pml4e = pt.entry(0x1000, 4);
  pt.set_entry(0x1000, 4, pml4e | kPS);  // §4.5.4: PS is reserved in a PML4E
  expect_fault(0x1000, kUserFetch, kPresent | kReserved | kUser | kFetch);
}

TEST_F(PageWalkerTest, ReservedBitsInPaeAndThirtyTwoBitPaging) {
  PageTables pae(mem, PagingMode::pae);
  use(PagingMode::pae, pae);
  pae.map(0x1000, 0x5000, kP | kRW);
  uint64_t pte = pae.entry(0x1000, 1);
  pae.set_entry(0x1000, 1, pte | (1ull << 62));  // §4.4.2: PAE reserves bits 62:MAXPHYADDR
  expect_fault(0x1000, kSupRead, kPresent | kReserved);

  PageTables pt(mem, PagingMode::bits32, 0x200000);
  use(PagingMode::bits32, pt);
  pt.map(0x400000, 0x800000, kP | kRW, 22);
  uint64_t pde = pt.entry(0x400000, 2);
  pt.set_entry(0x400000, 2, pde | (1ull << 21));  // §4.3 Table 4-4
  expect_fault(0x400000, kSupWrite, kPresent | kReserved | kWrite);
  state.maxphyaddr = 36;
  pt.set_entry(0x400000, 2, pde | (1ull << 17));  // physical-address bit 36
  expect_fault(0x400000, kSupRead, kPresent | kReserved);
  pt.set_entry(0x400000, 2, pde | (1ull << 16));  // bit 35
  EXPECT_EQ(expect_gpa(0x400000, kSupRead), 0x800800000ull);
}

TEST_F(PageWalkerTest, UserSupervisorAndWriteProtect) {
  PageTables pt(mem, PagingMode::level4);
  use(PagingMode::level4, pt);
  pt.map(0x1000, 0x5000, kP | kRW);                        // supervisor, writable
  pt.map(0x2000, 0x6000, kP | kUS);                        // user, read-only
  pt.map(0x400000, 0x7000, kP | kRW | kUS, 12, kP | kUS);  // read-only in the PDE: R/W is ANDed
  expect_fault(0x1000, kUserRead, kPresent | kUser);
  expect_fault(0x2000, kUserWrite, kPresent | kWrite | kUser);
  expect_fault(0x400000, kUserWrite, kPresent | kWrite | kUser);
  EXPECT_EQ(expect_gpa(0x2000, kUserRead), 0x6000u);

  // §4.6.1: CR0.WP decides supervisor writes to read-only pages.
  expect_fault(0x2000, kSupWrite, kPresent | kWrite);
  state.cr0 &= ~cr0::kWP;
  EXPECT_EQ(expect_gpa(0x2000, kSupWrite), 0x6000u);
  expect_fault(0x2000, kUserWrite, kPresent | kWrite | kUser, "WP does not affect user writes");
}

TEST_F(PageWalkerTest, NoExecute) {
  PageTables pt(mem, PagingMode::level4);
  use(PagingMode::level4, pt);
  pt.map(0x1000, 0x5000, kP | kRW | kUS | kXD);
  pt.map(0x200000, 0x6000, kP | kRW | kUS, 12, kP | kRW | kUS | kXD);  // XD in the PDE: ORed
  expect_fault(0x1000, kUserFetch, kPresent | kUser | kFetch);
  expect_fault(0x200000, kSupFetch, kPresent | kFetch);
  EXPECT_EQ(expect_gpa(0x1000, kUserRead), 0x5000u) << "XD forbids fetches only";

  PageTables pt32(mem, PagingMode::bits32, 0x400000);
  use(PagingMode::bits32, pt32);
  state.efer |= efer::kNXE;
  pt32.map(0x1000, 0x5000, kP);
  EXPECT_EQ(expect_gpa(0x1000, kSupFetch), 0x5000u) << "32-bit paging has no XD";
}

TEST_F(PageWalkerTest, SmepAndSmap) {
  PageTables pt(mem, PagingMode::level4);
  use(PagingMode::level4, pt);
  pt.map(0x1000, 0x5000, kP | kRW | kUS);
  EXPECT_EQ(expect_gpa(0x1000, kSupFetch), 0x5000u);
  EXPECT_EQ(expect_gpa(0x1000, kSupRead), 0x5000u);

  state.cr4 |= cr4::kSMEP;
  expect_fault(0x1000, kSupFetch, kPresent | kFetch);
  EXPECT_EQ(expect_gpa(0x1000, kUserFetch), 0x5000u);

  state.cr4 |= cr4::kSMAP;
  expect_fault(0x1000, kSupRead, kPresent);
  expect_fault(0x1000, kSupWrite, kPresent | kWrite);
  AccessType ac_read = AccessType::explicit_access(AccessKind::read, 0, true);
  AccessType ac_write = AccessType::explicit_access(AccessKind::write, 0, true);
  EXPECT_EQ(expect_gpa(0x1000, ac_read), 0x5000u) << "EFLAGS.AC = 1 lifts SMAP for explicit accesses";
  EXPECT_EQ(expect_gpa(0x1000, ac_write), 0x5000u);
  // §4.6: implicit supervisor accesses (GDT, IDT, TSS) obey SMAP whatever
  // AC, even from CPL 3, and report U/S = 0.
  expect_fault(0x1000, AccessType::implicit_supervisor(AccessKind::read), kPresent);
  expect_fault(0x1000, AccessType::implicit_supervisor(AccessKind::write), kPresent | kWrite);
  EXPECT_EQ(AccessType::explicit_access(AccessKind::execute, 0, true).privilege, Privilege::supervisor)
      << "AC has no effect on SMEP";

  pt.map(0x2000, 0x6000, kP | kRW);  // supervisor pages are not affected
  EXPECT_EQ(expect_gpa(0x2000, AccessType::implicit_supervisor(AccessKind::write)), 0x6000u);
}

TEST_F(PageWalkerTest, ProtectionKeys) {
  PageTables pt(mem, PagingMode::level4);
  use(PagingMode::level4, pt);
  state.cr4 |= cr4::kPKE;
  pt.map(0x1000, 0x5000, kP | kRW | kUS | pkey_bits(5));
  pt.map(0x2000, 0x6000, kP | kRW | pkey_bits(5));  // supervisor page: keys do not apply
  pt.map(0x3000, 0x7000, kP | kUS | pkey_bits(5));  // user read-only
  EXPECT_EQ(walk(0x1000, kUserRead).translation.pkey, 5);

  state.pkru = 1u << (2 * 5);  // AD5
  expect_fault(0x1000, kUserRead, kPresent | kUser | kProtectionKey);
  expect_fault(0x1000, kSupWrite, kPresent | kWrite | kProtectionKey, "keys apply to supervisor accesses too");
  EXPECT_EQ(expect_gpa(0x1000, kUserFetch), 0x5000u) << "keys do not apply to fetches";
  EXPECT_EQ(expect_gpa(0x2000, kSupRead), 0x6000u);

  state.pkru = 2u << (2 * 5);  // WD5
  EXPECT_EQ(expect_gpa(0x1000, kUserRead), 0x5000u);
  expect_fault(0x1000, kUserWrite, kPresent | kWrite | kUser | kProtectionKey);
  expect_fault(0x1000, kSupWrite, kPresent | kWrite | kProtectionKey);
  expect_fault(0x3000, kUserWrite, kPresent | kWrite | kUser | kProtectionKey, "PK is set with R/W failing too");
  state.cr0 &= ~cr0::kWP;
  EXPECT_EQ(expect_gpa(0x1000, kSupWrite), 0x5000u) << "WD binds supervisor writes only with CR0.WP";

  state.pkru = 3u << (2 * 4);  // another key
  EXPECT_EQ(expect_gpa(0x1000, kUserWrite), 0x5000u);
  state.pkru = ~0u;
  state.cr4 &= ~cr4::kPKE;
  EXPECT_EQ(expect_gpa(0x1000, kUserWrite), 0x5000u) << "CR4.PKE = 0";
}

TEST_F(PageWalkerTest, AccessedAndDirtyBits) {
  PageTables pt(mem, PagingMode::level4);
  use(PagingMode::level4, pt);
  pt.map(0x1000, 0x5000, kP | kRW | kUS);
  pt.map(0x2000, 0x6000, kP | kUS);
  pt.map(0x400000, 0x800000, kP | kRW | kUS, 21);

  EXPECT_EQ(walk(0x1000, kUserRead).status, WalkStatus::ok);
  for (unsigned level = 4; level >= 1; --level) EXPECT_TRUE(pt.entry(0x1000, level) & kA) << level;
  EXPECT_FALSE(pt.entry(0x1000, 1) & kD) << "a read does not set D";
  EXPECT_FALSE(walk(0x1000, kUserRead).translation.rights & page_rights::kDirty);

  EXPECT_EQ(walk(0x1000, kUserWrite).status, WalkStatus::ok);
  EXPECT_TRUE(pt.entry(0x1000, 1) & kD);
  for (unsigned level = 4; level >= 2; --level) EXPECT_FALSE(pt.entry(0x1000, level) & kD) << level;
  EXPECT_TRUE(walk(0x1000, kUserRead).translation.rights & page_rights::kDirty);

  // A faulting access sets neither A nor D.
  expect_fault(0x2000, kUserWrite, kPresent | kWrite | kUser);
  EXPECT_FALSE(pt.entry(0x2000, 1) & (kA | kD));

  EXPECT_EQ(walk(0x400000, kSupWrite).status, WalkStatus::ok);
  EXPECT_EQ(pt.entry(0x400000, 2) & (kA | kD), kA | kD) << "D lives in the large page's PDE";
}

TEST_F(PageWalkerTest, AccessedAndDirtyBitsInThirtyTwoBitEntries) {
  PageTables pt(mem, PagingMode::bits32);
  use(PagingMode::bits32, pt);
  pt.map(0x1000, 0x5000, kP | kRW);
  EXPECT_EQ(walk(0x1000, kSupWrite).status, WalkStatus::ok);
  EXPECT_EQ(pt.entry(0x1000, 1), 0x5000 | kP | kRW | kA | kD);
  EXPECT_EQ(mem.read_obj<uint32_t>(pt.entry_gpa(0x1000, 1) + 4), 0u) << "the next entry is untouched";
  EXPECT_TRUE(pt.entry(0x1000, 2) & kA);
}

TEST_F(PageWalkerTest, PagingStructureOutsideRamFaultsWithRsvd) {
  PageTables pt(mem, PagingMode::level4);
  use(PagingMode::level4, pt);
  pt.map(0x1000, 0x5000, kP | kRW);
  pt.set_entry(0x1000, 2, 0xfee00000 | kP | kRW);  // the page table would be the local APIC page
  expect_fault(0x1000, kSupWrite, kPresent | kReserved | kWrite);
  state.cr3 = 0x100000000ull;  // PML4 beyond RAM
  expect_fault(0x1000, kSupRead, kPresent | kReserved);

  PageTables pt32(mem, PagingMode::bits32, 0x400000);
  use(PagingMode::bits32, pt32);
  pt32.map(0x1000, 0x5000, kP | kRW);
  pt32.set_entry(0x1000, 2, 0xfffff000 | kP | kRW);  // all-ones-like PDE without PS
  expect_fault(0x1000, kSupRead, kPresent | kReserved, "the same rule in every mode");
}

TEST_F(PageWalkerTest, FinalAddressOutsideRamIsATranslationNotAFault) {
  PageTables pt(mem, PagingMode::level4);
  use(PagingMode::level4, pt);
  pt.map(0x1000, 0xfee00000, kP | kRW);
  EXPECT_EQ(expect_gpa(0x1080, kSupWrite), 0xfee00080u) << "MMIO is the bus's business";
}

// Maps every guest-physical address to gpa + offset, refusing one page.
class OffsetTranslator : public GuestPhysicalTranslator {
 public:
  bool translate(uint64_t gpa, AccessKind, bool paging_structure, uint64_t& out) override {
    if ((gpa & ~0xfffull) == refused_page) return false;
    out = gpa + offset;
    (paging_structure ? structure_reads : final_accesses)++;
    return true;
  }
  uint64_t offset = 0x1000000;
  uint64_t refused_page = ~0ull;
  unsigned structure_reads = 0, final_accesses = 0;
};

TEST_F(PageWalkerTest, GuestPhysicalTranslatorSeesEveryStructureReadAndTheFinalAddress) {
  OffsetTranslator tr;
  PageWalker nested(mem, &tr);
  // The L2 tables live at L2 GPA 0x100000 = L1 GPA 0x1100000.
  PageTables pt(mem, PagingMode::level4, 0x1100000);
  uint64_t l2_root = pt.root() - tr.offset;
  // Entries written by PageTables hold L1 addresses; rewrite them as L2 addresses.
  pt.map(0x1000, 0x5000, kP | kRW);
  uint64_t pte_gpa = pt.entry_gpa(0x1000, 1);
  for (unsigned level = 2; level <= 4; ++level) pt.set_entry(0x1000, level, pt.entry(0x1000, level) - tr.offset);
  PagingRole role;
  role.set(state_for(PagingMode::level4, l2_root));
  WalkResult r = nested.translate(0x1234, kSupWrite, role);
  ASSERT_EQ(r.status, WalkStatus::ok);
  EXPECT_EQ(r.translation.gpa, 0x5234 + tr.offset);
  EXPECT_EQ(tr.structure_reads, 4u);
  EXPECT_EQ(tr.final_accesses, 1u);
  EXPECT_TRUE(mem.read_obj<uint64_t>(pte_gpa) & kD) << "A/D land in the L1 page holding the entry";

  tr.refused_page = 0x5000;
  EXPECT_EQ(nested.translate(0x1234, kSupRead, role).status, WalkStatus::gpa_fault);
  tr.refused_page = l2_root;
  EXPECT_EQ(nested.translate(0x1234, kSupRead, role).status, WalkStatus::gpa_fault);
}

}  // namespace
}  // namespace nv
