#include "kvm/kvm_vcpu.h"

#include "kvm/kvm_abi.h"
#include "kvm/kvm_emulation_fallback.h"

#include "util/error.h"
#include "util/log.h"
#include "vmm/machine.h"

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

namespace nv {

KvmVcpu::KvmVcpu(const KvmFd& vm, unsigned index, size_t run_size, Machine& machine)
    : index_(index), machine_(machine), run_size_(run_size) {
  fd_ = KvmFd(vm.ioctl_or_fail(KVM_CREATE_VCPU, fmt::format("creating vCPU {}", index), index));
  void* p = mmap(nullptr, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
  if (p == MAP_FAILED) fail("KVM: mapping kvm_run of vCPU {}: {}", index, std::strerror(errno));
  run_ = static_cast<kvm_run*>(p);
}

KvmVcpu::~KvmVcpu() {
  if (run_) munmap(run_, run_size_);
}

void KvmVcpu::set_cpuid(const std::vector<CpuidEntry>& entries) {
  kvm_abi::Array<kvm_cpuid_entry2> cpuid(static_cast<uint32_t>(entries.size()));
  for (const CpuidEntry& e : entries) {
    kvm_cpuid_entry2& k = cpuid.push();
    k.function = e.function, k.index = e.index, k.flags = e.flags;
    k.eax = e.eax, k.ebx = e.ebx, k.ecx = e.ecx, k.edx = e.edx;
  }
  fd_.ioctl_or_fail(kvm_abi::kSetCpuid2, fmt::format("setting CPUID of vCPU {}", index_), cpuid.data());
  cpuid_ = entries;
}

bool KvmVcpu::set_msr(uint32_t index, uint64_t value) {
  kvm_abi::Array<kvm_msr_entry> msrs(1);
  kvm_msr_entry& e = msrs.push();
  e.index = index;
  e.data = value;
  return fd_.ioctl_raw(kvm_abi::kSetMsrs, msrs.data()) == 1;  // returns the number of MSRs set
}

std::optional<uint64_t> KvmVcpu::get_msr(uint32_t index) {
  kvm_abi::Array<kvm_msr_entry> msrs(1);
  msrs.push().index = index;
  if (fd_.ioctl_raw(kvm_abi::kGetMsrs, msrs.data()) != 1) return std::nullopt;
  return msrs.entries()[0].data;
}

void KvmVcpu::set_multiboot_state(const BootInfo& boot) {
  kvm_sregs sregs{};
  fd_.ioctl_or_fail(KVM_GET_SREGS, "reading special registers", &sregs);
  // Multiboot §3.2: flat 4 GiB read/execute code and read/write data
  // segments, CR0.PE set and CR0.PG clear; GDTR and IDTR are left for the
  // kernel to load.
  kvm_segment code{.base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 0xb, .present = 1, .dpl = 0,
                   .db = 1, .s = 1, .l = 0, .g = 1, .avl = 0, .unusable = 0, .padding = 0};
  kvm_segment data = code;
  data.selector = 0x18;
  data.type = 0x3;
  sregs.cs = code;
  sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
  sregs.cr0 = 0x11;  // PE | ET; caches enabled (CD = NW = 0), as firmware leaves them
  sregs.cr4 = 0;
  sregs.efer = 0;
  sregs.gdt = {.base = 0, .limit = 0, .padding = {}};
  sregs.idt = {.base = 0, .limit = 0, .padding = {}};
  fd_.ioctl_or_fail(KVM_SET_SREGS, "setting special registers", &sregs);

  kvm_regs regs{};
  regs.rflags = 0x2;
  regs.rip = boot.entry;
  regs.rax = 0x2badb002;  // Multiboot §3.2: the boot loader's magic value
  regs.rbx = boot.mbi_addr;
  fd_.ioctl_or_fail(KVM_SET_REGS, "setting registers", &regs);
}

void KvmVcpu::kick() {
  // immediate_exit covers a vCPU that is about to enter KVM_RUN; the signal
  // one that is inside it (api.rst, "immediate_exit").
  __atomic_store_n(&run_->immediate_exit, 1, __ATOMIC_SEQ_CST);
  if (thread_started_.load(std::memory_order_acquire)) pthread_kill(thread_, SIGUSR1);
}

void KvmVcpu::run_loop() {
  thread_ = pthread_self();
  thread_started_.store(true, std::memory_order_release);
  MachineControl& control = machine_.control();
  try {
    while (!control.stop_requested()) {
      int r = ::ioctl(fd_.get(), KVM_RUN, 0);
      if (r < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        fatal(fmt::format("KVM_RUN failed: {}", std::strerror(errno)));
        break;
      }
      if (!handle_exit()) break;
    }
  } catch (const std::exception& e) {
    fatal(e.what());
  }
  if (control.stop_kind() == MachineControl::Stop::terminated)
    log_warn("vCPU {} state at termination: {}", index_, describe_state());
}

bool KvmVcpu::fatal(const std::string& what) {
  log_error("vCPU {}: {}", index_, what);
  log_error("vCPU {} state: {}", index_, describe_state());
  machine_.control().request_exit(kExitEngineFailure);
  return false;
}

bool KvmVcpu::handle_exit() {
  switch (run_->exit_reason) {
    case KVM_EXIT_IO:
      handle_io();
      return true;
    case KVM_EXIT_MMIO:
      handle_mmio();
      return true;
    case KVM_EXIT_INTR:
      return true;
    case KVM_EXIT_SHUTDOWN:
      // A triple fault (SDM Vol. 3A §6.15, "Double Fault Exception"): the
      // platform resets, or the VMM exits under --no-reboot.
      log_info("vCPU {}: triple fault, resetting", index_);
      machine_.control().request_reset();
      return false;
    case KVM_EXIT_SYSTEM_EVENT:
      switch (run_->system_event.type) {
        case KVM_SYSTEM_EVENT_SHUTDOWN:
          machine_.control().request_exit(0);
          return false;
        case KVM_SYSTEM_EVENT_RESET:
          machine_.control().request_reset();
          return false;
        default:
          return fatal(fmt::format("unexpected system event {}", run_->system_event.type));
      }
    case KVM_EXIT_HLT:
      // Only without an in-kernel LAPIC; with one, HLT waits in the kernel.
      return fatal("HLT with interrupts disabled and no in-kernel irqchip");
    case KVM_EXIT_FAIL_ENTRY:
      return fatal(fmt::format("VM entry failed, hardware reason {:#x}",
                               static_cast<uint64_t>(run_->fail_entry.hardware_entry_failure_reason)));
    case KVM_EXIT_INTERNAL_ERROR: {
      if (run_->internal.suberror == KVM_INTERNAL_ERROR_EMULATION && complete_failed_emulation()) return true;
      std::string data;
      for (uint32_t i = 0; i < run_->internal.ndata && i < 16; ++i)
        data += fmt::format(" {:#x}", static_cast<uint64_t>(run_->internal.data[i]));
      return fatal(fmt::format("KVM internal error, suberror {} (1 = instruction emulation failed), data:{}",
                               run_->internal.suberror, data));
    }
    default:
      return fatal(fmt::format("unhandled KVM exit reason {}", run_->exit_reason));
  }
}

void KvmVcpu::handle_io() {
  const auto& io = run_->io;
  uint8_t* data = reinterpret_cast<uint8_t*>(run_) + io.data_offset;
  const Bus& bus = machine_.io_bus();
  // `count` > 1 for string I/O (INS/OUTS with REP): KVM batches elements.
  for (uint32_t i = 0; i < io.count; ++i, data += io.size) {
    if (io.direction == KVM_EXIT_IO_OUT) {
      uint32_t value = 0;
      std::memcpy(&value, data, io.size);
      bus.write_or_drop(io.port, io.size, value);
    } else {
      uint32_t value = static_cast<uint32_t>(bus.read_or_float(io.port, io.size));
      std::memcpy(data, &value, io.size);
    }
  }
}

void KvmVcpu::handle_mmio() {
  auto& mmio = run_->mmio;
  const Bus& bus = machine_.mmio_bus();
  if (mmio.is_write) {
    uint64_t value = 0;
    std::memcpy(&value, mmio.data, mmio.len);
    bus.write_or_drop(mmio.phys_addr, mmio.len, value);
  } else {
    uint64_t value = bus.read_or_float(mmio.phys_addr, mmio.len);
    std::memcpy(mmio.data, &value, mmio.len);
  }
}

bool KvmVcpu::complete_failed_emulation() {
  const auto& failure = run_->emulation_failure;
  if (failure.ndata < 3 || !(failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) return false;
  kvm_sregs sregs{};
  kvm_regs regs{};
  if (fd_.ioctl_raw(KVM_GET_SREGS, &sregs) < 0 || fd_.ioctl_raw(KVM_GET_REGS, &regs) < 0) return false;
  GuestCodeSize size = sregs.cs.l ? GuestCodeSize::bits64 : sregs.cs.db ? GuestCodeSize::bits32 : GuestCodeSize::bits16;
  unsigned n = failure.insn_size < sizeof failure.insn_bytes ? failure.insn_size : sizeof failure.insn_bytes;
  kvm_xcrs xcrs{};
  uint64_t xcr0 = 0;
  if (fd_.ioctl_raw(KVM_GET_XCRS, &xcrs) >= 0)
    for (uint32_t i = 0; i < xcrs.nr_xcrs; ++i)
      if (xcrs.xcrs[i].xcr == 0) xcr0 = xcrs.xcrs[i].value;
  FallbackDecision d = decide_emulation_fallback({.bytes = {failure.insn_bytes, n},
                                                  .code_size = size,
                                                  .cr4 = sregs.cr4,
                                                  .xcr0 = xcr0,
                                                  .protected_mode = (sregs.cr0 & 1) != 0,
                                                  .long_mode = (sregs.efer & (1u << 10)) != 0,
                                                  .idt_limit = sregs.idt.limit,
                                                  .cpuid = &cpuid_});
  if (d.action == FallbackDecision::Action::give_up) {
    log_error("vCPU {}: host KVM could not emulate the instruction at rip {:#x}: {}", index_, regs.rip, d.reason);
    return false;
  }
  log_warn_once("emulation-fallback", regs.rip, "vCPU {}: host KVM could not emulate the instruction at rip {:#x}; {}",
                index_, regs.rip, d.reason);
  switch (d.action) {
    case FallbackDecision::Action::raise_ud:
      inject_exception(6);  // #UD
      return true;
    case FallbackDecision::Action::raise_gp:
      inject_exception(13, d.error_code);
      return true;
    case FallbackDecision::Action::xgetbv:
      if (!emulate_xgetbv(regs)) return false;
      break;
    case FallbackDecision::Action::xsetbv:
      if (!emulate_xsetbv(regs, sregs)) return true;  // faulted: #GP injected, RIP stays
      break;
    default:
      break;
  }
  regs.rip += d.length;
  fd_.ioctl_or_fail(KVM_SET_REGS, "advancing rip past an emulated instruction", &regs);
  return true;
}

bool KvmVcpu::emulate_xgetbv(kvm_regs& regs) {
  uint32_t index = static_cast<uint32_t>(regs.rcx);
  if (index != 0) {
    // XCR1 (XINUSE) is not in KVM's XCR interface; other indexes #GP(0).
    if (index == 1) return false;
    inject_exception(13, 0);
    return true;
  }
  kvm_xcrs xcrs{};
  fd_.ioctl_or_fail(KVM_GET_XCRS, "reading XCR0", &xcrs);
  for (uint32_t i = 0; i < xcrs.nr_xcrs; ++i) {
    if (xcrs.xcrs[i].xcr != 0) continue;
    // EDX:EAX = XCR0; the upper halves of RAX and RDX are cleared.
    regs.rax = static_cast<uint32_t>(xcrs.xcrs[i].value);
    regs.rdx = xcrs.xcrs[i].value >> 32;
    return true;
  }
  return false;
}

bool KvmVcpu::emulate_xsetbv(kvm_regs& regs, const kvm_sregs& sregs) {
  // SDM Vol. 2C XSETBV: #GP(0) at CPL > 0, for an XCR other than 0, and for
  // a value XCR0 cannot hold; KVM_SET_XCRS applies the value checks.
  kvm_xcrs xcrs{};
  xcrs.nr_xcrs = 1;
  xcrs.xcrs[0].xcr = static_cast<uint32_t>(regs.rcx);
  xcrs.xcrs[0].value = (regs.rdx << 32) | static_cast<uint32_t>(regs.rax);
  if (sregs.ss.dpl != 0 || xcrs.xcrs[0].xcr != 0 || fd_.ioctl_raw(KVM_SET_XCRS, &xcrs) < 0) {
    inject_exception(13, 0);
    return false;
  }
  return true;
}

void KvmVcpu::inject_exception(uint8_t vector, std::optional<uint32_t> error_code) {
  kvm_vcpu_events events{};
  fd_.ioctl_or_fail(KVM_GET_VCPU_EVENTS, "reading vCPU events", &events);
  events.exception.injected = 1;
  events.exception.nr = vector;
  events.exception.has_error_code = error_code.has_value();
  events.exception.error_code = error_code.value_or(0);
  events.flags = 0;  // only the exception is changed
  fd_.ioctl_or_fail(KVM_SET_VCPU_EVENTS, "injecting an exception", &events);
}

std::string KvmVcpu::describe_state() const {
  kvm_regs r{};
  kvm_sregs s{};
  if (fd_.ioctl_raw(KVM_GET_REGS, &r) < 0 || fd_.ioctl_raw(KVM_GET_SREGS, &s) < 0) return "(registers unavailable)";
  return fmt::format(
      "rip={:#x} rsp={:#x} rflags={:#x} rax={:#x} rbx={:#x} rcx={:#x} rdx={:#x} rsi={:#x} rdi={:#x} "
      "cs={:#x} (base {:#x}, l={} db={}) cr0={:#x} cr3={:#x} cr4={:#x} efer={:#x}",
      r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, s.cs.selector, s.cs.base, s.cs.l, s.cs.db,
      s.cr0, s.cr3, s.cr4, s.efer);
}

}  // namespace nv
