#include "lapic/ioapic.h"
#include "lapic_test_support.h"
#include "vmm/irq_router.h"

namespace nv {
namespace {

using test::ApicMachine;
using A = LocalApic;

constexpr uint64_t kLevel = Ioapic::kLevelTriggered, kMasked = Ioapic::kMasked, kRemoteIrr = Ioapic::kRemoteIrr,
                   kActiveLow = Ioapic::kActiveLow;

class IoapicTest : public ::testing::Test {
 protected:
  IoapicTest() {
    ioapic.attach(mmio);
    irq.attach(&ioapic);
    for (unsigned i = 0; i < 2; ++i) m.software_enable(i);
  }
  ~IoapicTest() override { irq.detach(); }
  uint32_t reg(uint8_t index) {
    mmio.write_or_drop(layout::kIoapicBase, 1, index);
    return static_cast<uint32_t>(mmio.read_or_float(layout::kIoapicBase + 0x10, 4));
  }
  void set_reg(uint8_t index, uint32_t value) {
    mmio.write_or_drop(layout::kIoapicBase, 1, index);
    mmio.write_or_drop(layout::kIoapicBase + 0x10, 4, value);
  }
  // Programs a redirection entry as a guest does: high half, then low half.
  void route(unsigned pin, uint64_t entry) {
    set_reg(static_cast<uint8_t>(0x11 + 2 * pin), static_cast<uint32_t>(entry >> 32));
    set_reg(static_cast<uint8_t>(0x10 + 2 * pin), static_cast<uint32_t>(entry));
  }
  uint64_t entry(unsigned pin) {
    return reg(static_cast<uint8_t>(0x10 + 2 * pin)) | static_cast<uint64_t>(reg(static_cast<uint8_t>(0x11 + 2 * pin))) << 32;
  }
  void service(unsigned cpu, int vector) {
    ASSERT_EQ(m.apic(cpu).acknowledge(), vector);
    m.write(cpu, A::kEoi, 0);
  }

