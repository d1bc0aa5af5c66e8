#include "cpuid/cpu_model.h"

#include "util/error.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace nv {

namespace {

constexpr uint32_t kBasicMaxLeaf = 0x0;
constexpr uint32_t kHypervisorBase = 0x40000000;
constexpr uint32_t kKvmFeatureLeaf = 0x40000001;
constexpr uint32_t kExtendedBase = 0x80000000;
constexpr uint32_t kSvmLeaf = 0x8000000a;
constexpr uint32_t kXsaveLeaf = 0xd;
constexpr uint32_t kPmuLeaf = 0xa;
constexpr uint32_t kAddressSizeLeaf = 0x80000008;
constexpr uint32_t kAmdPerfMonLeaf = 0x80000022;
// QEMU's phys-bits for CPUs without host-phys-bits (TCG_PHYS_ADDR_BITS).
constexpr unsigned kDefaultPhysBits = 40;

// A feature word: one CPUID output register and the QEMU name of each bit
// (nullptr: unnamed). Bit layouts: Intel SDM Vol. 2A, CPUID; AMD APM Vol. 3,
// Appendix E; Linux Documentation/virt/kvm/x86/cpuid.rst for 0x40000001.
struct FeatureWord {
  uint32_t function;
  uint32_t index;
  CpuidReg reg;
  std::array<const char*, 32> names;
};

// clang-format off
constexpr FeatureWord kFeatureWords[] = {
    {0x1, 0, CpuidReg::edx, {
        "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
        "cx8", "apic", nullptr, "sep", "mtrr", "pge", "mca", "cmov",
        "pat", "pse36", "pn", "clflush", nullptr, "ds", "acpi", "mmx",
        "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe"}},
    {0x1, 0, CpuidReg::ecx, {
        "pni", "pclmulqdq", "dtes64", "monitor", "ds-cpl", "vmx", "smx", "est",
        "tm2", "ssse3", "cid", nullptr, "fma", "cx16", "xtpr", "pdcm",
        nullptr, "pcid", "dca", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt",
        "tsc-deadline", "aes", "xsave", nullptr /* osxsave: follows CR4 */, "avx", "f16c", "rdrand", "hypervisor"}},
    {0x6, 0, CpuidReg::eax, {
        nullptr, nullptr, "arat", nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}},
    {0x7, 0, CpuidReg::ebx, {
        "fsgsbase", "tsc-adjust", "sgx", "bmi1", "hle", "avx2", "fdp-excptn-only", "smep",
        "bmi2", "erms", "invpcid", "rtm", nullptr, "zero-fcs-fds", "mpx", nullptr,
        "avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", "pcommit", "clflushopt",
        "clwb", "intel-pt", "avx512pf", "avx512er", "avx512cd", "sha-ni", "avx512bw", "avx512vl"}},
    {0x7, 0, CpuidReg::ecx, {
        nullptr, "avx512vbmi", "umip", "pku", nullptr /* ospke: follows CR4 */, "waitpkg", "avx512vbmi2", nullptr,
        "gfni", "vaes", "vpclmulqdq", "avx512vnni", "avx512bitalg", nullptr, "avx512-vpopcntdq", nullptr,
        "la57", nullptr, nullptr, nullptr, nullptr, nullptr, "rdpid", nullptr,
        "bus-lock-detect", "cldemote", nullptr, "movdiri", "movdir64b", nullptr, "sgxlc", "pks"}},
    {0x7, 0, CpuidReg::edx, {
        nullptr, nullptr, "avx512-4vnniw", "avx512-4fmaps", "fsrm", nullptr, nullptr, nullptr,
        "avx512-vp2intersect", nullptr, "md-clear", nullptr, nullptr, nullptr, "serialize", nullptr,
        "tsx-ldtrk", nullptr, nullptr, "arch-lbr", nullptr, nullptr, "amx-bf16", "avx512-fp16",
        "amx-tile", "amx-int8", "spec-ctrl", "stibp", "flush-l1d", "arch-capabilities", "core-capability", "ssbd"}},
    {0x7, 1, CpuidReg::eax, {
        "sha512", "sm3", "sm4", nullptr, "avx-vnni", "avx512-bf16", nullptr, "cmpccxadd",
        nullptr, nullptr, "fzrm", "fsrs", "fsrc", nullptr, nullptr, nullptr,
        nullptr, "fred", "lkgs", "wrmsrns", nullptr, "amx-fp16", nullptr, "avx-ifma",
        nullptr, nullptr, "lam", nullptr, nullptr, nullptr, nullptr, nullptr}},
    {0x7, 1, CpuidReg::edx, {
        nullptr, nullptr, nullptr, nullptr, "avx-vnni-int8", "avx-ne-convert", nullptr, nullptr,
        "amx-complex", nullptr, "avx-vnni-int16", nullptr, nullptr, nullptr, "prefetchiti", nullptr,
        nullptr, nullptr, nullptr, "avx10", nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}},
    {0x7, 2, CpuidReg::edx, {
        "intel-psfd", "ipred-ctrl", "rrsba-ctrl", "ddpd-u", "bhi-ctrl", "mcdt-no", nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}},
    {kXsaveLeaf, 1, CpuidReg::eax, {
        "xsaveopt", "xsavec", "xgetbv1", "xsaves", "xfd", nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}},
    {kKvmFeatureLeaf, 0, CpuidReg::eax, {
        "kvmclock", "kvm-nopiodelay", "kvm-mmu", "kvmclock", "kvm-asyncpf", "kvm-steal-time", "kvm-pv-eoi",
        "kvm-pv-unhalt", nullptr, "kvm-pv-tlb-flush", "kvm-asyncpf-vmexit", "kvm-pv-ipi",
        "kvm-poll-control", "kvm-pv-sched-yield", "kvm-asyncpf-int", "kvm-msi-ext-dest-id",
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        "kvmclock-stable-bit", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}},
    {kKvmFeatureLeaf, 0, CpuidReg::edx, {
        "kvm-hint-dedicated", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}},
    // Bits of 0x80000001:EDX that mirror CPUID.1:EDX on AMD are named by leaf 1.
    {0x80000001, 0, CpuidReg::edx, {
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, "syscall", nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, "nx", nullptr, "mmxext", nullptr,
        nullptr, "fxsr-opt", "pdpe1gb", "rdtscp", nullptr, "lm", "3dnowext", "3dnow"}},
    {0x80000001, 0, CpuidReg::ecx, {
        "lahf-lm", "cmp-legacy", "svm", "extapic", "cr8legacy", "abm", "sse4a", "misalignsse",
        "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", nullptr, "lwp",
        "fma4", "tce", nullptr, "nodeid-msr", nullptr, "tbm", "topoext", "perfctr-core",
        "perfctr-nb", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}},
    {0x80000007, 0, CpuidReg::ebx, {
        "overflow-recov", "succor", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}},
    {0x80000007, 0, CpuidReg::edx, {
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        "invtsc", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}},
    {0x80000008, 0, CpuidReg::ebx, {
        "clzero", nullptr, "xsaveerptr", nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, "wbnoinvd", nullptr, nullptr, "ibpb", nullptr, "ibrs", "amd-stibp",
        nullptr, "stibp-always-on", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        "amd-ssbd", "virt-ssbd", "amd-no-ssb", nullptr, "amd-psfd", nullptr, nullptr, nullptr}},
    {kSvmLeaf, 0, CpuidReg::edx, {
        "npt", "lbrv", "svm-lock", "nrip-save", "tsc-scale", "vmcb-clean", "flushbyasid", "decodeassists",
        nullptr, nullptr, "pause-filter", nullptr, "pfthreshold", "avic", nullptr, "v-vmsave-vmload",
        "vgif", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, "vnmi", nullptr, nullptr, "svme-addr-chk", nullptr, nullptr, nullptr}},
    {0x80000021, 0, CpuidReg::eax, {
        "no-nested-data-bp", nullptr, "lfence-always-serializing", nullptr, nullptr, nullptr, "null-sel-clr-base",
        nullptr, "auto-ibrs", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
        "eraps", nullptr, nullptr, "sbpb", "ibpb-brtype", "srso-no", "srso-user-kernel-no", nullptr}},
};
// clang-format on

std::vector<CpuFeature> build_feature_table() {
  std::vector<CpuFeature> table;
  for (const FeatureWord& w : kFeatureWords)
    for (unsigned bit = 0; bit < 32; ++bit)
      if (w.names[bit]) table.push_back(CpuFeature{w.names[bit], w.function, w.index, w.reg, bit});
  return table;
}

const std::vector<CpuFeature>& feature_table() {
  static const std::vector<CpuFeature> table = build_feature_table();
  return table;
}

// QEMU's legacy spellings (target/i386/cpu.c, x86_cpu_register_feature_bit_props),
// after '_' has become '-'.
constexpr std::pair<std::string_view, std::string_view> kFeatureAliases[] = {
    {"sse3", "pni"}, {"pclmuldq", "pclmulqdq"}, {"sse4-1", "sse4.1"}, {"sse4-2", "sse4.2"},
    {"xd", "nx"},    {"ffxsr", "fxsr-opt"},     {"i64", "lm"},
};

// QEMU's builtin CPU definitions (target/i386/cpu.c, builtin_x86_defs).
struct ModelDefinition {
  std::string_view name;
  uint32_t level, xlevel;
  unsigned family, model, stepping;
  std::string_view brand;
  std::vector<std::string_view> features;
};

// QEMU's PPRO_FEATURES followed by `more`.
std::vector<std::string_view> ppro_features_and(std::initializer_list<std::string_view> more) {
  std::vector<std::string_view> features = {"fpu", "de",   "pse", "tsc", "msr",  "mce", "cx8", "pge", "cmov",
                                            "pat", "fxsr", "mmx", "sse", "sse2", "pae", "sep", "apic"};
  features.insert(features.end(), more);
  return features;
}

const std::vector<ModelDefinition>& model_definitions() {
  static const std::vector<ModelDefinition> defs = {
      {.name = "qemu64",
       .level = 0xd,
       .xlevel = 0x8000000a,
       .family = 15,
       .model = 107,
       .stepping = 1,
       .brand = "QEMU Virtual CPU version 2.5+",
       .features = ppro_features_and(
           {"mtrr", "clflush", "mca", "pse36", "pni", "cx16", "lm", "syscall", "nx", "lahf-lm", "svm"})},
      {.name = "kvm64",
       .level = 0xd,
       .xlevel = 0x80000008,
       .family = 15,
       .model = 6,
       .stepping = 1,
       .brand = "Common KVM processor",
       .features = ppro_features_and({"vme", "mtrr", "clflush", "mca", "pse36", "pni", "cx16", "lm", "syscall", "nx"})},
      // kvm-unit-tests' syscall test asks for it (with vendor=AuthenticAMD).
      {.name = "Opteron_G1",
       .level = 5,
       .xlevel = 0x80000008,
       .family = 15,
       .model = 6,
       .stepping = 1,
       .brand = "AMD Opteron 240 (Gen 1 Class Opteron)",
       .features = ppro_features_and({"vme", "mtrr", "clflush", "mca", "pse36", "pni", "lm", "syscall", "nx"})},
  };
  return defs;
}

// What QEMU turns on and off for every named model under KVM
// (target/i386/kvm/kvm-cpu.c, kvm_default_props); the "on" ones are applied
// only where supported, without warnings.
const std::vector<CpuFlag>& named_model_defaults() {
  // clang-format off
  static const std::vector<CpuFlag> defaults = {
      {"kvmclock", true}, {"kvm-nopiodelay", true}, {"kvm-asyncpf", true}, {"kvm-steal-time", true},
      {"kvm-pv-eoi", true}, {"kvmclock-stable-bit", true}, {"x2apic", true},
      {"kvm-msi-ext-dest-id", false}, {"acpi", false}, {"monitor", false}, {"svm", false},
  };
  // clang-format on
  return defaults;
}

constexpr std::string_view kModelNames[] = {"qemu64", "kvm64", "Opteron_G1", "max", "host"};

// Prerequisites: the first feature is cleared when the second is off.
constexpr std::pair<std::string_view, std::string_view> kDependencies[] = {
    {"avx", "xsave"},
    {"xsaveopt", "xsave"},
    {"xsavec", "xsave"},
    {"xgetbv1", "xsave"},
    {"xsaves", "xsave"},
    {"xfd", "xsave"},
    {"amx-tile", "xsave"},
    {"avx2", "avx"},
    {"fma", "avx"},
    {"f16c", "avx"},
    {"vaes", "avx"},
    {"vpclmulqdq", "avx"},
    {"avx-vnni", "avx"},
    {"avx512f", "avx"},
    {"avx512dq", "avx512f"},
    {"avx512ifma", "avx512f"},
    {"avx512pf", "avx512f"},
    {"avx512er", "avx512f"},
    {"avx512cd", "avx512f"},
    {"avx512bw", "avx512f"},
    {"avx512vl", "avx512f"},
    {"avx512vbmi", "avx512f"},
    {"avx512vbmi2", "avx512f"},
    {"avx512vnni", "avx512f"},
    {"avx512bitalg", "avx512f"},
    {"avx512-vpopcntdq", "avx512f"},
    {"avx512-4vnniw", "avx512f"},
    {"avx512-4fmaps", "avx512f"},
    {"avx512-vp2intersect", "avx512f"},
    {"avx512-fp16", "avx512f"},
    {"avx512-bf16", "avx512f"},
    {"amx-bf16", "amx-tile"},
    {"amx-int8", "amx-tile"},
    {"amx-fp16", "amx-tile"},
    {"amx-complex", "amx-tile"},
    {"npt", "svm"},
    {"lbrv", "svm"},
    {"svm-lock", "svm"},
    {"nrip-save", "svm"},
    {"tsc-scale", "svm"},
    {"vmcb-clean", "svm"},
    {"flushbyasid", "svm"},
    {"decodeassists", "svm"},
    {"pause-filter", "svm"},
    {"pfthreshold", "svm"},
    {"avic", "svm"},
    {"v-vmsave-vmload", "svm"},
    {"vgif", "svm"},
    {"vnmi", "svm"},
    {"svme-addr-chk", "svm"},
};

// XSAVE state components (XCR0 bits, SDM Vol. 1 §13.1) owned by a feature.
// clang-format off
constexpr std::pair<std::string_view, uint64_t> kXsaveComponents[] = {
    {"avx", 1ull << 2},
    {"mpx", (1ull << 3) | (1ull << 4)},
    {"avx512f", (1ull << 5) | (1ull << 6) | (1ull << 7)},
    {"pku", 1ull << 9},
    {"amx-tile", (1ull << 17) | (1ull << 18)},
};
// clang-format on

uint32_t& reg_of(CpuidEntry& e, CpuidReg r) {
  switch (r) {
    case CpuidReg::eax:
      return e.eax;
    case CpuidReg::ebx:
      return e.ebx;
    case CpuidReg::ecx:
      return e.ecx;
    case CpuidReg::edx:
      return e.edx;
  }
  return e.eax;
}

const char* reg_name(CpuidReg r) {
  static constexpr const char* kNames[] = {"EAX", "EBX", "ECX", "EDX"};
  return kNames[static_cast<int>(r)];
}

// Leaves whose output depends on ECX (SDM Vol. 2A, CPUID), even when a table
// does not flag them.
bool index_matters(uint32_t function) {
  switch (function) {
    case 0x4:
    case 0x7:
    case 0xb:
    case kXsaveLeaf:
    case 0xf:
    case 0x10:
    case 0x12:
    case 0x14:
    case 0x17:
    case 0x18:
    case 0x1f:
    case 0x8000001d:
    case 0x80000020:
      return true;
    default:
      return false;
  }
}

class CpuidTable {
 public:
  explicit CpuidTable(std::vector<CpuidEntry> entries) : entries_(std::move(entries)) {}

