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
  LocalApic::Config apic_config;
  apic_config.x2apic = has_cpu_feature(cpuid, "x2apic");
  apic_config.tsc_deadline = has_cpu_feature(cpuid, "tsc-deadline");
  for (const CpuidEntry& e : cpuid)
    if (e.function == 0x80000008) apic_config.phys_bits = e.eax & 0xff;
  const unsigned n = machine.config().vcpus;
  for (CpuidEntry& e : cpuid)
    if (e.function == 0xb && e.index == 1) e.ebx = n;  // logical processors in the package
  xstate_ = XstateLayout::from_cpuid(cpuid);
  platform_ = std::make_unique<EmuPlatform>(machine, n, apic_config);
  for (unsigned i = 0; i < n; ++i) {
    CpuEnvironment env{machine.memory(), machine.io_bus(), machine.mmio_bus(), machine.control(), code_, cpuid,
                       &platform_->apic(i), &platform_->pic(), &platform_->clock(), &platform_->apic_bus()};
    env.xstate = &xstate_;
    env.xstate_cache = machine.config().xstate_cache;
    set_apic_id(env.cpuid, i);
    cpus_.push_back(std::make_unique<Cpu>(env, i));
    Cpu* cpu = cpus_.back().get();
    cpu->set_yield_on_pause(n > 1);
    platform_->apic(i).set_wakeup([cpu] { cpu->notify_interrupt(); });
    if (i == 0) cpu->set_multiboot_state(machine.boot_info());
    else cpu->enter_wait_for_sipi();
    if (InstructionCountClock* clock = platform_->icount_clock()) clock->add_counter(&cpu->state().icount);
  }
}

EmuEngine::~EmuEngine() = default;

void EmuEngine::run() {
  MachineControl& control = machine_.control();
  const auto started = std::chrono::steady_clock::now();
  while (!control.stop_requested()) {
    platform_->advance_timers();
    bool progressed = false;
    for (auto& cpu : cpus_) {
      if (control.stop_requested()) break;
      Cpu::Exit e = cpu->run(options_.quantum);
      if (e == Cpu::Exit::quantum) progressed = true;
      if (e == Cpu::Exit::shutdown) break;
    }
    if (!progressed) wait_while_halted();
  }
  if (control.stop_kind() == MachineControl::Stop::terminated) {
    for (auto& cpu : cpus_) log_warn("emu vCPU {} state at termination: {}", cpu->index(), cpu->describe());
  }
  // The engine's speed, for anyone measuring it (NESTVISOR_LOG=info).
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  uint64_t retired = 0;
  for (auto& cpu : cpus_) retired += cpu->state().icount;
  log_info("emu: {} guest instructions in {:.3f} s, {:.1f} million per second", retired, seconds,
           seconds > 0 ? static_cast<double>(retired) / seconds / 1e6 : 0.0);
  std::string missing = UnimplementedLog::instance().dump();
  if (!missing.empty()) log_info("emu: unimplemented instructions executed (count, mnemonic):\n{}", missing);
}

// Every vCPU is halted: nothing happens until a timer fires, a device raises
// an interrupt or the machine is stopped from outside. Sleep until the next
// deadline, at most 1 ms (device interrupts wake the APIC but not this
// thread). Under -icount the clock stands still while no instruction runs, so
// it is moved: to the deadline at once with sleep=off, or by the time slept
// with sleep=on (QEMU's two behaviours).
void EmuEngine::wait_while_halted() {
  constexpr uint64_t kMaxWaitNs = 1'000'000;
  InstructionCountClock* icount = platform_->icount_clock();
  const uint64_t now = platform_->clock().now_ns(), next = platform_->next_deadline_ns();
  if (icount && !machine_.config().icount->sleep && next != UINT64_MAX) {
    icount->skip_to(next);
    return;
  }
  const uint64_t wait = next > now ? std::min(next - now, kMaxWaitNs) : 0;
  if (!wait) return;
  std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
  if (icount && next != UINT64_MAX) icount->skip_to(now + wait);
}

}  // namespace nv
