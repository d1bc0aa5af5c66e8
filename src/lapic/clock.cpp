#include "lapic/clock.h"

#include "util/error.h"

namespace nv {

namespace {
constexpr unsigned __int128 kNsPerSecond = 1'000'000'000;
constexpr uint64_t saturate(unsigned __int128 v) { return v > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(v); }
}  // namespace

Clock::~Clock() = default;

NsDerivedTscClock::NsDerivedTscClock(uint64_t tsc_hz) : tsc_hz_(tsc_hz) {
  if (tsc_hz == 0) fail("TSC frequency 0 Hz: the clock needs a non-zero frequency");
}

uint64_t NsDerivedTscClock::tsc() const {
  return saturate(static_cast<unsigned __int128>(now_ns()) * tsc_hz_ / kNsPerSecond);
}

uint64_t NsDerivedTscClock::ns_at_tsc(uint64_t tsc) const {
  // Smallest ns with ns * hz / 1e9 >= tsc, i.e. ceil(tsc * 1e9 / hz).
  return saturate((static_cast<unsigned __int128>(tsc) * kNsPerSecond + tsc_hz_ - 1) / tsc_hz_);
}

}  // namespace nv
