// The -icount clock: time follows the retired-instruction counters of the
// vCPUs, 2^shift ns per instruction, plus the idle time the engine skips.
#include "lapic/manual_clock.h"
#include "util/error.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

TEST(IcountClock, TimeIsTheSumOfTheCountersShifted) {
  InstructionCountClock clock(2'000'000'000, 3);
  uint64_t cpu0 = 0, cpu1 = 0;
  clock.add_counter(&cpu0);
  clock.add_counter(&cpu1);
  EXPECT_EQ(clock.now_ns(), 0u);
  cpu0 = 10;
  EXPECT_EQ(clock.now_ns(), 80u) << "8 ns per instruction, read live";
  cpu1 = 5;
  EXPECT_EQ(clock.now_ns(), 120u);
  EXPECT_EQ(clock.tsc(), 240u) << "the TSC derives from the same time (2 GHz)";
}

TEST(IcountClock, SkipJumpsForwardOnly) {
  InstructionCountClock clock(1'000'000'000, 0);
  uint64_t retired = 100;
  clock.add_counter(&retired);
  clock.skip_to(1000);
  EXPECT_EQ(clock.now_ns(), 1000u);
  EXPECT_EQ(clock.skipped_ns(), 900u);
  clock.skip_to(500);
  EXPECT_EQ(clock.now_ns(), 1000u) << "a deadline in the past leaves time alone";
  retired = 150;
  EXPECT_EQ(clock.now_ns(), 1050u) << "instructions after the skip add to it";
}

TEST(IcountClock, TscDeadlineInvertsTheTsc) {
  InstructionCountClock clock(2'500'000'000, 1);
  uint64_t retired = 0;
  clock.add_counter(&retired);
  const uint64_t deadline_ns = clock.ns_at_tsc(12345);
  clock.skip_to(deadline_ns);
  EXPECT_GE(clock.tsc(), 12345u);
  EXPECT_EQ(clock.now_ns(), deadline_ns);
}

TEST(IcountClock, RejectsAShiftThatOverflows) { EXPECT_THROW(InstructionCountClock(1'000'000'000, 40), Error); }

}  // namespace
}  // namespace nv
