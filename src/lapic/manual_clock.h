// A clock that moves only when told to: deterministic timer tests, and the
// engine's instruction-count (icount) mode, where time follows the number of
// executed instructions.
#pragma once

#include "lapic/clock.h"

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

}  // namespace nv
