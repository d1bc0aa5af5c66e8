#include "devices_test_support.h"
#include "lapic/manual_clock.h"
#include "lapic/pit8254.h"
#include "vmm/bus.h"
#include "vmm/irq_router.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

using Events = std::vector<std::pair<unsigned, bool>>;

// The first nanosecond at which `ticks` PIT clocks have elapsed.
uint64_t ns_at(uint64_t ticks) { return (ticks * 1'000'000'000 + Pit8254::kHz - 1) / Pit8254::kHz; }

class PitTest : public ::testing::Test {
 protected:
  PitTest() {
    pit.attach(io);
    irq.attach(&sink);
  }
  ~PitTest() override { irq.detach(); }
  void out(uint16_t port, uint8_t value) { io.write_or_drop(port, 1, value); }
  uint8_t in(uint16_t port) { return static_cast<uint8_t>(io.read_or_float(port, 1)); }
  void write_word(uint16_t port, uint16_t count) {
    out(port, static_cast<uint8_t>(count));
    out(port, static_cast<uint8_t>(count >> 8));
  }
  uint16_t read_word(uint16_t port) { return static_cast<uint16_t>(in(port) | in(port) << 8); }
  // Counter latch command, then the two bytes.
  uint16_t latch(unsigned counter) {
    out(0x43, static_cast<uint8_t>(counter << 6));
    return read_word(static_cast<uint16_t>(0x40 + counter));
  }
  uint8_t status(unsigned counter) {
    out(0x43, static_cast<uint8_t>(0xe0 | (2u << counter)));  // read-back: status only
    return in(static_cast<uint16_t>(0x40 + counter));
  }
  void at_tick(uint64_t ticks) { clock.set_ns(start_ns + ns_at(ticks)); }

  ManualClock clock;
  uint64_t start_ns = 0;
  test::RecordingSink sink;
  IrqRouter irq;
  Bus io{Bus::Kind::io};
  Pit8254 pit{clock, irq};
};

TEST_F(PitTest, Mode2PeriodicIrq0) {
  out(0x43, 0x34);  // counter 0, LSB then MSB, mode 2, binary
  write_word(0x40, 1193);
  EXPECT_EQ(pit.next_deadline_ns(), ns_at(1193));
  pit.advance(ns_at(1193) - 1);
  EXPECT_TRUE(sink.take().empty());
  pit.advance(ns_at(1193));
  EXPECT_EQ(sink.take(), (Events{{0, true}, {0, false}})) << "an edge: raised then lowered";
  EXPECT_EQ(pit.next_deadline_ns(), ns_at(2 * 1193));
  pit.advance(ns_at(5 * 1193 + 10));
  EXPECT_EQ(sink.take().size(), 2u) << "missed periods make one edge";
  EXPECT_EQ(pit.next_deadline_ns(), ns_at(6 * 1193));
  at_tick(100);
  EXPECT_EQ(latch(0), 1093u);
  at_tick(1193 + 1192);
  EXPECT_EQ(latch(0), 1u);
  EXPECT_EQ(status(0) & 0x80, 0u) << "OUT low for the clock before the reload";
  at_tick(2 * 1193);
  EXPECT_EQ(latch(0), 1193u);
  EXPECT_EQ(status(0) & 0x80, 0x80u);
}

TEST_F(PitTest, Mode0InterruptOnTerminalCount) {
  out(0x43, 0x30);  // counter 0, word, mode 0
  EXPECT_EQ(status(0), 0x70u) << "OUT low, NULL COUNT, control bits";
  write_word(0x40, 100);
  EXPECT_EQ(status(0), 0x30u) << "count loaded";
  at_tick(99);
  EXPECT_EQ(latch(0), 1u);
  EXPECT_EQ(status(0) & 0x80, 0u);
  pit.advance(clock.now_ns());
  EXPECT_TRUE(sink.take().empty());
  at_tick(100);
  pit.advance(clock.now_ns());
  EXPECT_EQ(sink.take(), (Events{{0, true}, {0, false}}));
  EXPECT_EQ(status(0) & 0x80, 0x80u) << "OUT stays high";
  EXPECT_EQ(pit.next_deadline_ns(), UINT64_MAX) << "one interrupt per count";
  at_tick(150);
  EXPECT_EQ(latch(0), 65536u - 50) << "the counter wraps and keeps counting";
}

TEST_F(PitTest, Mode0FirstByteStopsTheCount) {
  out(0x43, 0x30);
  write_word(0x40, 100);
  at_tick(200);
  EXPECT_EQ(status(0) & 0x80, 0x80u);
  out(0x40, 0x10);
  EXPECT_EQ(status(0) & 0x80, 0u) << "OUT low after the first byte";
  out(0x40, 0x00);
  EXPECT_EQ(pit.next_deadline_ns(), clock.now_ns() + ns_at(16));
}

TEST_F(PitTest, Mode3SquareWaveOnCounter2) {
  out(0x61, 0x01);  // gate 2 on, speaker off
  out(0x43, 0xb6);  // counter 2, word, mode 3
  write_word(0x42, 1000);
  EXPECT_EQ(in(0x61) & 0x23, 0x21u) << "OUT2 high, gate bit reads back";
  at_tick(100);
  EXPECT_EQ(latch(2), 800u) << "counts down by two";
  at_tick(499);
  EXPECT_EQ(in(0x61) & 0x20, 0x20u);
  at_tick(500);
  EXPECT_EQ(in(0x61) & 0x20, 0u) << "low for the second half";
  EXPECT_EQ(latch(2), 1000u);
  at_tick(1000);
  EXPECT_EQ(in(0x61) & 0x20, 0x20u);
  at_tick(1600);
  out(0x61, 0x00);
  EXPECT_EQ(in(0x61) & 0x20, 0x20u) << "gate low forces OUT high";
  at_tick(1700);
  out(0x61, 0x01);  // rising gate restarts the period
  at_tick(1700 + 499);
  EXPECT_EQ(in(0x61) & 0x20, 0x20u);
  at_tick(1700 + 501);
  EXPECT_EQ(in(0x61) & 0x20, 0u);
}

TEST_F(PitTest, Mode1OneShotTriggeredByGate) {
  out(0x43, 0xb2);  // counter 2, word, mode 1
  write_word(0x42, 50);
  EXPECT_EQ(in(0x61) & 0x20, 0x20u) << "OUT high until triggered";
  out(0x61, 0x01);
  at_tick(10);
  EXPECT_EQ(in(0x61) & 0x20, 0u);
  EXPECT_EQ(latch(2), 40u);
  at_tick(50);
  EXPECT_EQ(in(0x61) & 0x20, 0x20u);
}

TEST_F(PitTest, Mode4SoftwareStrobe) {
  out(0x43, 0x38);  // counter 0, word, mode 4
  write_word(0x40, 10);
  EXPECT_EQ(pit.next_deadline_ns(), ns_at(11)) << "OUT rises after the one-clock strobe";
  at_tick(10);
  EXPECT_EQ(status(0) & 0x80, 0u);
  at_tick(11);
  EXPECT_EQ(status(0) & 0x80, 0x80u);
  pit.advance(clock.now_ns());
  EXPECT_EQ(sink.take().size(), 2u);
  EXPECT_EQ(pit.next_deadline_ns(), UINT64_MAX);
}

TEST_F(PitTest, ByteAccessModes) {
  out(0x43, 0x10);  // counter 0, LSB only, mode 0
  out(0x40, 0x50);
  EXPECT_EQ(in(0x40), 0x50u);
  EXPECT_EQ(in(0x40), 0x50u) << "LSB-only reads have no flip-flop";
  out(0x43, 0x20);  // MSB only
  out(0x40, 0x12);
  EXPECT_EQ(pit.next_deadline_ns(), clock.now_ns() + ns_at(0x1200));
  EXPECT_EQ(in(0x40), 0x12u);
  out(0x43, 0x30);
  write_word(0x40, 0x1234);
  EXPECT_EQ(read_word(0x40), 0x1234u) << "word reads: LSB, then MSB";
}

TEST_F(PitTest, LatchHoldsTheValueUntilRead) {
  out(0x43, 0x34);
  write_word(0x40, 5000);
  at_tick(1000);
  out(0x43, 0x00);  // latch counter 0
  at_tick(2000);
  out(0x43, 0x00);  // ignored: the first latch is still unread
  EXPECT_EQ(read_word(0x40), 4000u);
  EXPECT_EQ(read_word(0x40), 3000u) << "live again after the latched value was read";
}

TEST_F(PitTest, ReadBackCountAndStatus) {
  out(0x43, 0x34);
  EXPECT_EQ(status(0), 0xf4u) << "OUT high (mode 2), NULL COUNT, control word";
  write_word(0x40, 300);
  at_tick(100);
  out(0x43, 0xc2);  // read-back: count and status of counter 0
  EXPECT_EQ(in(0x40), 0xb4u) << "status first";
  EXPECT_EQ(read_word(0x40), 200u);
}

TEST_F(PitTest, BcdCounting) {
  out(0x43, 0x31);  // mode 0, BCD
  write_word(0x40, 0x1000);
  at_tick(1);
  EXPECT_EQ(latch(0), 0x0999u);
  EXPECT_EQ(pit.next_deadline_ns(), ns_at(1000));
  out(0x43, 0x31);
  start_ns = clock.now_ns();
  write_word(0x40, 0x0000);  // 0 is 10000 in BCD
  at_tick(1);
  EXPECT_EQ(latch(0), 0x9999u);
}

TEST_F(PitTest, PortBRefreshToggleAndSpeakerBits) {
  out(0x61, 0x03);
  EXPECT_EQ(in(0x61) & 0x03, 0x03u);
  uint8_t first = in(0x61) & 0x10;
  clock.advance_ns(15085);
  EXPECT_NE(in(0x61) & 0x10, first) << "refresh toggle every 15.085 us";
}

}  // namespace
}  // namespace nv
