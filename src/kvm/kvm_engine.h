// The hardware engine: one KVM VM with the in-kernel irqchip (LAPICs,
// IOAPIC, PIC) and PIT, guest RAM as memory slots, and one host thread per
// vCPU. Application processors wait in the kernel for INIT-SIPI-SIPI.
#pragma once

#include "cpuid/cpu_model.h"
#include "kvm/kvm_fd.h"
#include "kvm/kvm_vcpu.h"
#include "vmm/engine.h"
#include "vmm/irq_router.h"

#include <memory>
#include <vector>

namespace nv {

class Machine;

class KvmEngine final : public Engine, public InterruptSink {
 public:
  // Opens /dev/kvm and builds the VM; throws nv::Error naming the step and
  // the host's error when KVM refuses.
  explicit KvmEngine(Machine& machine);
  ~KvmEngine() override;

  void run() override;
  void set_irq(unsigned gsi, bool level) override;

  // The CPUID table KVM supports on this host (KVM_GET_SUPPORTED_CPUID).
  static std::vector<CpuidEntry> supported_cpuid(const KvmFd& kvm);

 private:
  void create_irqchip();
  void map_memory();
  void create_vcpus();
  void kick_all();

  Machine& machine_;
  KvmFd kvm_;
  KvmFd vm_;
  std::vector<std::unique_ptr<KvmVcpu>> vcpus_;
};

}  // namespace nv
