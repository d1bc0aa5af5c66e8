#include <gtest/gtest.h>

#include "mmu/soft_tlb.h"

namespace nv {
namespace {

constexpr AccessType kSupRead = AccessType::explicit_access(AccessKind::read, 0, false);
constexpr AccessType kSupWrite = AccessType::explicit_access(AccessKind::write, 0, false);
constexpr AccessType kUserRead = AccessType::explicit_access(AccessKind::read, 3, false);

class SoftTlbTest : public ::testing::Test {
 protected:
  Translation page(uint64_t gpa, uint8_t rights = page_rights::kAll, bool global = false, uint8_t shift = 12) {
    Translation t;
    t.gpa = gpa;
    t.rights = rights;
    t.global = global;
    t.page_shift = shift;
    return t;
  }
  bool hit(uint64_t gva, Asid a, AccessType access = kSupRead) { return tlb.lookup(gva, access, a, rules) != nullptr; }

  SoftTlb tlb;
  AccessRules rules = AccessRules::compute([] {
    PagingState s;
    s.cr0 = cr0::kPG | cr0::kWP;
    s.cr4 = cr4::kPAE;
    s.efer = efer::kLMA | efer::kNXE;
    return s;
  }());
  uint8_t ram[2 * 4096] = {};
  const Asid l1_pcid1 = asid::make(asid::kL1Space, 1);
  const Asid l1_pcid2 = asid::make(asid::kL1Space, 2);
};

TEST_F(SoftTlbTest, HitIsTheHostPointerOfThePagePlusTheOffset) {
  EXPECT_FALSE(hit(0x7000123, l1_pcid1));
  tlb.fill(0x7000123, l1_pcid1, page(0x5000), 0, ram);
  const TlbEntry* e = tlb.lookup(0x7000abc, kSupRead, l1_pcid1, rules);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->host(0x7000abc), ram + 0xabc);
  EXPECT_EQ(e->gpa(0x7000abc), 0x5abcu);
  EXPECT_EQ(tlb.counters().hits, 1u);
  EXPECT_EQ(tlb.counters().misses, 1u);
  EXPECT_EQ(tlb.counters().fills, 1u);
  EXPECT_FALSE(hit(0x7001000, l1_pcid1)) << "the next page";
  EXPECT_FALSE(hit(0x7000000 + SoftTlb::kEntries * 4096ull, l1_pcid1)) << "same slot, other page";
}

TEST_F(SoftTlbTest, MmioEntriesCarryTheGuestPhysicalAddress) {
  tlb.fill(0x1000, l1_pcid1, page(0xfee00000), 0, nullptr);
  const TlbEntry* e = tlb.lookup(0x1030, kSupWrite, l1_pcid1, rules);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->host(0x1030), nullptr);
  EXPECT_EQ(e->gpa(0x1030), 0xfee00030u);
}

TEST_F(SoftTlbTest, RightsAreCheckedOnEveryHit) {
  tlb.fill(0x1000, l1_pcid1, page(0x5000, page_rights::kWrite | page_rights::kExecute), 0, ram);
  EXPECT_TRUE(hit(0x1000, l1_pcid1, kSupRead));
  EXPECT_FALSE(hit(0x1000, l1_pcid1, kUserRead)) << "supervisor page";
  EXPECT_FALSE(hit(0x1000, l1_pcid1, kSupWrite)) << "D clear: the walker must set it first";
  tlb.fill(0x1000, l1_pcid1, page(0x5000, page_rights::kAll), 0, ram);
  EXPECT_TRUE(hit(0x1000, l1_pcid1, kSupWrite));
}

TEST_F(SoftTlbTest, EntriesAreTaggedByPcidAndSpace) {
  tlb.fill(0x1000, l1_pcid1, page(0x5000), 0, ram);
  EXPECT_FALSE(hit(0x1000, l1_pcid2));
  EXPECT_FALSE(hit(0x1000, asid::make(asid::l2_space(1), 1)));
  tlb.fill(0x2000, l1_pcid1, page(0x6000, page_rights::kAll, true), 0, ram);
  EXPECT_TRUE(hit(0x2000, l1_pcid2)) << "global entries match every PCID of their space (§4.10.2.4)";
  EXPECT_FALSE(hit(0x2000, asid::make(asid::l2_space(1), 1))) << "but not another space";
}

