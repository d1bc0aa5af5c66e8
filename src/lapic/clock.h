// The time base of the software interrupt controllers and timers. Timers
// never run threads: each timer device reports its next deadline
// (next_deadline_ns) and fires what is due when the engine calls
// advance(now_ns) between instruction quanta. A Clock gives them the current
// time and the guest's time-stamp counter.
#pragma once

#include <cstdint>

namespace nv {

class Clock {
 public:
  virtual ~Clock();
  // Nanoseconds since the machine started; never goes backwards.
  virtual uint64_t now_ns() const = 0;
  // The guest-visible time-stamp counter (RDTSC, IA32_TSC_DEADLINE compares).
  virtual uint64_t tsc() const = 0;
  // The earliest now_ns() at which tsc() >= `tsc` (for TSC-deadline timers).
  virtual uint64_t ns_at_tsc(uint64_t tsc) const = 0;
};

// A clock whose TSC runs at a fixed frequency from time 0, derived from
// now_ns(): tsc = ns * tsc_hz / 1e9.
class NsDerivedTscClock : public Clock {
 public:
  explicit NsDerivedTscClock(uint64_t tsc_hz);
  uint64_t tsc_hz() const { return tsc_hz_; }
  uint64_t tsc() const override;
  uint64_t ns_at_tsc(uint64_t tsc) const override;

 private:
  uint64_t tsc_hz_;
};

}  // namespace nv