  CpuidEntry* find(uint32_t function, uint32_t index) {
    for (CpuidEntry& e : entries_)
      if (e.function == function &&
          (e.index == index || !((e.flags & kCpuidFlagSignificantIndex) || index_matters(function))))
        return &e;
    return nullptr;
  }
  bool test(const CpuFeature& f) {
    CpuidEntry* e = find(f.function, f.index);
    return e && (reg_of(*e, f.reg) >> f.bit & 1);
  }
  void set(const CpuFeature& f, bool on) {
    if (CpuidEntry* e = find(f.function, f.index)) {
      uint32_t& r = reg_of(*e, f.reg);
      r = on ? (r | (1u << f.bit)) : (r & ~(1u << f.bit));
    }
  }
  std::vector<CpuidEntry>& entries() { return entries_; }

 private:
  std::vector<CpuidEntry> entries_;
};

// Every table bit with this (canonical) name.
std::vector<const CpuFeature*> features_named(std::string_view name) {
  std::vector<const CpuFeature*> out;
  for (const CpuFeature& f : feature_table())
    if (f.name == name) out.push_back(&f);
  return out;
}

std::string feature_location(const CpuFeature& f) {
  if (index_matters(f.function))
    return fmt::format("CPUID[eax={:02X}h,ecx={:02X}h].{}.{} [bit {}]", f.function, f.index, reg_name(f.reg), f.name,
                       f.bit);
  return fmt::format("CPUID.{:02X}H:{}.{} [bit {}]", f.function, reg_name(f.reg), f.name, f.bit);
}

bool vendor_is_amd(CpuidTable& t) {
  CpuidEntry* leaf0 = t.find(kBasicMaxLeaf, 0);
  if (!leaf0) return false;
  char vendor[12];
  std::memcpy(vendor, &leaf0->ebx, 4);
  std::memcpy(vendor + 4, &leaf0->edx, 4);
  std::memcpy(vendor + 8, &leaf0->ecx, 4);
  std::string_view v(vendor, 12);
  return v == "AuthenticAMD" || v == "HygonGenuine";
}

// Family/model/stepping signature of CPUID.1:EAX (SDM Vol. 2A, CPUID, Figure 3-6).
uint32_t signature(unsigned family, unsigned model, unsigned stepping) {
  uint32_t eax = stepping & 0xf;
  eax |= (model & 0xf) << 4;
  eax |= (model >> 4 & 0xf) << 16;
  if (family > 0xf) {
    eax |= 0xfu << 8;
    eax |= ((family - 0xf) & 0xff) << 20;
  } else {
    eax |= family << 8;
  }
  return eax;
}

// Brand string, 16 bytes per leaf 0x80000002-0x80000004 (SDM Vol. 2A, CPUID);
// NUL-padded, with no terminator when it is 48 characters long, as QEMU does.
void set_brand(CpuidTable& t, std::string_view brand) {
  char bytes[48] = {};
  std::memcpy(bytes, brand.data(), std::min(brand.size(), sizeof bytes));
  for (uint32_t i = 0; i < 3; ++i) {
    if (CpuidEntry* e = t.find(0x80000002 + i, 0)) {
      std::memcpy(&e->eax, bytes + 16 * i, 4);
      std::memcpy(&e->ebx, bytes + 16 * i + 4, 4);
      std::memcpy(&e->ecx, bytes + 16 * i + 8, 4);
      std::memcpy(&e->edx, bytes + 16 * i + 12, 4);
    }
  }
}

// The model's level and xlevel are applied by shape_cpuid, with the rest of
// the leaf limits.
void apply_model(CpuidTable& t, const ModelDefinition& def) {
  // The model's feature words replace the supported ones, bit for bit (the
  // caller then cuts them to what is supported).
  for (const FeatureWord& w : kFeatureWords)
    if (CpuidEntry* e = t.find(w.function, w.index)) reg_of(*e, w.reg) = 0;
  for (std::string_view name : def.features)
    for (const CpuFeature* f : features_named(name)) t.set(*f, true);

  // No architectural PMU: QEMU's named models default to pmu=off.
  if (CpuidEntry* e = t.find(kPmuLeaf, 0)) e->eax = e->ebx = e->ecx = e->edx = 0;

  uint32_t sig = signature(def.family, def.model, def.stepping);
  if (CpuidEntry* e = t.find(0x1, 0)) e->eax = sig;
  if (CpuidEntry* e = t.find(0x80000001, 0)) e->eax = sig;
  set_brand(t, def.brand);
}

// Replaces the given family, model and stepping in a CPUID.1:EAX signature,
// keeping the others and the processor type (bits 13:12). The extended model
// field is read whatever the family, as QEMU does, so that it round-trips.
uint32_t with_signature(uint32_t eax, std::optional<unsigned> family, std::optional<unsigned> model,
                        std::optional<unsigned> stepping) {
  unsigned base_family = eax >> 8 & 0xf;
  unsigned f = family.value_or(base_family == 0xf ? base_family + (eax >> 20 & 0xff) : base_family);
  unsigned m = model.value_or((eax >> 4 & 0xf) | (eax >> 16 & 0xf) << 4);
  unsigned s = stepping.value_or(eax & 0xf);
  constexpr uint32_t kSignatureFields = 0x0fff0fff;
  return (eax & ~kSignatureFields) | signature(f, m, s);
}

// The -cpu properties of one CpuConfig, parsed; unset when not given.
struct CpuProperties {
  std::optional<std::string> vendor, model_id;
  std::optional<unsigned> family, model, stepping, phys_bits;
  std::optional<uint32_t> level, xlevel;
  std::optional<bool> host_phys_bits, pmu;
};

constexpr std::string_view kPropertyNames[] = {"vendor", "model-id", "family",    "model",          "stepping",
                                               "level",  "xlevel",   "phys-bits", "host-phys-bits", "pmu"};

// A number in C syntax (decimal, 0x hex), as QEMU reads integer properties,
// within [min, max].
uint64_t property_number(const CpuProperty& p, uint64_t min, uint64_t max, bool hex) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(p.value.c_str(), &end, 0);
  if (p.value.empty() || !std::isdigit(static_cast<unsigned char>(p.value[0])) || *end != '\0' || errno == ERANGE)
    fail("-cpu {}={}: '{}' is not a number", p.key, p.value, p.value);
  if (v < min || v > max) {
    if (hex) fail("-cpu {}={}: must be between {:#x} and {:#x}", p.key, p.value, min, max);
    fail("-cpu {}={}: must be between {} and {}", p.key, p.value, min, max);
  }
  return v;
}

