#include "devices/debug_exit.h"
#include "util/error.h"
#include "vmm/bus.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

struct DebugExitRig {
  explicit DebugExitRig(DebugExitConfig cfg) : dev(cfg, control) { dev.attach(io, mmio); }
  MachineControl control;
  Bus io{Bus::Kind::io};
  Bus mmio{Bus::Kind::mmio};
  DebugExit dev;
};

TEST(DebugExit, WriteExitsWithShiftedStatus) {
  // kvm-unit-tests' exit(0) writes 0 and expects status 1; a failure writes 1 -> 3.
  for (uint32_t v : {0u, 1u, 0x7fu}) {
    DebugExitRig rig(DebugExitConfig{0xf4, 4});
    EXPECT_FALSE(rig.control.stop_requested());
    rig.io.write_or_drop(0xf4, 4, v);
    EXPECT_EQ(rig.control.stop_kind(), MachineControl::Stop::exit);
    EXPECT_EQ(rig.control.exit_status(), static_cast<int>((v << 1) | 1));
  }
}

TEST(DebugExit, EveryPortOfTheRangeExitsWithTheValueMaskedToTheAccessSize) {
  for (uint16_t port = 0xf4; port < 0xf8; ++port) {
    DebugExitRig rig(DebugExitConfig{0xf4, 4});
    rig.io.write_or_drop(port, 1, 0x1234);
    EXPECT_EQ(rig.control.exit_status(), (0x34 << 1) | 1) << "port " << port;
  }
  DebugExitRig rig(DebugExitConfig{0xf4, 4});
  rig.io.write_or_drop(0xf4, 2, 0x12345);
  EXPECT_EQ(rig.control.exit_status(), (0x2345 << 1) | 1);
}

TEST(DebugExit, ClaimsExactlyItsRangeAndReadsFloat) {
  DebugExitRig rig(DebugExitConfig{0x501, 2});
  EXPECT_EQ(rig.dev.iobase(), 0x501);
  EXPECT_EQ(rig.dev.iosize(), 2);
  EXPECT_EQ(rig.io.find(0x500), nullptr);
  EXPECT_EQ(rig.io.find(0x503), nullptr);
  EXPECT_EQ(rig.io.read_or_float(0x502, 1), 0xffu);
  EXPECT_EQ(rig.io.read_or_float(0x501, 2), 0xffffu);
  EXPECT_FALSE(rig.control.stop_requested()) << "reads do not exit";
}

TEST(DebugExit, RangeOutsideIoSpaceIsRejected) {
  MachineControl control;
  EXPECT_THROW(DebugExit(DebugExitConfig{0xfffe, 4}, control), Error);
  EXPECT_THROW(DebugExit(DebugExitConfig{0xf4, 0}, control), Error);
}

}  // namespace
}  // namespace nv
