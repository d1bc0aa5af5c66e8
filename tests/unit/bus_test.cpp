#include "util/error.h"
#include "vmm/bus.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace nv {
namespace {

class RecordingDevice : public Device {
 public:
  std::string_view name() const override { return "recorder"; }
  uint32_t io_read(uint16_t port, unsigned) override { return 0xab000000u | port; }
  void io_write(uint16_t port, unsigned size, uint32_t value) override {
    last_port = port, last_size = size, last_value = value;
  }
  uint16_t last_port = 0;
  unsigned last_size = 0;
  uint32_t last_value = 0;
};

TEST(Bus, DispatchesToTheOwningRangeWithAbsoluteAddress) {
  Bus bus(Bus::Kind::io);
  RecordingDevice a, b;
  bus.add(0x3f8, 8, &a);
  bus.add(0x510, 2, &b);
  bus.write_or_drop(0x3fd, 1, 0x1234);
  EXPECT_EQ(a.last_port, 0x3fd);
  EXPECT_EQ(a.last_value, 0x34u) << "value is masked to the access size";
  EXPECT_EQ(bus.read_or_float(0x511, 2), 0x0511u);
  EXPECT_EQ(b.last_port, 0);
}

TEST(Bus, UnclaimedReadsFloatHigh) {
  Bus bus(Bus::Kind::io);
  EXPECT_EQ(bus.read_or_float(0x1234, 1), 0xffu);
  EXPECT_EQ(bus.read_or_float(0x1234, 2), 0xffffu);
  EXPECT_EQ(bus.read_or_float(0x1234, 4), 0xffffffffu);
}

TEST(Bus, RangesEndExactly) {
  Bus bus(Bus::Kind::mmio);
  RecordingDevice a;
  bus.add(0x1000, 0x10, &a);
  EXPECT_EQ(bus.find(0xfff), nullptr);
  EXPECT_EQ(bus.find(0x1000), &a);
  EXPECT_EQ(bus.find(0x100f), &a);
  EXPECT_EQ(bus.find(0x1010), nullptr);
}

TEST(Bus, OverlapIsRejectedNamingBothDevices) {
  Bus bus(Bus::Kind::io);
  RecordingDevice a, b;
  bus.add(0x100, 0x10, &a);
  EXPECT_THROW(bus.add(0x10f, 1, &b), Error);
  EXPECT_THROW(bus.add(0xf0, 0x11, &b), Error);
  EXPECT_NO_THROW(bus.add(0x110, 1, &b));
  bus.remove(0x100, &a);
  EXPECT_NO_THROW(bus.add(0x108, 1, &b));
}

}  // namespace
}  // namespace nv

namespace nv {
namespace {

TEST(Bus, LookupsStayValidWhileAnotherThreadMovesARange) {
  // What a PCI BAR move does while other vCPUs dispatch I/O: readers take
  // no lock, so every lookup must see either the old or the new table.
  Bus bus(Bus::Kind::mmio);
  RecordingDevice fixed, moving;
  bus.add(0x1000, 0x100, &fixed);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> moves{0};
  std::thread mover([&] {
    for (uint64_t i = 0; !stop; ++i) {
      uint64_t base = 0x10000 + (i % 2) * 0x1000;
      bus.add(base, 0x100, &moving);
      bus.remove(base, &moving);
      moves = i + 1;
    }
  });
  while (moves < 1000) {
    ASSERT_EQ(bus.find(0x1080), &fixed);
    Device* d = bus.find(0x10010);
    ASSERT_TRUE(d == nullptr || d == &moving);
  }
  stop = true;
  mover.join();
  EXPECT_EQ(bus.find(0x10010), nullptr);
}

}  // namespace
}  // namespace nv
