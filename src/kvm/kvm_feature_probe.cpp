#include "kvm/kvm_feature_probe.h"

#include "kvm/kvm_vcpu.h"
#include "util/log.h"

#include <unistd.h>

#include <string>
#include <string_view>

namespace nv {

namespace {

constexpr uint32_t kMsrSpecCtrl = 0x48;  // IA32_SPEC_CTRL, SDM Vol. 4 §2.1

// IA32_SPEC_CTRL bits and the CPUID features (Intel leaf 7, AMD leaf
// 0x80000008 EBX) that enumerate them (SDM Vol. 4 Table 2-2; AMD's
// "Speculative Control" white paper).
struct SpecCtrlBit {
  uint64_t bit;
  std::string_view features[2];
};
constexpr SpecCtrlBit kSpecCtrlBits[] = {
    {1u << 0, {"spec-ctrl", "ibrs"}},     // IBRS
    {1u << 1, {"stibp", "amd-stibp"}},    // STIBP
    {1u << 2, {"ssbd", "amd-ssbd"}},      // SSBD
};

// KVM paravirtual features a guest can only use through a hypercall
// (Linux Documentation/virt/kvm/x86/cpuid.rst and hypercalls.rst):
// KVM_HC_KICK_CPU, KVM_HC_SEND_IPI, KVM_HC_SCHED_YIELD.
constexpr std::string_view kHypercallFeatures[] = {"kvm-pv-unhalt", "kvm-pv-ipi", "kvm-pv-sched-yield"};

bool module_loaded(const char* name) { return access((std::string("/sys/module/") + name).c_str(), F_OK) == 0; }

}  // namespace

bool host_completes_hypercalls() {
  // Only one vendor module can back /dev/kvm; kvm_pvm serves it when neither
  // hardware module is loaded.
  static const bool completes = !module_loaded("kvm_pvm") || module_loaded("kvm_intel") || module_loaded("kvm_amd");
  return completes;
}

bool withdraw_features_the_host_drops(KvmVcpu& vcpu, std::vector<CpuidEntry>& cpuid) {
  bool changed = false;
  if (!host_completes_hypercalls()) {
    for (std::string_view f : kHypercallFeatures) {
      if (!has_cpu_feature(cpuid, f)) continue;
      log_info("host KVM (kvm_pvm) does not complete hypercalls; CPUID feature '{}' withdrawn", f);
      clear_cpu_feature(cpuid, f);
      changed = true;
    }
  }
  // Some paravirtual KVMs accept writes to IA32_SPEC_CTRL and read back 0:
  // a guest that reads CPUID would then see its mitigation bits vanish.
  for (const SpecCtrlBit& b : kSpecCtrlBits) {
    bool advertised = false;
    for (std::string_view f : b.features) advertised = advertised || has_cpu_feature(cpuid, f);
    if (!advertised) continue;
    bool kept = vcpu.set_msr(kMsrSpecCtrl, b.bit) && vcpu.get_msr(kMsrSpecCtrl) == b.bit;
    vcpu.set_msr(kMsrSpecCtrl, 0);
    if (kept) continue;
    for (std::string_view f : b.features) {
      if (!has_cpu_feature(cpuid, f)) continue;
      log_info("host KVM does not keep IA32_SPEC_CTRL bit {:#x}; CPUID feature '{}' withdrawn", b.bit, f);
      clear_cpu_feature(cpuid, f);
      changed = true;
    }
  }
  return changed;
}

}  // namespace nv
