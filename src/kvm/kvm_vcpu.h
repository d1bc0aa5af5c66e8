// One KVM vCPU: its fd, the shared kvm_run page, and the exit loop that runs
// on the vCPU's own host thread.
#pragma once

#include "cpuid/cpu_model.h"
#include "kvm/kvm_fd.h"

#include <linux/kvm.h>
#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace nv {

class Machine;
struct BootInfo;

class KvmVcpu {
 public:
  KvmVcpu(const KvmFd& vm, unsigned index, size_t run_size, Machine& machine);
  ~KvmVcpu();
  KvmVcpu(const KvmVcpu&) = delete;
  KvmVcpu& operator=(const KvmVcpu&) = delete;

  unsigned index() const { return index_; }
  void set_cpuid(const std::vector<CpuidEntry>& entries);
  // Host-initiated MSR access (KVM_GET_MSRS / KVM_SET_MSRS); false or
  // nullopt when KVM refuses the MSR.
  bool set_msr(uint32_t index, uint64_t value);
  std::optional<uint64_t> get_msr(uint32_t index);
  // Multiboot hand-off state (Multiboot spec 0.6.96 §3.2) for the BSP.
  void set_multiboot_state(const BootInfo& boot);

  // Thread body: runs the guest until the machine stops. Engine failures
  // are reported and turned into a machine exit, never an exception.
  void run_loop();
  // Makes run_loop() leave KVM_RUN promptly; callable from any thread.
  void kick();

  std::string describe_state() const;

 private:
  // Returns false when the exit ends this vCPU's loop.
  bool handle_exit();
  void handle_io();
  void handle_mmio();
  bool fatal(const std::string& what);
  // KVM's emulator gave up on an instruction; returns true when nestvisor
  // finished it (kvm/kvm_emulation_fallback.h).
  bool complete_failed_emulation();
  void inject_exception(uint8_t vector, std::optional<uint32_t> error_code = std::nullopt);
  // XGETBV / XSETBV on KVM's XCR state (SDM Vol. 2C); false = give up.
  bool emulate_xgetbv(kvm_regs& regs);
  bool emulate_xsetbv(kvm_regs& regs, const kvm_sregs& sregs);

  unsigned index_;
  Machine& machine_;
  KvmFd fd_;
  kvm_run* run_ = nullptr;
  size_t run_size_;
  std::vector<CpuidEntry> cpuid_;  // what the guest was given, for the fallback
  std::atomic<bool> thread_started_{false};
  pthread_t thread_{};
};

}  // namespace nv
