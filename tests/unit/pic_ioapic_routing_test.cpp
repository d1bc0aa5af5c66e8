#include "lapic/ioapic.h"
#include "lapic/pc_interrupt_routing.h"
#include "lapic/pic8259.h"
#include "lapic/pit8254.h"
#include "lapic_test_support.h"
#include "vmm/irq_router.h"

namespace nv {
namespace {

using test::ApicMachine;
using A = LocalApic;

// The software engine's interrupt fabric: PIT and devices -> IrqRouter ->
// PIC (INT -> BSP LINT0) and IOAPIC -> local APICs.
class PcInterruptFabric : public ::testing::Test {
 protected:
  PcInterruptFabric() {
    pic.attach(io);
    pit.attach(io);
    ioapic.attach(mmio);
    pic.set_intr_listener([this](bool level) { m.apic(0).set_lint(0, level); });
    irq.attach(&routing);
    m.software_enable(0);
  }
  ~PcInterruptFabric() override { irq.detach(); }
  void out(uint16_t port, uint8_t value) { io.write_or_drop(port, 1, value); }
  void init_pic() {
    out(0x20, 0x11), out(0x21, 0x20), out(0x21, 0x04), out(0x21, 0x01);
    out(0xa0, 0x11), out(0xa1, 0x28), out(0xa1, 0x02), out(0xa1, 0x01);
  }
  void route_pin(unsigned pin, uint32_t low) {
    mmio.write_or_drop(layout::kIoapicBase, 1, 0x11 + 2 * pin);
    mmio.write_or_drop(layout::kIoapicBase + 0x10, 4, 0);
    mmio.write_or_drop(layout::kIoapicBase, 1, 0x10 + 2 * pin);
    mmio.write_or_drop(layout::kIoapicBase + 0x10, 4, low);
  }

  ApicMachine m{2};
  Bus io{Bus::Kind::io};
  Bus mmio{Bus::Kind::mmio};
  Pic8259 pic;
  Ioapic ioapic{m.bus, 2};
  PcInterruptRouting routing{pic, ioapic};
  IrqRouter irq;
  Pit8254 pit{m.clock, irq};
};

TEST_F(PcInterruptFabric, PitThroughThePicToTheBspAsExtInt) {
  init_pic();
  out(0x21, 0xfe);  // only IRQ0
  out(0x43, 0x34);
  out(0x40, 100), out(0x40, 0);
  m.clock.set_ns(pit.next_deadline_ns());
  pit.advance(m.clock.now_ns());
  ASSERT_TRUE(m.apic(0).take_extint());
  EXPECT_EQ(pic.acknowledge(), 0x20);
  EXPECT_FALSE(m.apic(0).extint_pending());
  EXPECT_FALSE(m.apic(0).interrupt_pending()) << "IOAPIC pin 2 is still masked";
}

TEST_F(PcInterruptFabric, PitThroughIoapicPin2) {
  route_pin(2, 0x30);
  out(0x21, 0xff), out(0xa1, 0xff);  // the PIC masked, as APIC-mode guests leave it
  out(0x43, 0x34);
  out(0x40, 100), out(0x40, 0);
  m.clock.set_ns(pit.next_deadline_ns());
  pit.advance(m.clock.now_ns());
  EXPECT_TRUE(m.apic(0).interrupt_pending());
  EXPECT_EQ(m.apic(0).acknowledge(), 0x30);
  EXPECT_FALSE(m.apic(0).extint_pending()) << "the PIC is masked";
}

TEST_F(PcInterruptFabric, IsaIrqsReachBothControllersHighGsisOnlyTheIoapic) {
  init_pic();
  route_pin(4, 0x34);
  route_pin(20, 0x44);
  irq.set_irq(4, true);
  EXPECT_TRUE(pic.intr());
  EXPECT_TRUE(m.apic(0).irr(0x34));
  irq.set_irq(20, true);
  EXPECT_TRUE(m.apic(0).irr(0x44));
  EXPECT_EQ(pic.acknowledge(), 0x24) << "the PIC saw IRQ4 only";
}

TEST_F(PcInterruptFabric, LevelInterruptEoiFromTheLapicClearsRemoteIrr) {
  route_pin(9, 0x8000 | 0x39);  // level-triggered, like the SCI
  irq.set_irq(9, true);
  ASSERT_EQ(m.apic(0).acknowledge(), 0x39);
  irq.set_irq(9, false);
  m.write(0, A::kEoi, 0);
  mmio.write_or_drop(layout::kIoapicBase, 1, 0x10 + 2 * 9);
  EXPECT_EQ(mmio.read_or_float(layout::kIoapicBase + 0x10, 4) & Ioapic::kRemoteIrr, 0u);
  irq.set_irq(9, true);
  EXPECT_TRUE(m.apic(0).irr(0x39)) << "delivered again after the EOI";
}

}  // namespace
}  // namespace nv
