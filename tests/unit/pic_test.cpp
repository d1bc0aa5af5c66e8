#include "lapic/apic_bus.h"
#include "lapic/manual_clock.h"
#include "lapic/pic8259.h"
#include "vmm/bus.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

class PicTest : public ::testing::Test {
 protected:
  PicTest() {
    pic.attach(io);
    pic.set_intr_listener([this](bool level) { intr_changes.push_back(level); });
  }
  void out(uint16_t port, uint8_t value) { io.write_or_drop(port, 1, value); }
  uint8_t in(uint16_t port) { return static_cast<uint8_t>(io.read_or_float(port, 1)); }
  // The initialisation Linux and kvm-unit-tests use: vectors 0x20/0x28,
  // slave on IR2, 8086 mode; `icw4` lets a test add AEOI or SFNM.
  void init(uint8_t icw4 = 0x01) {
    out(0x20, 0x11), out(0x21, 0x20), out(0x21, 0x04), out(0x21, icw4);
    out(0xa0, 0x11), out(0xa1, 0x28), out(0xa1, 0x02), out(0xa1, icw4);
  }
  void pulse(unsigned irq) {
    pic.set_irq(irq, true);
    pic.set_irq(irq, false);
  }
  uint8_t isr(uint16_t base) {
    out(base, 0x0b);  // OCW3: read ISR
    return in(base);
  }
  uint8_t irr(uint16_t base) {
    out(base, 0x0a);  // OCW3: read IRR
    return in(base);
  }

  Bus io{Bus::Kind::io};
  Pic8259 pic;
  std::vector<bool> intr_changes;
};

TEST_F(PicTest, ResetStateWorksAsQemusAndKvms) {
  // Vector base 0, IMR 0, edge: a pulse on IRQ 11 (slave IR3) interrupts
  // before any ICW (kvm-unit-tests realmode "sti inhibit" relies on it).
  pulse(11);
  EXPECT_TRUE(pic.intr());
  EXPECT_EQ(pic.acknowledge(), 0x03);
  EXPECT_FALSE(pic.intr());
  out(0xa0, 0x11);  // ICW1 on the slave: nothing until its ICW sequence ends
  pulse(11);
  EXPECT_FALSE(pic.intr());
}

TEST_F(PicTest, InitialisationAndOneInterrupt) {
  init();
  EXPECT_EQ(in(0x21), 0u) << "ICW1 clears the IMR";
  pulse(1);
  EXPECT_TRUE(pic.intr());
  EXPECT_EQ(irr(0x20), 0x02u);
  EXPECT_EQ(pic.acknowledge(), 0x21);
  EXPECT_FALSE(pic.intr());
  EXPECT_EQ(isr(0x20), 0x02u);
  EXPECT_EQ(irr(0x20), 0u) << "edge request cleared by INTA";
  out(0x20, 0x20);  // non-specific EOI
  EXPECT_EQ(isr(0x20), 0u);
  EXPECT_EQ(intr_changes, (std::vector<bool>{true, false}));
}

TEST_F(PicTest, FixedPriorityAndNesting) {
  init();
  pulse(5);
  pulse(3);
  EXPECT_EQ(pic.acknowledge(), 0x23);
  EXPECT_FALSE(pic.intr()) << "IRQ5 waits while IRQ3 is in service";
  pulse(1);
  EXPECT_TRUE(pic.intr()) << "IRQ1 has a higher priority than IRQ3";
  EXPECT_EQ(pic.acknowledge(), 0x21);
  out(0x20, 0x20);
  EXPECT_EQ(isr(0x20), 0x08u) << "non-specific EOI cleared the highest (IRQ1)";
  out(0x20, 0x63);  // specific EOI for IRQ3
  EXPECT_EQ(pic.acknowledge(), 0x25);
}

TEST_F(PicTest, MaskRegister) {
  init();
  out(0x21, 0xfd);
  EXPECT_EQ(in(0x21), 0xfdu);
  pulse(0);
  EXPECT_FALSE(pic.intr());
  EXPECT_EQ(irr(0x20), 0x01u) << "masked requests stay in the IRR";
  out(0x21, 0x00);
  EXPECT_TRUE(pic.intr());
}

TEST_F(PicTest, SlaveCascade) {
  init();
  pulse(10);
  EXPECT_TRUE(pic.intr());
  EXPECT_EQ(pic.acknowledge(), 0x2a);
  EXPECT_EQ(isr(0x20), 0x04u) << "the master's IR2 is in service";
  EXPECT_EQ(isr(0xa0), 0x04u);
  pulse(9);
  EXPECT_FALSE(pic.intr()) << "fully nested: the slave's IR2 in service blocks the slave";
  out(0xa0, 0x20);
  out(0x20, 0x20);
  EXPECT_EQ(pic.acknowledge(), 0x29);
}

TEST_F(PicTest, SpecialFullyNestedModeLetsHigherSlaveRequestsThrough) {
  init(0x11);  // SFNM
  pulse(10);
  EXPECT_EQ(pic.acknowledge(), 0x2a);
  pulse(9);
  EXPECT_TRUE(pic.intr());
  EXPECT_EQ(pic.acknowledge(), 0x29);
}

