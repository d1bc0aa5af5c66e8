#include "vmm/machine.h"

#include "devices/acpi_pm.h"
#include "devices/acpi_tables.h"
#include "devices/cmos_rtc.h"
#include "devices/debug_exit.h"
#include "devices/fw_cfg.h"
#include "devices/pc_testdev.h"
#include "devices/pci_host.h"
#include "devices/pci_testdev.h"
#include "devices/post_code_port.h"
#include "devices/reset_control.h"
#include "devices/serial_16550.h"
#include "devices/system_control_port_a.h"
#include "cpu/emu_engine.h"
#include "kvm/kvm_engine.h"
#include "util/error.h"
#include "util/log.h"
#include "vmm/engine.h"

namespace nv {

Machine::Machine(MachineConfig config) : config_(std::move(config)), memory_(config_.ram_bytes) {
  create_devices();
  load_guest();
}

Machine::~Machine() = default;

void Machine::create_devices() {
  // Creates a device, registers its ranges and keeps it alive with the machine.
  auto add = [&]<typename D>(std::unique_ptr<D> device) -> D* {
    D* raw = device.get();
    raw->attach(io_bus_, mmio_bus_);
    devices_.push_back(std::move(device));
    return raw;
  };

  // Platform devices every PC has, in QEMU's pc machine too.
  serial_ = config_.serial.mode == SerialMode::none ? nullptr
                                                    : add(std::make_unique<Serial16550>(config_.serial, irq_));
  add(std::make_unique<AcpiPm>(control_));
  add(std::make_unique<ResetControl>(control_));
  add(std::make_unique<SystemControlPortA>(control_));
  add(std::make_unique<CmosRtc>(config_.ram_bytes));
  add(std::make_unique<FwCfg>(config_));
  add(std::make_unique<PostCodePort>());
  PciHost* pci = add(std::make_unique<PciHost>());

  // Devices selected with -device.
  if (config_.debug_exit) add(std::make_unique<DebugExit>(*config_.debug_exit, control_));
  if (config_.pc_testdev) add(std::make_unique<PcTestdev>(memory_, irq_));
  if (config_.pci_testdev) {
    auto dev = std::make_unique<PciTestdev>();
    pci->add_device(dev.get());
    devices_.push_back(std::move(dev));
  }
}

void Machine::load_guest() {
  boot_info_ = load_multiboot(memory_, config_);
  build_acpi_tables(memory_, config_);
}

std::unique_ptr<Engine> Machine::make_engine() {
  switch (config_.engine) {
    case EngineKind::kvm:
      return std::make_unique<KvmEngine>(*this);
    case EngineKind::emu:
      return std::make_unique<EmuEngine>(*this);
  }
  fail("unknown engine");
}

int Machine::run() {
  for (;;) {
    {
      std::unique_ptr<Engine> engine = make_engine();
      engine->run();
    }
    if (serial_) serial_->flush();
    if (control_.stop_kind() != MachineControl::Stop::reset) return control_.exit_status();
    // A reset: QEMU's -no-reboot turns it into a clean exit (status 0).
    if (config_.no_reboot) return 0;
    log_info("machine reset: reloading {}", config_.kernel);
    control_.clear();
    memory_.clear();
    load_guest();
  }
}

}  // namespace nv
