#include "lapic/host_clock.h"
#include "lapic/manual_clock.h"
#include "util/error.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

TEST(LapicClock, ManualClockDerivesTheTsc) {
  ManualClock clock(2'500'000'000);
  EXPECT_EQ(clock.tsc(), 0u);
  clock.set_ns(1000);
  EXPECT_EQ(clock.tsc(), 2500u);
  clock.advance_ns(1);
  EXPECT_EQ(clock.tsc(), 2502u) << "2.5 ticks per ns, rounded down";
  EXPECT_EQ(clock.ns_at_tsc(2500), 1000u);
  EXPECT_EQ(clock.ns_at_tsc(2501), 1001u) << "the first ns at which the TSC has reached the value";
}

TEST(LapicClock, NsAtTscInvertsTscForOddFrequencies) {
  ManualClock clock(1'193'182);
  for (uint64_t tsc : {1ull, 7ull, 1193182ull, 123456789ull}) {
    uint64_t ns = clock.ns_at_tsc(tsc);
    clock.set_ns(ns);
    EXPECT_GE(clock.tsc(), tsc);
    clock = ManualClock(1'193'182);
    clock.set_ns(ns - 1);
    EXPECT_LT(clock.tsc(), tsc);
    clock = ManualClock(1'193'182);
  }
}

TEST(LapicClock, ManualClockRefusesToGoBackwards) {
  ManualClock clock;
  clock.set_ns(10);
  EXPECT_THROW(clock.set_ns(9), Error);
  EXPECT_EQ(clock.now_ns(), 10u);
}

TEST(LapicClock, ZeroFrequencyIsAnError) { EXPECT_THROW(ManualClock(0), Error); }

TEST(LapicClock, HostClockIsMonotonicAndStartsNearZero) {
  HostClock clock(1'000'000'000);
  uint64_t a = clock.now_ns(), b = clock.now_ns();
  EXPECT_LE(a, b);
  EXPECT_LT(a, 60'000'000'000u) << "counts from construction";
  EXPECT_GE(clock.tsc(), b) << "1 GHz: the TSC equals the ns count";
}

}  // namespace
}  // namespace nv