TEST_F(PicTest, SpuriousIrq7AndIrq15) {
  init();
  out(0x4d0, 0x20);  // IRQ5 level-triggered
  EXPECT_EQ(in(0x4d0), 0x20u);
  pic.set_irq(5, true);
  EXPECT_TRUE(pic.intr());
  pic.set_irq(5, false);
  EXPECT_FALSE(pic.intr());
  EXPECT_EQ(pic.acknowledge(), 0x27) << "nothing left: spurious IRQ7";
  EXPECT_EQ(isr(0x20), 0u) << "a spurious IRQ7 is not in service";

  out(0x4d1, 0x04);  // IRQ10 level-triggered
  pic.set_irq(10, true);
  pic.set_irq(10, false);  // the master's IR2 edge stays latched
  EXPECT_EQ(pic.acknowledge(), 0x2f) << "spurious IRQ15";
  EXPECT_EQ(isr(0xa0), 0u);
  EXPECT_EQ(isr(0x20), 0x04u) << "the master's IR2 needs its EOI";
}

TEST_F(PicTest, ElcrWritableBits) {
  out(0x4d0, 0xff);
  out(0x4d1, 0xff);
  EXPECT_EQ(in(0x4d0), 0xf8u) << "IRQ0-2 are edge-only";
  EXPECT_EQ(in(0x4d1), 0xdeu) << "IRQ8 and IRQ13 are edge-only";
}

TEST_F(PicTest, LevelRequestRepeatsUntilTheLineDrops) {
  init();
  out(0x4d0, 0x08);  // IRQ3 level
  pic.set_irq(3, true);
  EXPECT_EQ(pic.acknowledge(), 0x23);
  EXPECT_EQ(irr(0x20), 0x08u) << "a level request stays while the line is high";
  out(0x20, 0x20);
  EXPECT_TRUE(pic.intr());
  EXPECT_EQ(pic.acknowledge(), 0x23);
  pic.set_irq(3, false);
  out(0x20, 0x20);
  EXPECT_FALSE(pic.intr());
}

TEST_F(PicTest, AutomaticEoi) {
  init(0x03);
  pulse(4);
  EXPECT_EQ(pic.acknowledge(), 0x24);
  EXPECT_EQ(isr(0x20), 0u);
  pulse(6);
  EXPECT_TRUE(pic.intr()) << "nothing in service blocks IRQ6";
}

TEST_F(PicTest, RotationCommands) {
  init();
  out(0x20, 0xc4);  // set priority: IRQ4 lowest, IRQ5 highest
  pulse(3);
  pulse(6);
  EXPECT_EQ(pic.acknowledge(), 0x26);
  out(0x20, 0xa0);  // rotate on non-specific EOI: IRQ6 becomes lowest
  pulse(6);
  EXPECT_EQ(pic.acknowledge(), 0x23) << "IRQ7 highest now, then 0..5";
  out(0x20, 0xe3);  // rotate on specific EOI of IRQ3
  EXPECT_EQ(pic.acknowledge(), 0x26);
}

TEST_F(PicTest, RotateInAutomaticEoiMode) {
  init(0x03);
  out(0x20, 0x80);  // set rotate in AEOI
  pulse(1);
  pulse(3);
  EXPECT_EQ(pic.acknowledge(), 0x21);
  pulse(1);
  EXPECT_EQ(pic.acknowledge(), 0x23) << "IRQ1 rotated to lowest priority";
}

TEST_F(PicTest, PollCommand) {
  init();
  pulse(5);
  out(0x20, 0x0c);  // OCW3 poll
  EXPECT_EQ(in(0x20), 0x85u);
  EXPECT_EQ(isr(0x20), 0x20u) << "the poll read acts as INTA";
  out(0x20, 0x0c);
  EXPECT_EQ(in(0x20), 0x00u) << "no request";
}

TEST_F(PicTest, SpecialMaskMode) {
  init();
  pulse(4);
  EXPECT_EQ(pic.acknowledge(), 0x24);
  out(0x20, 0x68);  // OCW3: set special mask mode
  out(0x21, 0x10);  // mask IRQ4 (in service)
  pulse(6);
  EXPECT_TRUE(pic.intr()) << "a lower level passes the masked in-service level";
  out(0x20, 0x48);  // reset special mask mode
  EXPECT_FALSE(pic.intr());
}

TEST_F(PicTest, IntrDrivesTheBspLint0) {
  ManualClock clock;
  ApicBus apics(2, clock);
  pic.set_intr_listener([&](bool level) { apics.apic(0).set_lint(0, level); });
  init();
  pulse(1);
  EXPECT_TRUE(apics.apic(0).extint_pending());
  ASSERT_TRUE(apics.apic(0).take_extint());
  EXPECT_EQ(pic.acknowledge(), 0x21);
  EXPECT_FALSE(apics.apic(0).extint_pending()) << "INTA dropped INT";
}

}  // namespace
}  // namespace nv
