#include "lapic_test_support.h"

namespace nv {
namespace {

using test::ApicMachine;
using A = LocalApic;

constexpr uint32_t kLogical = 1u << 11, kLevelAssert = 1u << 14, kLevelTrigger = 1u << 15;
constexpr uint32_t kSelf = 1u << 18, kAllIncludingSelf = 2u << 18, kAllExcludingSelf = 3u << 18;
constexpr uint32_t kLowest = 1u << 8, kSmi = 2u << 8, kNmi = 4u << 8, kInit = 5u << 8, kStartup = 6u << 8;

class LapicIpi : public ::testing::Test {
 protected:
  void SetUp() override {
    for (unsigned i = 0; i < 4; ++i) m.software_enable(i);
  }
  // Which APICs have `vector` in their IRR, as a bit mask.
  unsigned receivers(uint8_t vector) {
    unsigned mask = 0;
    for (unsigned i = 0; i < 4; ++i)
      if (m.apic(i).irr(vector)) mask |= 1u << i;
    return mask;
  }
  void clear_irrs() {
    for (unsigned i = 0; i < 4; ++i)
      while (m.apic(i).interrupt_pending()) {
        m.apic(i).acknowledge();
        m.write(i, A::kEoi, 0);
      }
  }
  ApicMachine m{4};
};

TEST_F(LapicIpi, PhysicalFixed) {
  m.send_ipi(0, 2, 0x40);
  EXPECT_EQ(receivers(0x40), 0b0100u);
  EXPECT_EQ(m.read(0, A::kIcrLow), 0x40u) << "delivery status idle once sent";
  EXPECT_EQ(m.read(0, A::kIcrHigh), 2u << 24);
  m.send_ipi(0, 0xff, 0x41);
  EXPECT_EQ(receivers(0x41), 0b1111u) << "physical broadcast";
  m.write(3, A::kId, 0x09000000);
  m.send_ipi(0, 9, 0x42);
  EXPECT_EQ(receivers(0x42), 0b1000u) << "matches the written xAPIC ID";
}

TEST_F(LapicIpi, LogicalFlat) {
  for (unsigned i = 0; i < 4; ++i) m.write(i, A::kLdr, (1u << i) << 24);
  m.send_ipi(0, 0x05, kLogical | 0x50);
  EXPECT_EQ(receivers(0x50), 0b0101u);
  m.send_ipi(0, 0xff, kLogical | 0x51);
  EXPECT_EQ(receivers(0x51), 0b1111u);
}

TEST_F(LapicIpi, LogicalCluster) {
  const uint32_t ldr[] = {0x11, 0x12, 0x21, 0x14};  // cluster:member
  for (unsigned i = 0; i < 4; ++i) {
    m.write(i, A::kDfr, 0x0fffffff);
    m.write(i, A::kLdr, ldr[i] << 24);
  }
  m.send_ipi(0, 0x13, kLogical | 0x50);
  EXPECT_EQ(receivers(0x50), 0b0011u) << "cluster 1, members 0 and 1";
  m.send_ipi(0, 0x2f, kLogical | 0x51);
  EXPECT_EQ(receivers(0x51), 0b0100u);
}

TEST_F(LapicIpi, Shorthands) {
  m.send_ipi(1, 0, kSelf | 0x60);
  EXPECT_EQ(receivers(0x60), 0b0010u);
  m.send_ipi(1, 0, kAllIncludingSelf | 0x61);
  EXPECT_EQ(receivers(0x61), 0b1111u);
  m.send_ipi(1, 0, kAllExcludingSelf | 0x62);
  EXPECT_EQ(receivers(0x62), 0b1101u);
}

TEST_F(LapicIpi, LowestPriorityPicksLowestPprThenRoundRobin) {
  const uint32_t tpr[] = {0x20, 0x10, 0x30, 0x10};
  for (unsigned i = 0; i < 4; ++i) {
    m.write(i, A::kLdr, 0x01000000);
    m.write(i, A::kTpr, tpr[i]);
  }
  m.send_ipi(0, 0x01, kLogical | kLowest | 0x70);
  EXPECT_EQ(receivers(0x70), 0b0010u) << "first of the two lowest";
  m.send_ipi(0, 0x01, kLogical | kLowest | 0x71);
  EXPECT_EQ(receivers(0x71), 0b1000u) << "the tie moves round-robin";
  m.send_ipi(0, 0x01, kLogical | kLowest | 0x72);
  EXPECT_EQ(receivers(0x72), 0b0010u);
  m.write(1, A::kSvr, 0xff);
  m.write(3, A::kSvr, 0xff);
  m.send_ipi(0, 0x01, kLogical | kLowest | 0x73);
  EXPECT_EQ(receivers(0x73), 0b0001u) << "software-disabled APICs do not take part";
}

TEST_F(LapicIpi, NmiSmiInitAndStartup) {
  int wakes = 0;
  m.apic(2).set_wakeup([&] { ++wakes; });
  m.send_ipi(0, 2, kNmi);
  EXPECT_TRUE(m.apic(2).take_nmi());
  EXPECT_FALSE(m.apic(2).take_nmi());
  m.send_ipi(0, 2, kSmi);
  EXPECT_TRUE(m.apic(2).take_smi());
  m.send_ipi(0, 2, kInit | kLevelAssert);
  m.send_ipi(0, 2, kStartup | 0x9a);
  EXPECT_TRUE(m.apic(2).take_init());
  EXPECT_EQ(m.apic(2).take_sipi(), std::optional<uint8_t>(0x9a));
  EXPECT_EQ(m.apic(2).take_sipi(), std::nullopt);
  EXPECT_EQ(wakes, 4);
  m.send_ipi(0, 2, kStartup | 0x9b);
  m.send_ipi(0, 2, kInit | kLevelAssert);
  EXPECT_EQ(m.apic(2).take_sipi(), std::nullopt) << "INIT drops a held SIPI";
  EXPECT_TRUE(m.apic(2).take_init());
  m.send_ipi(0, 0, kAllIncludingSelf | kInit | kLevelTrigger);  // INIT level de-assert
  for (unsigned i = 0; i < 4; ++i) EXPECT_FALSE(m.apic(i).take_init()) << i;
}

TEST_F(LapicIpi, SoftwareDisabledTargetTakesOnlyNmiInitSipi) {
  m.write(3, A::kSvr, 0xff);
  m.send_ipi(0, 3, 0x44);
  EXPECT_FALSE(m.apic(3).irr(0x44));
  m.send_ipi(0, 3, kNmi);
  EXPECT_TRUE(m.apic(3).take_nmi());
}

TEST_F(LapicIpi, HardwareDisabledTargetTakesNothing) {
  ASSERT_TRUE(m.apic(3).wrmsr(A::kMsrApicBase, layout::kLapicBase));
  m.send_ipi(0, 0xff, kNmi);
  EXPECT_FALSE(m.apic(3).take_nmi());
  EXPECT_TRUE(m.apic(2).take_nmi());
}

TEST_F(LapicIpi, LevelTriggeredFixedIpiSetsTmr) {
  m.send_ipi(0, 1, kLevelTrigger | kLevelAssert | 0x66);
  EXPECT_TRUE(m.apic(1).tmr(0x66));
}

TEST_F(LapicIpi, Msi) {
  EXPECT_EQ(m.bus.deliver_msi(0xfee02000, 0x0045), 1u);
  EXPECT_TRUE(m.apic(2).irr(0x45));
  for (unsigned i = 0; i < 4; ++i) m.write(i, A::kLdr, (1u << i) << 24);
  EXPECT_EQ(m.bus.deliver_msi(0xfee0a004, 0x0046), 2u) << "logical destination 0x0a";
  EXPECT_EQ(receivers(0x46), 0b1010u);
  EXPECT_EQ(m.bus.deliver_msi(0xfee03000, 0x0400), 1u) << "NMI";
  EXPECT_TRUE(m.apic(3).take_nmi());
  EXPECT_EQ(m.bus.deliver_msi(0xfed00000, 0x47), 0u);
}

class LapicX2apicIpi : public LapicIpi {
 protected:
  void SetUp() override {
    for (unsigned i = 0; i < 4; ++i) {
      m.enable_x2apic(i);
      ASSERT_TRUE(m.apic(i).wrmsr(0x80f, 0x1ff));
    }
  }
  void icr(unsigned cpu, uint32_t dest, uint32_t low) {
    ASSERT_TRUE(m.apic(cpu).wrmsr(0x830, (static_cast<uint64_t>(dest) << 32) | low));
  }
};

TEST_F(LapicX2apicIpi, PhysicalLogicalAndBroadcast) {
  icr(0, 3, 0x40);
  EXPECT_EQ(receivers(0x40), 0b1000u);
  icr(0, 0xffffffff, 0x41);
  EXPECT_EQ(receivers(0x41), 0b1111u);
  icr(0, 0x0000'0006, kLogical | 0x42);
  EXPECT_EQ(receivers(0x42), 0b0110u) << "cluster 0, members 1 and 2";
  icr(0, 0x0001'0006, kLogical | 0x43);
  EXPECT_EQ(receivers(0x43), 0u) << "cluster 1 is empty";
  icr(0, 0xff, 0x44);
  EXPECT_EQ(receivers(0x44), 0u) << "0xff is an ordinary ID in x2APIC format";
  EXPECT_EQ(m.bus.deliver_msi(0xfeeff000, 0x45), 4u) << "an 8-bit 0xff from an MSI is a broadcast";
}

TEST_F(LapicX2apicIpi, FastPathTakesSingleTargetFixedPhysical) {
  int wakes = 0;
  m.apic(3).set_wakeup([&] { ++wakes; });
  icr(0, 3, 0x50);
  EXPECT_TRUE(m.apic(3).irr(0x50));
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(m.bus.fastpath_deliveries(), 1u);
  EXPECT_EQ(m.bus.slowpath_deliveries(), 0u);
  icr(0, 3, kLevelTrigger | kLevelAssert | 0x51);
  EXPECT_TRUE(m.apic(3).tmr(0x51)) << "the fast path keeps the trigger mode";
  icr(0, 0, 0x52);
  EXPECT_TRUE(m.apic(0).irr(0x52)) << "to itself";
  icr(0, 7, 0x53);
  EXPECT_EQ(receivers(0x53), 0u) << "no APIC with ID 7";
  EXPECT_EQ(m.bus.fastpath_deliveries(), 4u);
  EXPECT_EQ(m.bus.slowpath_deliveries(), 0u);
}

TEST_F(LapicX2apicIpi, OtherIpisTakeTheGenericPath) {
  icr(0, 0x2, kLogical | 0x60);
  icr(0, 0, kAllExcludingSelf | 0x61);
  icr(0, 0xffffffff, 0x62);
  icr(0, 2, kNmi);
  icr(0, 2, kLowest | 0x63);
  EXPECT_EQ(m.bus.fastpath_deliveries(), 0u);
  EXPECT_EQ(m.bus.slowpath_deliveries(), 5u);
  EXPECT_EQ(receivers(0x60), 0b0010u);
  EXPECT_EQ(receivers(0x61), 0b1110u);
  EXPECT_EQ(receivers(0x62), 0b1111u);
  EXPECT_TRUE(m.apic(2).take_nmi());
  EXPECT_EQ(receivers(0x63), 0b0100u);
}

TEST_F(LapicX2apicIpi, FastPathOffGivesTheSameResult) {
  m.bus.set_ipi_fastpath(false);
  icr(1, 2, 0x50);
  EXPECT_EQ(receivers(0x50), 0b0100u);
  EXPECT_EQ(m.bus.fastpath_deliveries(), 0u);
  EXPECT_EQ(m.bus.slowpath_deliveries(), 1u);
}

TEST_F(LapicX2apicIpi, FastPathFallsBackForAnXapicTarget) {
  m.apic(2).reset();  // xAPIC mode again, ID 2
  m.software_enable(2);
  icr(0, 2, 0x50);
  EXPECT_TRUE(m.apic(2).irr(0x50));
  EXPECT_EQ(m.bus.fastpath_deliveries(), 0u);
  EXPECT_EQ(m.bus.slowpath_deliveries(), 1u);
}

}  // namespace
}  // namespace nv