TEST_F(SoftTlbTest, FlushPcidKeepsGlobalAndOtherPcids) {
  tlb.fill(0x1000, l1_pcid1, page(0x5000), 0, ram);
  tlb.fill(0x2000, l1_pcid1, page(0x6000, page_rights::kAll, true), 0, ram);
  tlb.fill(0x3000, l1_pcid2, page(0x7000), 0, ram);
  tlb.flush_pcid(l1_pcid1);
  EXPECT_FALSE(hit(0x1000, l1_pcid1));
  EXPECT_TRUE(hit(0x2000, l1_pcid1));
  EXPECT_TRUE(hit(0x3000, l1_pcid2));
  tlb.flush_space_non_global(asid::kL1Space);
  EXPECT_TRUE(hit(0x2000, l1_pcid1));
  EXPECT_FALSE(hit(0x3000, l1_pcid2));
  tlb.flush_space(asid::kL1Space);
  EXPECT_FALSE(hit(0x2000, l1_pcid1));
}

TEST_F(SoftTlbTest, FlushSpaceLeavesOtherSpaces) {
  Asid l2 = asid::make(asid::l2_space(7), 0);
  tlb.fill(0x1000, l1_pcid1, page(0x5000), 0, ram);
  tlb.fill(0x2000, l2, page(0x6000), 0, ram);
  tlb.flush_space(asid::l2_space(7));
  EXPECT_TRUE(hit(0x1000, l1_pcid1));
  EXPECT_FALSE(hit(0x2000, l2));
  tlb.flush_all();
  EXPECT_FALSE(hit(0x1000, l1_pcid1));
}

TEST_F(SoftTlbTest, TheSamePageOfTwoPcidsOrSpacesCoexists) {
  Asid l2 = asid::make(asid::l2_space(1), 0);
  tlb.fill(0x1000, l1_pcid1, page(0x5000), 0, ram);
  tlb.fill(0x1000, l1_pcid2, page(0x6000), 0, ram);
  tlb.fill(0x1000, l2, page(0x7000), 0, ram);
  EXPECT_EQ(tlb.lookup(0x1000, kSupRead, l1_pcid1, rules)->gpa_page, 0x5000u);
  EXPECT_EQ(tlb.lookup(0x1000, kSupRead, l1_pcid2, rules)->gpa_page, 0x6000u);
  EXPECT_EQ(tlb.lookup(0x1000, kSupRead, l2, rules)->gpa_page, 0x7000u);
}

TEST_F(SoftTlbTest, FlushPageDropsTheCurrentPcidsAndTheGlobalEntry) {
  const Asid l1_pcid0 = asid::make(asid::kL1Space, 0);
  tlb.fill(0x1000, l1_pcid1, page(0x5000), 0, ram);
  tlb.fill(0x1000, l1_pcid2, page(0x5000), 0, ram);
  tlb.fill(0x2000, l1_pcid1, page(0x6000), 0, ram);
  tlb.fill(0x3000, l1_pcid2, page(0x7000, page_rights::kAll, true), 0, ram);
  tlb.flush_page(0x1fff, l1_pcid1);
  EXPECT_FALSE(hit(0x1000, l1_pcid1));
  EXPECT_TRUE(hit(0x1000, l1_pcid2)) << "§4.10.4.1: INVLPG is for the current PCID";
  EXPECT_TRUE(hit(0x2000, l1_pcid1));
  tlb.flush_page(0x2000, asid::make(asid::l2_space(0), 1));
  EXPECT_TRUE(hit(0x2000, l1_pcid1)) << "another space's INVLPG";
  EXPECT_TRUE(hit(0x3000, l1_pcid0));
  tlb.flush_page(0x3000, l1_pcid1);
  EXPECT_FALSE(hit(0x3000, l1_pcid0)) << "global entries go whatever the PCID";
  EXPECT_FALSE(hit(0x3000, l1_pcid2));
}