bool property_switch(const CpuProperty& p) {
  const std::string& v = p.value;
  if (v == "on" || v == "yes" || v == "true") return true;
  if (v == "off" || v == "no" || v == "false") return false;
  fail("-cpu {}={}: '{}' is not on or off", p.key, p.value, p.value);
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

void parse_property(const CpuProperty& p, CpuProperties& out) {
  const std::string& key = p.key;
  if (key == "vendor") {
    // Three 4-byte registers (SDM Vol. 2A, CPUID leaf 0).
    if (p.value.size() != 12 || !printable_ascii(p.value))
      fail("-cpu vendor={}: the vendor must be exactly 12 ASCII characters, like GenuineIntel or AuthenticAMD",
           p.value);
    out.vendor = p.value;
  } else if (key == "model-id") {
    // Three leaves of 16 bytes (SDM Vol. 2A, CPUID leaves 80000002H-80000004H).
    if (p.value.size() > 48 || !printable_ascii(p.value))
      fail("-cpu model-id={}: the brand string must be at most 48 ASCII characters ({} given)", p.value,
           p.value.size());
    out.model_id = p.value;
  } else if (key == "family") {
    // Family 0xF plus the 8-bit extended family (SDM Vol. 2A, CPUID, Figure 3-6).
    out.family = static_cast<unsigned>(property_number(p, 0, 0xf + 0xff, false));
  } else if (key == "model") {
    out.model = static_cast<unsigned>(property_number(p, 0, 0xff, false));  // model and extended model nibbles
  } else if (key == "stepping") {
    out.stepping = static_cast<unsigned>(property_number(p, 0, 0xf, false));
  } else if (key == "level") {
    out.level = static_cast<uint32_t>(property_number(p, 0, kHypervisorBase - 1, true));
  } else if (key == "xlevel") {
    out.xlevel = static_cast<uint32_t>(property_number(p, kExtendedBase, 0x8fffffff, true));
  } else if (key == "phys-bits") {
    // MAXPHYADDR is at most 52 (SDM Vol. 3A §4.1.4); QEMU's lower bound is 32.
    out.phys_bits = static_cast<unsigned>(property_number(p, 32, 52, false));
  } else if (key == "host-phys-bits") {
    out.host_phys_bits = property_switch(p);
  } else if (key == "pmu") {
    out.pmu = property_switch(p);
  } else {
    fail("-cpu {}={}: unknown CPU property '{}'; supported: {}", p.key, p.value, p.key,
         fmt::join(kPropertyNames, ", "));
  }
}

void set_vendor(CpuidTable& t, std::string_view vendor) {
  for (uint32_t function : {kBasicMaxLeaf, kExtendedBase}) {
    if (CpuidEntry* e = t.find(function, 0)) {
      std::memcpy(&e->ebx, vendor.data(), 4);
      std::memcpy(&e->edx, vendor.data() + 4, 4);
      std::memcpy(&e->ecx, vendor.data() + 8, 4);
    }
  }
}

void clear_features(CpuidTable& t, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names)
    for (const CpuFeature* f : features_named(name)) t.set(*f, false);
}

