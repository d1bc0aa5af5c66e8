#include "lapic/manual_clock.h"

#include "util/error.h"

namespace nv {

void ManualClock::set_ns(uint64_t ns) {
  if (ns < now_ns_) fail("manual clock moved backwards from {} ns to {} ns", now_ns_, ns);
  now_ns_ = ns;
}

}  // namespace nv
