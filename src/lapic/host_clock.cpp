#include "lapic/host_clock.h"

#include <ctime>

namespace nv {

namespace {
uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}
}  // namespace

HostClock::HostClock(uint64_t tsc_hz) : NsDerivedTscClock(tsc_hz), start_ns_(monotonic_ns()) {}

uint64_t HostClock::now_ns() const { return monotonic_ns() - start_ns_; }

}  // namespace nv
