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

// -cpu properties shape_cpuid honours, by QEMU's names: vendor, model-id,
// family, model, stepping, level, xlevel, phys-bits, host-phys-bits, pmu.
bool is_cpu_property(std::string_view key);

// Throws nv::Error ("-cpu KEY=VALUE: why") unless p is one of the properties
// above with a valid value: vendor exactly 12 printable ASCII characters;
// model-id up to 48; family 0..0x10e, model 0..0xff, stepping 0..0xf;
// level below 0x40000000; xlevel 0x80000000..0x8fffffff; phys-bits 32..52;
// host-phys-bits and pmu on|off (also yes/no, true/false). Numbers are
// decimal or 0x hex. A bare property on the command line is "on", as in QEMU.
void check_cpu_property(const CpuProperty& p);

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
//  - cfg.properties apply over the model (the last of each key wins):
//    vendor: CPUID.0 and CPUID.0x80000000 EBX,EDX,ECX (QEMU writes both);
//    family/model/stepping: their fields of CPUID.1:EAX, and of
//    CPUID.0x80000001:EAX where it mirrors leaf 1 (AMD);
//    model-id: the brand string; level, xlevel: CPUID.0:EAX and
//    CPUID.0x80000000:EAX, leaves above them dropped (error above what is
//    supported); pmu=off: leaf 0xA (and AMD's 0x80000022) zeroed, pdcm and
//    perfctr-core cleared, pmu=on: leaf 0xA as supported.
//  - Physical address bits, CPUID.0x80000008:EAX[7:0]: with host-phys-bits
//    (QEMU's default for max and host) the supported value, then phys-bits
//    is ignored with a warning; else phys-bits, an error above the supported
//    value; else QEMU's default of 40, capped at the supported value.
//  - Dependencies are then enforced: a feature whose prerequisite is off is
//    cleared (avx needs xsave; avx2, fma, f16c, avx512f, vaes, vpclmulqdq,
//    avx-vnni need avx; the other avx512 features need avx512f; the XSAVE
//    extensions (xsaveopt, xsavec, xgetbv1, xsaves, xfd) and amx need xsave;
//    the SVM leaf features need svm). Leaf 0xD is zeroed without xsave and
//    loses the state components of disabled features (avx, avx512f, pku, mpx,
//    amx); leaf 0x8000000A is zeroed without svm.
// Throws nv::Error for an unknown model, feature or property, or a property
// the engine cannot honour.
std::vector<CpuidEntry> shape_cpuid(const std::vector<CpuidEntry>& supported, const CpuConfig& cfg,
                                    std::vector<std::string>* warnings);

// Per-vCPU initial APIC ID: CPUID.1:EBX[31:24], the x2APIC ID in
// CPUID.0xB/0x1F:EDX (every subleaf) and AMD's CPUID.0x8000001E:EAX.
void set_apic_id(std::vector<CpuidEntry>& entries, uint32_t apic_id);

// Whether any CPUID bit carrying the feature `name` (QEMU's name) is set.
bool has_cpu_feature(const std::vector<CpuidEntry>& entries, std::string_view name);
// Clears every CPUID bit carrying the feature `name`.
void clear_cpu_feature(std::vector<CpuidEntry>& entries, std::string_view name);

}  // namespace nv