// No architectural PMU (SDM Vol. 3B §20.2.1 enumerates it through leaf 0xA),
// no PERF_CAPABILITIES MSR, no AMD core counters, as QEMU's pmu=off.
void remove_pmu(CpuidTable& t) {
  for (CpuidEntry& e : t.entries())
    if (e.function == kPmuLeaf || e.function == kAmdPerfMonLeaf) e.eax = e.ebx = e.ecx = e.edx = 0;
  clear_features(t, {"pdcm", "perfctr-core"});
}

// CPUID.0x80000008:EAX[7:0], MAXPHYADDR (SDM Vol. 2A, CPUID).
void set_phys_bits(CpuidTable& t, CpuidTable& host, const std::string& model, const CpuProperties& props,
                   std::vector<std::string>* warnings) {
  CpuidEntry* e = t.find(kAddressSizeLeaf, 0);
  CpuidEntry* supported = host.find(kAddressSizeLeaf, 0);
  if (!e || !supported) {
    if (props.phys_bits || props.host_phys_bits.value_or(false))
      fail("-cpu {}: the engine reports no CPUID leaf 0x80000008, so the physical address width cannot be set",
           props.phys_bits ? fmt::format("phys-bits={}", *props.phys_bits) : "host-phys-bits");
    return;
  }
  unsigned host_bits = supported->eax & 0xff;
  unsigned bits;
  if (props.host_phys_bits.value_or(model == "max" || model == "host")) {
    bits = host_bits;
    if (props.phys_bits && *props.phys_bits != host_bits && warnings)
      warnings->push_back(fmt::format(
          "-cpu phys-bits={} is ignored: host-phys-bits is on (the default for max and host), giving the host's {}; "
          "add host-phys-bits=off to use phys-bits",
          *props.phys_bits, host_bits));
  } else if (props.phys_bits) {
    bits = *props.phys_bits;
    // Guest-physical addresses are host-physical to the MMU's second stage:
    // a wider guest could place memory or MMIO where the host cannot map it.
    if (bits > host_bits)
      fail("-cpu phys-bits={}: the host supports only {} physical address bits, and the guest cannot have more", bits,
           host_bits);
  } else {
    bits = std::min(kDefaultPhysBits, host_bits);
  }
  e->eax = (e->eax & ~0xffu) | bits;
}

