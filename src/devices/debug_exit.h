// QEMU's isa-debug-exit: a write of V to any of its ports ends the VMM with
// exit status (V << 1) | 1, so a guest can report a result that can never be
// mistaken for a clean 0 exit of the VMM itself.
#pragma once

#include "devices/device.h"
#include "vmm/machine_config.h"
#include "vmm/machine_control.h"

#include <cstdint>

namespace nv {

class Bus;

class DebugExit : public Device {
 public:
  // Throws nv::Error when the range is empty or runs past port 0xffff.
  DebugExit(DebugExitConfig cfg, MachineControl& control);

  std::string_view name() const override { return "isa-debug-exit"; }
  void attach(Bus& io, Bus& mmio);

  uint16_t iobase() const { return cfg_.iobase; }
  uint16_t iosize() const { return cfg_.iosize; }

  void io_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  DebugExitConfig cfg_;
  MachineControl& control_;
};

}  // namespace nv