  ApicMachine m{2};
  Bus mmio{Bus::Kind::mmio};
  Ioapic ioapic{m.bus, 2};
  IrqRouter irq;
};

TEST_F(IoapicTest, IdentificationRegisters) {
  EXPECT_EQ(reg(0x00), 2u << 24);
  EXPECT_EQ(reg(0x01), 0x00170011u) << "version 0x11, max redirection entry 23";
  EXPECT_EQ(reg(0x02), 2u << 24);
  set_reg(0x00, 0x05000000);
  EXPECT_EQ(reg(0x00), 5u << 24);
  set_reg(0x00, 0xfaffffff);
  EXPECT_EQ(reg(0x00), 0x0au << 24) << "only the 4-bit ID in bits 27:24 is writable";
  EXPECT_EQ(reg(0x02), 0x0au << 24) << "the arbitration ID follows the ID";
  set_reg(0x01, 0);
  EXPECT_EQ(reg(0x01), 0x00170011u) << "read-only";
  EXPECT_EQ(mmio.read_or_float(layout::kIoapicBase, 1), 0x01u) << "IOREGSEL reads back";
}

TEST_F(IoapicTest, EntriesResetMaskedAndKeepReadOnlyBits) {
  for (unsigned pin = 0; pin < Ioapic::kPins; ++pin) EXPECT_EQ(entry(pin), kMasked) << pin;
  route(5, 0xffffffff'ffffffffull);
  EXPECT_EQ(entry(5), 0xff000000'0001afffull) << "delivery status and remote IRR are read-only";
}

TEST_F(IoapicTest, EdgeTriggeredPin) {
  route(4, (1ull << 56) | 0x31);
  irq.set_irq(4, true);
  EXPECT_TRUE(m.apic(1).irr(0x31));
  EXPECT_FALSE(m.apic(0).irr(0x31));
  service(1, 0x31);
  irq.set_irq(4, true);
  EXPECT_FALSE(m.apic(1).irr(0x31)) << "no new edge";
  irq.set_irq(4, false);
  irq.set_irq(4, true);
  EXPECT_TRUE(m.apic(1).irr(0x31));
}

TEST_F(IoapicTest, MaskedEdgeIsLost) {
  route(4, kMasked | 0x31);
  irq.set_irq(4, true);
  route(4, 0x31);
  EXPECT_FALSE(m.apic(0).irr(0x31));
}

TEST_F(IoapicTest, LevelTriggeredRemoteIrrAndEoi) {
  route(10, kLevel | 0x40);
  irq.set_irq(10, true);
  EXPECT_TRUE(m.apic(0).irr(0x40));
  EXPECT_TRUE(m.apic(0).tmr(0x40));
  EXPECT_EQ(entry(10) & kRemoteIrr, kRemoteIrr);
  ASSERT_EQ(m.apic(0).acknowledge(), 0x40);
  irq.set_irq(10, true);
  EXPECT_FALSE(m.apic(0).irr(0x40)) << "remote IRR holds the line until EOI";
  m.write(0, A::kEoi, 0);
  EXPECT_TRUE(m.apic(0).irr(0x40)) << "still asserted after the EOI: delivered again";
  EXPECT_EQ(entry(10) & kRemoteIrr, kRemoteIrr);
  irq.set_irq(10, false);
  service(0, 0x40);
  EXPECT_EQ(entry(10) & kRemoteIrr, 0u);
  EXPECT_FALSE(m.apic(0).irr(0x40));
}

TEST_F(IoapicTest, EoiOfAnotherVectorLeavesRemoteIrr) {
  route(10, kLevel | 0x40);
  route(11, kLevel | 0x41);
  irq.set_irq(10, true);
  irq.set_irq(11, true);
  ioapic.eoi(0x41);
  EXPECT_EQ(entry(10) & kRemoteIrr, kRemoteIrr);
  EXPECT_EQ(m.bus.slowpath_deliveries(), 3u) << "pin 11 delivered again, pin 10 not";
}

TEST_F(IoapicTest, EoiIsBroadcastOnlyWhenTmrSaysLevel) {
  route(10, kLevel | 0x40);
  route(4, 0x40);  // the same vector, edge-triggered
  irq.set_irq(10, true);
  ASSERT_EQ(m.apic(0).acknowledge(), 0x40);
  irq.set_irq(4, true);  // accepted as edge: TMR bit 0x40 cleared
  irq.set_irq(10, false);
  m.write(0, A::kEoi, 0);
  EXPECT_EQ(entry(10) & kRemoteIrr, kRemoteIrr) << "no EOI broadcast for an edge-accepted vector";
}

TEST_F(IoapicTest, UnmaskingAnAssertedLevelPinDelivers) {
  route(9, kMasked | kLevel | 0x45);
  irq.set_irq(9, true);
  EXPECT_FALSE(m.apic(0).irr(0x45));
  route(9, kLevel | 0x45);
  EXPECT_TRUE(m.apic(0).irr(0x45));
}

TEST_F(IoapicTest, ActiveLowPolarity) {
  irq.set_irq(12, true);  // idle high
  route(12, kActiveLow | kLevel | 0x46);
  EXPECT_FALSE(m.apic(0).irr(0x46));
  irq.set_irq(12, false);
  EXPECT_TRUE(m.apic(0).irr(0x46));
}

TEST_F(IoapicTest, GsiRoutingMatchesTheMadt) {
  route(2, 0x50);
  route(0, 0x51);
  irq.set_irq(0, true);
  EXPECT_TRUE(m.apic(0).irr(0x50)) << "ISA IRQ0 is pin 2";
  EXPECT_FALSE(m.apic(0).irr(0x51));
  irq.set_irq(0, false);
  irq.set_irq(2, true);
  EXPECT_EQ(m.bus.slowpath_deliveries(), 1u) << "GSI 2 is the cascade: no pin";
  route(23, 0x52);
  irq.set_irq(23, true);
  EXPECT_TRUE(m.apic(0).irr(0x52));
}

TEST_F(IoapicTest, DestinationsAndDeliveryModes) {
  m.write(0, A::kLdr, 0x01000000);
  m.write(1, A::kLdr, 0x02000000);
  route(3, (0x03ull << 56) | (1u << 11) | 0x60);
  irq.set_irq(3, true);
  EXPECT_TRUE(m.apic(0).irr(0x60));
  EXPECT_TRUE(m.apic(1).irr(0x60));
  route(5, (0xffull << 56) | (4u << 8));  // NMI broadcast
  irq.set_irq(5, true);
  EXPECT_TRUE(m.apic(0).take_nmi());
  EXPECT_TRUE(m.apic(1).take_nmi());
  route(6, (0x03ull << 56) | (1u << 11) | (1u << 8) | 0x61);  // lowest priority
  m.write(0, A::kTpr, 0x30);
  irq.set_irq(6, true);
  EXPECT_TRUE(m.apic(1).irr(0x61));
  EXPECT_FALSE(m.apic(0).irr(0x61));
  route(7, kLevel | (7u << 8));  // ExtINT: edge whatever the trigger bit says
  irq.set_irq(7, true);
  EXPECT_TRUE(m.apic(0).take_extint());
  EXPECT_EQ(entry(7) & kRemoteIrr, 0u);
}

}  // namespace
}  // namespace nv
