#include "devices/system_control_port_a.h"

#include "vmm/bus.h"

namespace nv {

void SystemControlPortA::attach(Bus& io, Bus&) { io.add(kPort, 1, this); }

uint32_t SystemControlPortA::io_read(uint16_t, unsigned) {
  std::lock_guard lock(mutex_);
  return value_;
}

void SystemControlPortA::io_write(uint16_t, unsigned, uint32_t value) {
  auto byte = static_cast<uint8_t>(value);
  bool reset;
  {
    std::lock_guard lock(mutex_);
    reset = (byte & kFastReset) && !(value_ & kFastReset);  // the reset is edge-triggered
    value_ = byte;
  }
  if (reset) control_.request_reset();
}

}  // namespace nv
