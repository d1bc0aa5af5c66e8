// The CPUID a guest sees: a named CPU model (QEMU's names and definitions)
// with `-cpu` feature flags applied, cut down to what the engine supports.
// Engine-independent: KvmEngine passes KVM_GET_SUPPORTED_CPUID, the software
// engine will pass its own table.
#pragma once

#include "vmm/machine_config.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nv {

// `index` is significant for this leaf (same bit as KVM_CPUID_FLAG_SIGNIFCANT_INDEX).
inline constexpr uint32_t kCpuidFlagSignificantIndex = 1u << 0;

struct CpuidEntry {
  uint32_t function, index, flags, eax, ebx, ecx, edx;
};

enum class CpuidReg { eax, ebx, ecx, edx };

// One named CPUID feature bit, named as QEMU's -cpu names it.
struct CpuFeature {
  std::string_view name;
  uint32_t function;
  uint32_t index;  // subleaf, for leaves with a significant index
  CpuidReg reg;
  unsigned bit;
};

// Every feature bit nestvisor knows by name (a name can cover several bits,
// like QEMU's "kvmclock").
std::span<const CpuFeature> cpu_features();

// The table name for a -cpu feature name, accepting QEMU's spellings:
// '_' for '-' ("tsc_deadline") and legacy aliases ("sse4_1", "sse3", "xd").
// Empty when the name is not a CPUID feature.
std::string canonical_cpu_feature(std::string_view name);

// Models accepted by -cpu: qemu64, kvm64, max, host.
std::span<const std::string_view> cpu_model_names();
bool is_cpu_model(std::string_view name);

// Builds the CPUID table for cfg from what the engine supports:
//  - max, host: everything supported.
//  - qemu64, kvm64: QEMU's definitions (family/model/stepping, feature
//    words, maximum basic and extended leaves, brand string) intersected with
//    supported, plus the defaults QEMU applies under KVM (x2apic and the KVM
//    paravirtual features on; svm, monitor, acpi off) and no architectural
//    PMU (leaf 0xA zeroed, QEMU's pmu=off). The vendor is the
//    supported table's, as QEMU does with KVM. Leaves that carry no feature
//    bits (caches, topology, XSAVE sizes, hypervisor leaves) come from
//    supported.
//  - CPUID.1:ECX.hypervisor is set for every model.
//  - cfg.flags apply in order: enabling an unsupported feature leaves it off
//    and adds QEMU's "host doesn't support requested feature" warning.
//  - Dependencies are then enforced: a feature whose prerequisite is off is
//    cleared (avx needs xsave; avx2, fma, f16c, avx512f, vaes, vpclmulqdq,
//    avx-vnni need avx; the other avx512 features need avx512f; the XSAVE
//    extensions (xsaveopt, xsavec, xgetbv1, xsaves, xfd) and amx need xsave;
//    the SVM leaf features need svm). Leaf 0xD is zeroed without xsave and
//    loses the state components of disabled features (avx, avx512f, pku, mpx,
//    amx); leaf 0x8000000A is zeroed without svm.
// Throws nv::Error for an unknown model or feature name.
std::vector<CpuidEntry> shape_cpuid(const std::vector<CpuidEntry>& supported, const CpuConfig& cfg,
                                    std::vector<std::string>* warnings);

// Per-vCPU initial APIC ID: CPUID.1:EBX[31:24], the x2APIC ID in
// CPUID.0xB/0x1F:EDX (every subleaf) and AMD's CPUID.0x8000001E:EAX.
void set_apic_id(std::vector<CpuidEntry>& entries, uint32_t apic_id);

}  // namespace nv
