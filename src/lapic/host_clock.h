// Real time: CLOCK_MONOTONIC since construction, with a TSC derived from it
// at a configured frequency (the frequency CPUID and the guest assume).
#pragma once

#include "lapic/clock.h"

namespace nv {

class HostClock : public NsDerivedTscClock {
 public:
  explicit HostClock(uint64_t tsc_hz);
  uint64_t now_ns() const override;

 private:
  uint64_t start_ns_;
};

}  // namespace nv
