#include "cpu/emu_engine.h"

#include "cpu/emu_cpuid.h"
#include "cpu/unimplemented_log.h"
#include "util/log.h"
#include "vmm/machine.h"

#include <chrono>
#include <thread>

namespace nv {

namespace {

uint64_t phys_limit(const GuestMemory& mem) {
  uint64_t end = 0;
  for (const RamSlot& s : mem.slots()) end = std::max(end, s.gpa + s.size);
  return end;
}

}  // namespace

EmuEngine::EmuEngine(Machine& machine, EmuEngineOptions options)
    : machine_(machine), options_(options), code_(phys_limit(machine.memory())) {
  std::vector<std::string> warnings;
  std::vector<CpuidEntry> cpuid = shape_cpuid(emu_supported_cpuid(), machine.config().cpu, &warnings);
  for (const std::string& w : warnings) log_warn("{}", w);
  for (unsigned i = 0; i < machine.config().vcpus; ++i) {
    CpuEnvironment env{machine.memory(), machine.io_bus(), machine.mmio_bus(), machine.control(), code_, cpuid};
    set_apic_id(env.cpuid, i);
    cpus_.push_back(std::make_unique<Cpu>(env, i));
    if (i == 0) cpus_[0]->set_multiboot_state(machine.boot_info());
    else cpus_[i]->halt();  // waits for INIT/SIPI
  }
}

EmuEngine::~EmuEngine() = default;

void EmuEngine::run() {
  MachineControl& control = machine_.control();
  while (!control.stop_requested()) {
    bool progressed = false;
    for (auto& cpu : cpus_) {
      if (control.stop_requested()) break;
      Cpu::Exit e = cpu->run(options_.quantum);
      if (e == Cpu::Exit::quantum) progressed = true;
      if (e == Cpu::Exit::shutdown) break;
    }
    // Every vCPU is halted: nothing happens until an interrupt arrives or
    // the machine is stopped from outside (signal, device).
    if (!progressed) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (control.stop_kind() == MachineControl::Stop::terminated) {
    for (auto& cpu : cpus_) log_warn("emu vCPU {} state at termination: {}", cpu->index(), cpu->describe());
  }
  std::string missing = UnimplementedLog::instance().dump();
  if (!missing.empty()) log_info("emu: unimplemented instructions executed (count, mnemonic):\n{}", missing);
}

}  // namespace nv
