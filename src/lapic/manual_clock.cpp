#include "lapic/manual_clock.h"

#include "util/error.h"

namespace nv {

void ManualClock::set_ns(uint64_t ns) {
  if (ns < now_ns_) fail("manual clock moved backwards from {} ns to {} ns", now_ns_, ns);
  now_ns_ = ns;
}

InstructionCountClock::InstructionCountClock(uint64_t tsc_hz, unsigned shift)
    : NsDerivedTscClock(tsc_hz), shift_(shift) {
  if (shift >= 32) fail("icount shift {} is out of range (0-31)", shift);
}

uint64_t InstructionCountClock::now_ns() const {
  uint64_t retired = 0;
  for (const uint64_t* c : counters_) retired += *c;
  return (retired << shift_) + skipped_ns_;
}

void InstructionCountClock::skip_to(uint64_t ns) {
  uint64_t now = now_ns();
  if (ns > now) skipped_ns_ += ns - now;
}

}  // namespace nv
