// Clocks that do not follow host time. ManualClock moves only when told to
// (deterministic timer tests). InstructionCountClock is the software engine's
// -icount mode: time follows the number of instructions the vCPUs retired,
// plus the idle time the engine skipped while every vCPU was halted.
#pragma once

#include "lapic/clock.h"

#include <cstdint>
#include <vector>

namespace nv {

class ManualClock : public NsDerivedTscClock {
 public:
  explicit ManualClock(uint64_t tsc_hz = 1'000'000'000) : NsDerivedTscClock(tsc_hz) {}
  uint64_t now_ns() const override { return now_ns_; }
  // Moving backwards is a programming error (nv::Error): timers assume
  // monotonic time.
  void set_ns(uint64_t ns);
  void advance_ns(uint64_t delta) { set_ns(now_ns_ + delta); }

 private:
  uint64_t now_ns_ = 0;
};

// now_ns() = (sum of the retired-instruction counters << shift) + skipped
// idle time. The counters are read live, so RDTSC and timer reads inside a
// quantum see time move with every instruction; a run is deterministic
// because nothing here looks at the host clock.
class InstructionCountClock : public NsDerivedTscClock {
 public:
  InstructionCountClock(uint64_t tsc_hz, unsigned shift);
  // A vCPU's retired-instruction counter (VcpuState::icount); it must
  // outlive the clock's use and only grow.
  void add_counter(const uint64_t* retired) { counters_.push_back(retired); }
  uint64_t now_ns() const override;
  unsigned shift() const { return shift_; }
  // Every vCPU is halted: time jumps forward to `ns` (nothing happens when
  // `ns` is not later than now_ns()).
  void skip_to(uint64_t ns);
  uint64_t skipped_ns() const { return skipped_ns_; }

 private:
  unsigned shift_;
  std::vector<const uint64_t*> counters_;
  uint64_t skipped_ns_ = 0;
};

}  // namespace nv