// Sets the highest basic and extended leaves and drops the leaves above them
// (hypervisor leaves stay as supported).
void limit_leaves(CpuidTable& t, const ModelDefinition* model, const CpuProperties& props) {
  CpuidEntry* leaf0 = t.find(kBasicMaxLeaf, 0);
  CpuidEntry* ext0 = t.find(kExtendedBase, 0);
  uint32_t supported_level = leaf0 ? leaf0->eax : 0;
  uint32_t supported_xlevel = ext0 ? ext0->eax : 0;
  if (props.level && *props.level > supported_level)
    fail("-cpu level={:#x}: the engine supports basic CPUID leaves up to {:#x} only", *props.level, supported_level);
  if (props.xlevel && *props.xlevel > supported_xlevel)
    fail("-cpu xlevel={:#x}: the engine supports extended CPUID leaves up to {:#x} only", *props.xlevel,
         supported_xlevel);
  uint32_t level = props.level.value_or(model ? std::min(model->level, supported_level) : supported_level);
  uint32_t xlevel = props.xlevel.value_or(model ? std::min(model->xlevel, supported_xlevel) : supported_xlevel);
  if (leaf0) leaf0->eax = level;
  if (ext0) ext0->eax = xlevel;
  std::erase_if(t.entries(), [&](const CpuidEntry& e) {
    if (e.function < kHypervisorBase) return e.function > level;
    if (e.function < kExtendedBase) return false;
    return !ext0 || e.function > xlevel;
  });
}

