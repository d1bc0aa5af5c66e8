// The PC machine model shared by every engine: guest RAM, the I/O and MMIO
// buses with the platform devices, the loaded kernel, and the stop/reset
// protocol. Machine::run() picks the engine from the configuration.
#pragma once

#include "devices/device.h"
#include "vmm/bus.h"
#include "vmm/guest_memory.h"
#include "vmm/irq_router.h"
#include "vmm/machine_config.h"
#include "vmm/machine_control.h"
#include "vmm/multiboot_loader.h"

#include <memory>
#include <vector>

namespace nv {

class Engine;
class Serial16550;


// Process exit statuses besides the guest's own (isa-debug-exit statuses
// are always odd: (V << 1) | 1).
inline constexpr int kExitUsageError = 2;     // command line, kernel file, host set-up
inline constexpr int kExitEngineFailure = 4;  // the engine could not go on (KVM internal error, ...)

class Machine {
 public:
  // Builds RAM and devices and loads the kernel; throws nv::Error on bad
  // input (kernel file, sizes) or when the host cannot provide the RAM.
  explicit Machine(MachineConfig config);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // Runs the guest until it exits; returns the process exit status. A reset
  // (triple fault, 0xcf9, keyboard controller) reboots the machine with the
  // same kernel, or ends the run with status 0 under --no-reboot, as QEMU.
  int run();

  const MachineConfig& config() const { return config_; }
  GuestMemory& memory() { return memory_; }
  Bus& io_bus() { return io_bus_; }
  Bus& mmio_bus() { return mmio_bus_; }
  IrqRouter& irq() { return irq_; }
  MachineControl& control() { return control_; }
  const BootInfo& boot_info() const { return boot_info_; }

 private:
  void create_devices();
  // Loads the kernel, modules and firmware tables into (cleared) RAM.
  void load_guest();
  std::unique_ptr<Engine> make_engine();

  MachineConfig config_;
  GuestMemory memory_;
  Bus io_bus_{Bus::Kind::io};
  Bus mmio_bus_{Bus::Kind::mmio};
  IrqRouter irq_;
  MachineControl control_;
  std::vector<std::unique_ptr<Device>> devices_;
  Serial16550* serial_ = nullptr;
  BootInfo boot_info_{};
};

}  // namespace nv
