#include "vmm/machine_control.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

TEST(MachineControl, FirstRequestWinsAndKicksOnce) {
  MachineControl control;
  int kicks = 0;
  control.set_kick([&] { ++kicks; });
  EXPECT_FALSE(control.stop_requested());
  control.request_exit(7);
  control.request_reset();
  control.request_exit(9);
  EXPECT_TRUE(control.stop_requested());
  EXPECT_EQ(control.stop_kind(), MachineControl::Stop::exit);
  EXPECT_EQ(control.exit_status(), 7);
  EXPECT_EQ(kicks, 1);
}

TEST(MachineControl, ResetCanBeClearedForTheNextBoot) {
  MachineControl control;
  control.request_reset();
  EXPECT_EQ(control.stop_kind(), MachineControl::Stop::reset);
  control.clear();
  EXPECT_FALSE(control.stop_requested());
  control.request_exit(3);
  EXPECT_EQ(control.exit_status(), 3);
}

}  // namespace
}  // namespace nv