// Leaf 0xD describes only the state components of enabled features, and
// nothing without XSAVE (SDM Vol. 1 §13.2).
void fix_xsave_leaf(CpuidTable& t) {
  bool xsave = false;
  for (const CpuFeature* x : features_named("xsave")) xsave = t.test(*x);
  if (!xsave) {
    for (CpuidEntry& e : t.entries())
      if (e.function == kXsaveLeaf) e.eax = e.ebx = e.ecx = e.edx = 0;
    return;
  }
  uint64_t dropped = 0;
  for (const auto& [name, components] : kXsaveComponents) {
    bool on = false;
    for (const CpuFeature* x : features_named(name)) on = on || t.test(*x);
    if (!on) dropped |= components;
  }
  CpuidEntry* main = t.find(kXsaveLeaf, 0);
  if (!main || !dropped) return;
  uint64_t xcr0 = (uint64_t{main->edx} << 32 | main->eax) & ~dropped;
  main->eax = static_cast<uint32_t>(xcr0);
  main->edx = static_cast<uint32_t>(xcr0 >> 32);
  // Maximum save-area size for the remaining user components: legacy area
  // and header (576 bytes) or the end of the furthest component.
  uint32_t size = 576;
  for (CpuidEntry& e : t.entries()) {
    if (e.function != kXsaveLeaf || e.index < 2 || e.index > 63) continue;
    if (dropped >> e.index & 1)
      e.eax = e.ebx = e.ecx = e.edx = 0;
    else if (xcr0 >> e.index & 1)
      size = std::max(size, e.eax + e.ebx);
  }
  main->ecx = size;
  main->ebx = std::min(main->ebx, size);
}

}  // namespace

