#include "devices/system_control_port_a.h"
#include "vmm/bus.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

class SystemControlPortATest : public ::testing::Test {
 protected:
  SystemControlPortATest() { dev_.attach(io_, mmio_); }
  bool reset_requested() const { return control_.stop_kind() == MachineControl::Stop::reset; }
  MachineControl control_;
  Bus io_{Bus::Kind::io};
  Bus mmio_{Bus::Kind::mmio};
  SystemControlPortA dev_{control_};
};

TEST_F(SystemControlPortATest, A20GateReadsBackAndStartsEnabled) {
  EXPECT_EQ(io_.read_or_float(0x92, 1), 0x02u);
  io_.write_or_drop(0x92, 1, 0x00);
  EXPECT_EQ(io_.read_or_float(0x92, 1), 0x00u);
  io_.write_or_drop(0x92, 1, 0x02);
  EXPECT_EQ(io_.read_or_float(0x92, 1), 0x02u);
  EXPECT_FALSE(control_.stop_requested());
}

TEST_F(SystemControlPortATest, SettingBit0Resets) {
  io_.write_or_drop(0x92, 1, 0x03);
  EXPECT_TRUE(reset_requested());
}

TEST_F(SystemControlPortATest, ResetIsEdgeTriggered) {
  io_.write_or_drop(0x92, 1, 0x01);
  ASSERT_TRUE(reset_requested());
  control_.clear();
  io_.write_or_drop(0x92, 1, 0x03);  // bit 0 was already 1: no new edge
  EXPECT_FALSE(control_.stop_requested());
  io_.write_or_drop(0x92, 1, 0x02);
  io_.write_or_drop(0x92, 1, 0x03);
  EXPECT_TRUE(reset_requested());
}

}  // namespace
}  // namespace nv
