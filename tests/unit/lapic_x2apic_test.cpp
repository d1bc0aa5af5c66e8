#include "lapic_test_support.h"

namespace nv {
namespace {

using test::ApicMachine;
using A = LocalApic;

constexpr uint64_t kEn = A::kBaseEnable, kExtd = A::kBaseExtd, kBase = layout::kLapicBase;

TEST(LapicApicBase, LegalAndIllegalStateTransitions) {
  ApicMachine m(2);
  A& ap = m.apic(1);
  EXPECT_FALSE(ap.wrmsr(A::kMsrApicBase, kBase | kExtd)) << "invalid state EN=0 EXTD=1";
  EXPECT_TRUE(ap.wrmsr(A::kMsrApicBase, kBase | kEn | kExtd)) << "xAPIC -> x2APIC";
  EXPECT_TRUE(ap.x2apic_mode());
  EXPECT_FALSE(ap.wrmsr(A::kMsrApicBase, kBase | kEn)) << "x2APIC -> xAPIC";
  EXPECT_TRUE(ap.wrmsr(A::kMsrApicBase, kBase | kEn | kExtd)) << "x2APIC -> x2APIC";
  EXPECT_TRUE(ap.wrmsr(A::kMsrApicBase, kBase)) << "x2APIC -> disabled";
  EXPECT_FALSE(ap.hardware_enabled());
  EXPECT_FALSE(ap.wrmsr(A::kMsrApicBase, kBase | kEn | kExtd)) << "disabled -> x2APIC";
  EXPECT_TRUE(ap.wrmsr(A::kMsrApicBase, kBase | kEn)) << "disabled -> xAPIC";
  EXPECT_EQ(m.rdmsr(1, A::kMsrApicBase), kBase | kEn);
  EXPECT_TRUE(ap.wrmsr(A::kMsrApicBase, kBase)) << "xAPIC -> disabled";
}

TEST(LapicApicBase, ReservedBitsAndBspFlag) {
  ApicMachine m(2);
  EXPECT_FALSE(m.apic(0).wrmsr(A::kMsrApicBase, kBase | kEn | A::kBaseBsp | 1)) << "bit 0";
  EXPECT_FALSE(m.apic(0).wrmsr(A::kMsrApicBase, kBase | kEn | A::kBaseBsp | (1u << 9))) << "bit 9";
  EXPECT_FALSE(m.apic(0).wrmsr(A::kMsrApicBase, (1ull << 40) | kBase | kEn)) << "above MAXPHYADDR 40";
  EXPECT_TRUE(m.apic(1).wrmsr(A::kMsrApicBase, kBase | kEn | A::kBaseBsp));
  EXPECT_EQ(m.rdmsr(1, A::kMsrApicBase) & A::kBaseBsp, 0u) << "the BSP flag is not the guest's to set";
  ApicMachine no_x2apic(1, {.x2apic = false});
  EXPECT_FALSE(no_x2apic.apic(0).wrmsr(A::kMsrApicBase, kBase | kEn | kExtd)) << "EXTD reserved without x2APIC";
}

TEST(LapicApicBase, RelocationMovesThePage) {
  ApicMachine m(1);
  m.software_enable(0);
  ASSERT_TRUE(m.apic(0).wrmsr(A::kMsrApicBase, 0xfed00000 | kEn | A::kBaseBsp));
  EXPECT_EQ(m.apic(0).mmio_base(), 0xfed00000u);
  EXPECT_TRUE(m.apic(0).claims_mmio(0xfed00000 + A::kVersion));
  EXPECT_FALSE(m.apic(0).claims_mmio(kBase + A::kVersion));
  Bus moved(Bus::Kind::mmio);
  moved.add(0xfed00000, A::kMmioSize, &m.apic(0));
  EXPECT_EQ(moved.read_or_float(0xfed00000 + A::kVersion, 4), 0x50014u);
  EXPECT_EQ(moved.read_or_float(0xfed00000 + A::kSvr, 4), 0x1ffu) << "relocation keeps the register state";
}

TEST(LapicApicBase, DisableResetsTheRegisters) {
  ApicMachine m(2);
  m.software_enable(1);
  m.write(1, A::kTpr, 0x40);
  m.write(1, A::kId, 0x09000000);
  ASSERT_TRUE(m.apic(1).wrmsr(A::kMsrApicBase, kBase));
  ASSERT_TRUE(m.apic(1).wrmsr(A::kMsrApicBase, kBase | kEn));
  EXPECT_EQ(m.read(1, A::kTpr), 0u);
  EXPECT_EQ(m.read(1, A::kSvr), 0xffu);
  EXPECT_EQ(m.read(1, A::kId), 1u << 24);
}

TEST(LapicX2apic, MsrsFaultUntilX2apicModeIsOn) {
  ApicMachine m(1);
  uint64_t v;
  EXPECT_FALSE(m.apic(0).rdmsr(0x802, v));
  EXPECT_FALSE(m.apic(0).wrmsr(0x808, 0));
  m.enable_x2apic(0);
  EXPECT_TRUE(m.apic(0).rdmsr(0x802, v));
  EXPECT_FALSE(m.apic(0).claims_mmio(kBase)) << "no MMIO page in x2APIC mode";
}

TEST(LapicX2apic, IdsVersionAndLogicalId) {
  ApicMachine m(20);
  m.enable_x2apic(19);
  EXPECT_EQ(m.rdmsr(19, 0x802), 19u) << "x2APIC ID = vCPU index";
  EXPECT_EQ(m.rdmsr(19, 0x803), 0x50014u);
  EXPECT_EQ(m.rdmsr(19, 0x80d), (1u << 16) | (1u << 3)) << "cluster 1, bit 3";
  EXPECT_FALSE(m.apic(19).wrmsr(0x802, 19)) << "ID is read-only";
  EXPECT_FALSE(m.apic(19).wrmsr(0x80d, 0)) << "LDR is read-only";
}

TEST(LapicX2apic, GeneralProtectionCases) {
  ApicMachine m(1);
  m.enable_x2apic(0);
  A& a = m.apic(0);
  uint64_t v;
  EXPECT_FALSE(a.rdmsr(0x80b, v)) << "EOI is write-only";
  EXPECT_FALSE(a.rdmsr(0x83f, v)) << "SELF IPI is write-only";
  EXPECT_FALSE(a.rdmsr(0x809, v)) << "no APR";
  EXPECT_FALSE(a.rdmsr(0x80e, v)) << "no DFR";
  EXPECT_FALSE(a.rdmsr(0x831, v)) << "no ICR high half";
  EXPECT_FALSE(a.rdmsr(0x804, v)) << "reserved";
  EXPECT_FALSE(a.rdmsr(0x82f, v)) << "no CMCI LVT configured";
  EXPECT_FALSE(a.wrmsr(0x80b, 1)) << "non-zero EOI";
  EXPECT_TRUE(a.wrmsr(0x80b, 0));
  EXPECT_FALSE(a.wrmsr(0x828, 1)) << "non-zero ESR";
  EXPECT_TRUE(a.wrmsr(0x828, 0));
  EXPECT_FALSE(a.wrmsr(0x808, 0x100)) << "TPR bit 8";
  EXPECT_FALSE(a.wrmsr(0x808, 1ull << 32)) << "bits 63:32";
  EXPECT_TRUE(a.wrmsr(0x808, 0xff));
  EXPECT_FALSE(a.wrmsr(0x832, 1u << 19)) << "LVT timer bit 19";
  EXPECT_FALSE(a.wrmsr(0x835, 1u << 12)) << "LINT0 delivery status is not writable";
  EXPECT_FALSE(a.wrmsr(0x83e, 4)) << "divide configuration bit 2";
  EXPECT_FALSE(a.wrmsr(0x80a, 0)) << "PPR is read-only";
  EXPECT_FALSE(a.wrmsr(0x803, 0)) << "version is read-only";
  EXPECT_FALSE(a.wrmsr(0x810, 0)) << "ISR is read-only";
  EXPECT_FALSE(a.wrmsr(0x839, 0)) << "current count is read-only";
  EXPECT_FALSE(a.wrmsr(0x830, 1u << 13)) << "ICR bit 13";
  EXPECT_FALSE(a.wrmsr(0x830, 1ull << 20)) << "ICR bit 20";
  EXPECT_FALSE(a.wrmsr(0x83f, 0x100)) << "SELF IPI bits 31:8";
  EXPECT_FALSE(a.wrmsr(0x7ff, 0)) << "not an APIC MSR";
}

TEST(LapicX2apic, IcrIs64BitsWide) {
  ApicMachine m(2);
  m.enable_x2apic(0);
  m.enable_x2apic(1);
  ASSERT_TRUE(m.apic(0).wrmsr(0x80f, 0x1ff));
  ASSERT_TRUE(m.apic(1).wrmsr(0x80f, 0x1ff));
  ASSERT_TRUE(m.apic(0).wrmsr(0x830, (1ull << 32) | 0x4061));
  EXPECT_EQ(m.rdmsr(0, 0x830), (1ull << 32) | 0x4061);
  EXPECT_TRUE(m.apic(1).irr(0x61));
}

TEST(LapicX2apic, SelfIpi) {
  ApicMachine m(1);
  m.enable_x2apic(0);
  ASSERT_TRUE(m.apic(0).wrmsr(0x80f, 0x1ff));
  ASSERT_TRUE(m.apic(0).wrmsr(0x83f, 0x77));
  EXPECT_TRUE(m.apic(0).irr(0x77));
  EXPECT_FALSE(m.apic(0).tmr(0x77));
  EXPECT_EQ(m.apic(0).acknowledge(), 0x77);
}

TEST(LapicX2apic, InitKeepsX2apicMode) {
  ApicMachine m(2);
  m.enable_x2apic(1);
  ASSERT_TRUE(m.apic(1).wrmsr(0x808, 0x30));
  m.apic(1).init_reset();
  EXPECT_TRUE(m.apic(1).x2apic_mode());
  EXPECT_EQ(m.rdmsr(1, 0x808), 0u);
  EXPECT_EQ(m.rdmsr(1, 0x80d), 2u) << "LDR derived again";
  m.apic(1).reset();
  EXPECT_FALSE(m.apic(1).x2apic_mode()) << "RESET returns to xAPIC mode";
}

}  // namespace
}  // namespace nv