std::span<const CpuFeature> cpu_features() { return feature_table(); }

std::string canonical_cpu_feature(std::string_view name) {
  std::string n(name);
  std::replace(n.begin(), n.end(), '_', '-');
  for (const auto& [alias, canonical] : kFeatureAliases)
    if (n == alias) n = canonical;
  return features_named(n).empty() ? std::string() : n;
}

std::span<const std::string_view> cpu_model_names() { return kModelNames; }

bool is_cpu_property(std::string_view key) {
  return std::find(std::begin(kPropertyNames), std::end(kPropertyNames), key) != std::end(kPropertyNames);
}

void check_cpu_property(const CpuProperty& p) {
  CpuProperties scratch;
  parse_property(p, scratch);
}

bool is_cpu_model(std::string_view name) {
  return std::find(std::begin(kModelNames), std::end(kModelNames), name) != std::end(kModelNames);
}

std::vector<CpuidEntry> shape_cpuid(const std::vector<CpuidEntry>& supported, const CpuConfig& cfg,
                                    std::vector<std::string>* warnings) {
  if (!is_cpu_model(cfg.model))
    fail("unknown CPU model '{}'; supported models: {}", cfg.model, fmt::join(kModelNames, ", "));
  std::vector<std::pair<std::string, bool>> requests;
  for (const CpuFlag& flag : cfg.flags) {
    std::string name = canonical_cpu_feature(flag.name);
    if (name.empty()) fail("unknown CPU feature '{}' in -cpu {}", flag.name, cfg.model);
    requests.emplace_back(name, flag.enable);
  }

  CpuProperties props;
  for (const CpuProperty& p : cfg.properties) parse_property(p, props);

  CpuidTable host(supported);
  CpuidTable t(supported);
  auto it = std::find_if(model_definitions().begin(), model_definitions().end(),
                         [&](const ModelDefinition& d) { return d.name == cfg.model; });
  const ModelDefinition* model = it != model_definitions().end() ? &*it : nullptr;
  if (model) {
    apply_model(t, *model);
    for (const CpuFeature& f : feature_table())
      if (t.test(f) && !host.test(f)) t.set(f, false);  // the model, cut to what is supported
    for (const CpuFlag& d : named_model_defaults())
      for (const CpuFeature* f : features_named(d.name)) t.set(*f, d.enable && host.test(*f));
  }
  for (const CpuFeature* f : features_named("hypervisor")) t.set(*f, true);

  for (const auto& [name, enable] : requests) {
    for (const CpuFeature* f : features_named(name)) {
      if (enable && !host.test(*f)) {
        if (warnings) warnings->push_back("host doesn't support requested feature: " + feature_location(*f));
        continue;
      }
      t.set(*f, enable);
    }
  }

  if (props.vendor) set_vendor(t, *props.vendor);
  if (props.family || props.model || props.stepping) {
    CpuidEntry* l1 = t.find(0x1, 0);
    CpuidEntry* ext = t.find(0x80000001, 0);
    if (l1) {
      // AMD repeats the signature in CPUID.0x80000001:EAX (AMD APM Vol. 3, CPUID Fn8000_0001_EAX).
      if (ext && ext->eax == l1->eax) ext->eax = with_signature(ext->eax, props.family, props.model, props.stepping);
      l1->eax = with_signature(l1->eax, props.family, props.model, props.stepping);
    }
  }
  if (props.model_id) {
    if (!t.find(0x80000004, 0))
      fail("-cpu model-id={}: the engine reports no brand string leaves (0x80000002-0x80000004)", *props.model_id);
    set_brand(t, *props.model_id);
  }
  if (props.pmu == false) {
    remove_pmu(t);
  } else if (props.pmu == true) {
    for (CpuidEntry& e : t.entries())
      if (e.function == kPmuLeaf)
        if (CpuidEntry* s = host.find(kPmuLeaf, e.index)) e = *s;
  }
  set_phys_bits(t, host, cfg.model, props, warnings);

  // AMD repeats most CPUID.1:EDX bits in CPUID.0x80000001:EDX (AMD APM Vol. 3,
  // CPUID Fn8000_0001_EDX); keep the copies in step.
  if (vendor_is_amd(t)) {
    constexpr uint32_t kAmdAliases = 0x0183f3ff;
    CpuidEntry* l1 = t.find(0x1, 0);
    CpuidEntry* ext = t.find(0x80000001, 0);
    if (l1 && ext) ext->edx = (ext->edx & ~kAmdAliases) | (l1->edx & kAmdAliases);
  }

  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& [dependent, prerequisite] : kDependencies) {
      bool needed = false;
      for (const CpuFeature* f : features_named(prerequisite)) needed = needed || t.test(*f);
      if (needed) continue;
      for (const CpuFeature* f : features_named(dependent)) {
        if (!t.test(*f)) continue;
        t.set(*f, false);
        changed = true;
        bool requested = std::any_of(requests.begin(), requests.end(),
                                     [&](const auto& r) { return r.first == dependent && r.second; });
        if (requested && warnings)
          warnings->push_back(fmt::format("CPU feature '{}' needs '{}', which is off; '{}' disabled", dependent,
                                          prerequisite, dependent));
      }
    }
  }

  fix_xsave_leaf(t);
  bool svm = false;
  for (const CpuFeature* f : features_named("svm")) svm = t.test(*f);
  if (!svm)
    if (CpuidEntry* e = t.find(kSvmLeaf, 0)) e->eax = e->ebx = e->ecx = e->edx = 0;
  limit_leaves(t, model, props);
  return std::move(t.entries());
}

void set_apic_id(std::vector<CpuidEntry>& entries, uint32_t apic_id) {
  for (CpuidEntry& e : entries) {
    if (e.function == 0x1) e.ebx = (e.ebx & 0x00ffffff) | (apic_id & 0xff) << 24;
    if (e.function == 0xb || e.function == 0x1f) e.edx = apic_id;
    if (e.function == 0x8000001e) e.eax = apic_id;
  }
}

bool has_cpu_feature(const std::vector<CpuidEntry>& entries, std::string_view name) {
  CpuidTable t(entries);
  for (const CpuFeature* f : features_named(name))
    if (t.test(*f)) return true;
  return false;
}

void clear_cpu_feature(std::vector<CpuidEntry>& entries, std::string_view name) {
  CpuidTable t(std::move(entries));
  for (const CpuFeature* f : features_named(name)) t.set(*f, false);
  entries = std::move(t.entries());
}

}  // namespace nv