TEST_F(SoftTlbTest, FlushPageForAllPcidsLeavesOtherPagesAndSpaces) {
  Asid l2 = asid::make(asid::l2_space(1), 1);
  tlb.fill(0x1000, l1_pcid1, page(0x5000), 0, ram);
  tlb.fill(0x1000, l1_pcid2, page(0x5000), 0, ram);
  tlb.fill(0x1000, l2, page(0x5000), 0, ram);
  tlb.fill(0x2000, l1_pcid1, page(0x6000), 0, ram);
  tlb.flush_page_all_pcids(0x1800, asid::kL1Space);
  EXPECT_FALSE(hit(0x1000, l1_pcid1));
  EXPECT_FALSE(hit(0x1000, l1_pcid2));
  EXPECT_TRUE(hit(0x1000, l2));
  EXPECT_TRUE(hit(0x2000, l1_pcid1));
}

TEST_F(SoftTlbTest, FlushPageDropsEveryFragmentOfALargePage) {
  // Two 4 KiB fragments of the 2 MiB page at 0x200000, and a page outside it.
  tlb.fill(0x200000, l1_pcid1, page(0x400000, page_rights::kAll, false, 21), 0, ram);
  tlb.fill(0x3ff000, l1_pcid1, page(0x5ff000, page_rights::kAll, false, 21), 0, ram);
  tlb.fill(0x400000, l1_pcid1, page(0x600000), 0, ram);
  tlb.flush_page(0x234567, l1_pcid1);
  EXPECT_FALSE(hit(0x200000, l1_pcid1));
  EXPECT_FALSE(hit(0x3ff000, l1_pcid1));
  EXPECT_TRUE(hit(0x400000, l1_pcid1));
}

TEST_F(SoftTlbTest, InvalidateGuestPhysicalPageDropsEveryMappingOfIt) {
  tlb.fill(0x1000, l1_pcid1, page(0x5000), 0, ram);
  tlb.fill(0x9000, l1_pcid2, page(0x5000), 0, ram);
  tlb.fill(0x2000, l1_pcid1, page(0x6000), 0, ram);
  tlb.invalidate_gpa_page(0x5ff8);
  EXPECT_FALSE(hit(0x1000, l1_pcid1));
  EXPECT_FALSE(hit(0x9000, l1_pcid2));
  EXPECT_TRUE(hit(0x2000, l1_pcid1));
}

TEST_F(SoftTlbTest, ProtectionKeyMasksAreCheckedOnEveryHit) {
  PagingState s;
  s.cr0 = cr0::kPG | cr0::kWP;
  s.cr4 = cr4::kPAE | cr4::kPKE;
  s.efer = efer::kLMA;
  AccessRules pk_rules = AccessRules::compute(s);
  tlb.fill(0x1000, l1_pcid1, page(0x5000), 1u << 3, ram);
  EXPECT_NE(tlb.lookup(0x1000, kUserRead, l1_pcid1, pk_rules), nullptr);
  s.pkru = 1u << 6;  // AD3
  pk_rules.recompute_pk(s);
  EXPECT_EQ(tlb.lookup(0x1000, kUserRead, l1_pcid1, pk_rules), nullptr);
}

// Flushes visit only the slots filled since the last flush: a slot emptied by
// flush_page and filled again, and slots far apart in the table, must all be
// found by the next flush.
TEST_F(SoftTlbTest, FlushesFindEverySlotFilledSinceTheLastOne) {
  tlb.fill(0x1000, l1_pcid1, page(0x5000), 0, ram);
  tlb.flush_page(0x1000, l1_pcid1);
  tlb.fill(0x1000, l1_pcid1, page(0x5000), 0, ram);
  const uint64_t far = 0x1000 + (SoftTlb::kEntries / 2) * 4096ull;
  tlb.fill(far, l1_pcid1, page(0x6000), 0, ram);
  tlb.fill(0x3000, l1_pcid2, page(0x7000), 0, ram);
  tlb.flush_pcid(l1_pcid1);
  EXPECT_FALSE(hit(0x1000, l1_pcid1));
  EXPECT_FALSE(hit(far, l1_pcid1));
  EXPECT_TRUE(hit(0x3000, l1_pcid2));
  tlb.flush_all();
  EXPECT_FALSE(hit(0x3000, l1_pcid2)) << "the entry kept by the first flush is still listed";
  tlb.fill(0x3000, l1_pcid2, page(0x7000), 0, ram);
  EXPECT_TRUE(hit(0x3000, l1_pcid2));
  tlb.flush_space(asid::kL1Space);
  EXPECT_FALSE(hit(0x3000, l1_pcid2));
}

}  // namespace
}  // namespace nv
