// System control port A (I/O 0x92, introduced with the PS/2 and kept by PC
// chipsets: the Intel ICH9 datasheet's PORT92 "Fast A20 and Init" register):
//   bit 0  fast reset: a 0 -> 1 transition resets the processors
//          (MachineControl::request_reset(), an exit under --no-reboot)
//   bit 1  A20 gate: reads back what was written; 1 after reset. The address
//          line itself is never masked (A20 stays enabled, as in every mode
//          the guests use once past the BIOS).
// The other bits are stored and read back.
#pragma once

#include "devices/device.h"
#include "vmm/machine_control.h"

#include <cstdint>
#include <mutex>

namespace nv {

class Bus;

class SystemControlPortA : public Device {
 public:
  static constexpr uint16_t kPort = 0x92;
  static constexpr uint8_t kFastReset = 1u << 0, kA20Gate = 1u << 1;

  explicit SystemControlPortA(MachineControl& control) : control_(control) {}

  std::string_view name() const override { return "system-control-port-a"; }
  void attach(Bus& io, Bus& mmio);

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  MachineControl& control_;
  std::mutex mutex_;
  uint8_t value_ = kA20Gate;
};

}  // namespace nv
