#include "devices/reset_control.h"
#include "vmm/bus.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

class ResetControlTest : public ::testing::Test {
 protected:
  ResetControlTest() { dev_.attach(io_, mmio_); }
  bool reset_requested() const { return control_.stop_kind() == MachineControl::Stop::reset; }
  MachineControl control_;
  Bus io_{Bus::Kind::io};
  Bus mmio_{Bus::Kind::mmio};
  ResetControl dev_{control_};
};

TEST_F(ResetControlTest, Cf9KeepsResetTypeBitsWithoutResetting) {
  io_.write_or_drop(0xcf9, 1, 0x02);  // SYS_RST only: selects a hard reset for later
  EXPECT_FALSE(control_.stop_requested());
  EXPECT_EQ(io_.read_or_float(0xcf9, 1), 0x02u);
}

TEST_F(ResetControlTest, Cf9WithRstCpuResets) {
  io_.write_or_drop(0xcf9, 1, 0x06);  // the FADT's reset value
  EXPECT_TRUE(reset_requested());
  EXPECT_EQ(io_.read_or_float(0xcf9, 1), 0x02u) << "RST_CPU is not retained";
}

TEST_F(ResetControlTest, SoftResetThroughCf9AlsoResets) {
  io_.write_or_drop(0xcf9, 1, 0x04);
  EXPECT_TRUE(reset_requested());
}

TEST_F(ResetControlTest, KeyboardControllerReportsEmptyBuffers) {
  uint64_t status = io_.read_or_float(0x64, 1);
  EXPECT_EQ(status & 0x1, 0u) << "output buffer empty";
  EXPECT_EQ(status & 0x2, 0u) << "input buffer empty: commands may be written";
  EXPECT_EQ(io_.read_or_float(0x60, 1), 0u);
}

TEST_F(ResetControlTest, Command0xfeResets) {
  io_.write_or_drop(0x64, 1, 0xaa);  // self test: accepted, ignored
  io_.write_or_drop(0x64, 1, 0xad);
  EXPECT_FALSE(control_.stop_requested());
  io_.write_or_drop(0x64, 1, 0xfe);
  EXPECT_TRUE(reset_requested());
}

TEST_F(ResetControlTest, PulsesWithoutBit0DoNotReset) {
  io_.write_or_drop(0x64, 1, 0xff);  // pulses nothing
  io_.write_or_drop(0x64, 1, 0xf1);
  EXPECT_FALSE(control_.stop_requested());
}

TEST_F(ResetControlTest, OutputPortWriteWithResetLineLowResets) {
  io_.write_or_drop(0x64, 1, 0xd1);
  io_.write_or_drop(0x60, 1, 0xdf);  // A20 on, reset line high: the usual boot-time write
  EXPECT_FALSE(control_.stop_requested());
  io_.write_or_drop(0x60, 1, 0xde);  // plain data, not after 0xd1
  EXPECT_FALSE(control_.stop_requested());
  io_.write_or_drop(0x64, 1, 0xd1);
  io_.write_or_drop(0x60, 1, 0xde);
  EXPECT_TRUE(reset_requested());
}

TEST_F(ResetControlTest, ClaimsOnlyItsPorts) {
  EXPECT_EQ(io_.find(0xcf8), nullptr);
  EXPECT_EQ(io_.find(0xcfa), nullptr);
  EXPECT_EQ(io_.find(0x61), nullptr);
  EXPECT_EQ(io_.find(0x60), &dev_);
  EXPECT_EQ(io_.find(0x64), &dev_);
  EXPECT_EQ(io_.find(0xcf9), &dev_);
}

}  // namespace
}  // namespace nv
