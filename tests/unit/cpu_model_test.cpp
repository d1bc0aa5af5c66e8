#include "cpuid/cpu_model.h"

#include "util/error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace nv {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kIdx = kCpuidFlagSignificantIndex;

uint32_t bits(std::initializer_list<unsigned> list) {
  uint32_t v = 0;
  for (unsigned b : list) v |= 1u << b;
  return v;
}

void set_vendor(CpuidEntry& leaf0, const char* vendor) {
  std::memcpy(&leaf0.ebx, vendor, 4);
  std::memcpy(&leaf0.edx, vendor + 4, 4);
  std::memcpy(&leaf0.ecx, vendor + 8, 4);
}

// A synthetic "supported" table shaped like KVM_GET_SUPPORTED_CPUID on a
// recent Intel host.
std::vector<CpuidEntry> intel_host() {
  std::vector<CpuidEntry> t;
  CpuidEntry leaf0{0x0, 0, 0, 0x1f, 0, 0, 0};
  set_vendor(leaf0, "GenuineIntel");
  t.push_back(leaf0);
  // 1.ECX: pni pclmulqdq vmx ssse3 fma cx16 pcid sse4.1 sse4.2 x2apic movbe
  // popcnt tsc-deadline aes xsave avx f16c rdrand; 1.EDX: the usual set.
  t.push_back({0x1, 0, 0, 0x000906ea, 0x00100800,
               bits({0, 1, 5, 9, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30}), 0x178bfbff});
  t.push_back({0x4, 0, kIdx, 0x1c004121, 0x01c0003f, 0x3f, 0});
  t.push_back({0x6, 0, 0, bits({2}), 0, 0, 0});
  t.push_back({0xa, 0, 0, 0x07300402, 0, 0, 0x603});
  // 7.0: fsgsbase avx2 smep bmi2 erms invpcid smap | umip pku la57 | spec-ctrl arch-capabilities.
  t.push_back({0x7, 0, kIdx, 1, bits({0, 5, 7, 8, 9, 10, 20}), bits({2, 3, 16}), bits({26, 29})});
  t.push_back({0x7, 1, kIdx, bits({4}), 0, 0, 0});
  t.push_back({0xb, 0, kIdx, 1, 1, 0x100, 0});
  t.push_back({0xb, 1, kIdx, 4, 2, 0x201, 0});
  // 0xD: x87 SSE AVX PKRU.
  t.push_back({0xd, 0, kIdx, 0x207, 0x240, 0xa88, 0});
  t.push_back({0xd, 1, kIdx, bits({0, 1, 2, 3}), 0, 0, 0});
  t.push_back({0xd, 2, kIdx, 256, 576, 0, 0});
  t.push_back({0xd, 9, kIdx, 8, 0xa80, 0, 0});
  t.push_back({0x14, 0, kIdx, 1, 0xf, 7, 0});
  t.push_back({0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d});
  // kvmclock(0,3) nopiodelay asyncpf steal-time pv-eoi pv-unhalt stable-bit.
  t.push_back({0x40000001, 0, 0, bits({0, 1, 3, 4, 5, 6, 7, 24}), 0, 0, 0});
  t.push_back({0x80000000, 0, 0, 0x80000008, 0, 0, 0});
  // lahf-lm abm 3dnowprefetch | syscall nx pdpe1gb rdtscp lm.
  t.push_back({0x80000001, 0, 0, 0, 0, bits({0, 5, 8}), bits({11, 20, 26, 27, 29})});
  t.push_back({0x80000002, 0, 0, 0x65746e49, 0x2952286c, 0, 0});
  t.push_back({0x80000003, 0, 0, 0, 0, 0, 0});
  t.push_back({0x80000004, 0, 0, 0, 0, 0, 0});
  t.push_back({0x80000008, 0, 0, 0x3030, bits({9}), 0, 0});
  return t;
}

std::vector<CpuidEntry> amd_host() {
  auto t = intel_host();
  set_vendor(t[0], "AuthenticAMD");
  for (CpuidEntry& e : t) {
    if (e.function == 0x80000000) e.eax = 0x8000001f;
    if (e.function == 0x80000001) e.ecx |= bits({2});  // svm
  }
  t.push_back({0x8000000a, 0, 0, 1, 0x8000, 0, bits({0, 3})});
  return t;
}

const CpuidEntry* find(const std::vector<CpuidEntry>& t, uint32_t function, uint32_t index = 0) {
  for (const CpuidEntry& e : t)
    if (e.function == function && e.index == index) return &e;
  return nullptr;
}

const CpuidEntry& get(const std::vector<CpuidEntry>& t, uint32_t function, uint32_t index = 0) {
  const CpuidEntry* e = find(t, function, index);
  if (!e) throw std::runtime_error("missing CPUID leaf");
  return *e;
}

CpuConfig cpu(std::string model, std::vector<CpuFlag> flags = {}, std::vector<CpuProperty> properties = {}) {
  return CpuConfig{std::move(model), std::move(flags), std::move(properties)};
}

CpuConfig cpu_props(std::string model, std::vector<CpuProperty> properties) {
  return cpu(std::move(model), {}, std::move(properties));
}

std::string vendor_of(const std::vector<CpuidEntry>& t) {
  const CpuidEntry& l0 = get(t, 0);
  char v[13] = {};
  std::memcpy(v, &l0.ebx, 4);
  std::memcpy(v + 4, &l0.edx, 4);
  std::memcpy(v + 8, &l0.ecx, 4);
  return v;
}

std::string brand_of(const std::vector<CpuidEntry>& t) {
  char b[49] = {};
  for (uint32_t i = 0; i < 3; ++i) {
    const CpuidEntry& e = get(t, 0x80000002 + i);
    std::memcpy(b + 16 * i, &e.eax, 4);
    std::memcpy(b + 16 * i + 4, &e.ebx, 4);
    std::memcpy(b + 16 * i + 8, &e.ecx, 4);
    std::memcpy(b + 16 * i + 12, &e.edx, 4);
  }
  return b;
}

std::string error_of(const std::vector<CpuidEntry>& host, const CpuConfig& cfg) {
  try {
    shape_cpuid(host, cfg, nullptr);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string error_of(const CpuConfig& cfg) { return error_of(intel_host(), cfg); }

TEST(CpuModel, MaxAndHostPassSupportedThroughWithTheHypervisorBit) {
  auto host = intel_host();
  for (const char* model : {"max", "host"}) {
    std::vector<std::string> warnings;
    auto t = shape_cpuid(host, cpu(model), &warnings);
    ASSERT_EQ(t.size(), host.size()) << model;
    for (size_t i = 0; i < t.size(); ++i) {
      uint32_t ecx = host[i].ecx | (host[i].function == 1 ? 1u << 31 : 0);
      EXPECT_EQ(t[i].eax, host[i].eax) << model << " leaf " << std::hex << host[i].function;
      EXPECT_EQ(t[i].ebx, host[i].ebx);
      EXPECT_EQ(t[i].ecx, ecx);
      EXPECT_EQ(t[i].edx, host[i].edx);
    }
    EXPECT_TRUE(warnings.empty());
  }
}

TEST(CpuModel, Qemu64IsQemusDefinitionCutToSupported) {
  auto t = shape_cpuid(intel_host(), cpu("qemu64"), nullptr);
  EXPECT_EQ(get(t, 0).eax, 0xdu) << "level 0xd";
  EXPECT_EQ(vendor_of(t), "GenuineIntel") << "QEMU keeps the host vendor under KVM";
  EXPECT_EQ(get(t, 1).eax, 0x00060fb1u) << "family 15 model 107 stepping 1";
  EXPECT_EQ(get(t, 1).ebx, 0x00100800u) << "non-feature registers come from supported";
  // pni cx16, x2apic (QEMU's KVM default) and hypervisor; no avx, xsave, vmx, ...
  EXPECT_EQ(get(t, 1).ecx, bits({0, 13, 21, 31}));
  // PPRO_FEATURES | mtrr clflush mca pse36, as far as supported.
  EXPECT_EQ(get(t, 1).edx,
            bits({0, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 19, 23, 24, 25, 26}) & 0x178bfbffu);
  EXPECT_EQ(get(t, 7).ebx, 0u) << "no avx2, smep, ...";
  EXPECT_EQ(get(t, 7).ecx, 0u) << "no pku, umip, ...";
  EXPECT_EQ(get(t, 7).edx, 0u);
  EXPECT_EQ(get(t, 6).eax, 0u);
  EXPECT_EQ(get(t, 0xa).eax | get(t, 0xa).edx, 0u) << "no PMU, as QEMU's pmu=off";
  EXPECT_EQ(find(t, 0x14), nullptr) << "leaves above level 0xd are dropped";
  EXPECT_EQ(get(t, 0xd, 0).eax, 0u) << "no xsave: leaf 0xD is empty";
  EXPECT_EQ(get(t, 0xd, 2).eax, 0u);
  EXPECT_EQ(get(t, 0xb, 1).ecx, 0x201u) << "topology comes from supported";
  EXPECT_EQ(get(t, 0x80000001).edx, bits({11, 20, 29})) << "syscall nx lm, no rdtscp or pdpe1gb";
  EXPECT_EQ(get(t, 0x80000001).ecx, bits({0})) << "lahf-lm; svm is off by default";
  EXPECT_EQ(brand_of(t), "QEMU Virtual CPU version 2.5+");
  EXPECT_EQ(get(t, 0x80000008).eax, 0x3028u) << "QEMU's default of 40 physical address bits; 48 linear";
  EXPECT_EQ(get(t, 0x80000008).ebx, 0u);
  EXPECT_EQ(get(t, 0x40000000).ebx, 0x4b4d564bu) << "hypervisor leaves stay";
  EXPECT_EQ(get(t, 0x40000001).eax, bits({0, 1, 3, 4, 5, 6, 24})) << "QEMU's KVM defaults, no pv-unhalt";
}

TEST(CpuModel, Kvm64Signature) {
  auto t = shape_cpuid(intel_host(), cpu("kvm64"), nullptr);
  EXPECT_EQ(get(t, 1).eax, 0x00000f61u);
  EXPECT_EQ(get(t, 0x80000000).eax, 0x80000008u);
  EXPECT_EQ(brand_of(t), "Common KVM processor");
}

TEST(CpuModel, OpteronG1SignatureAndLevels) {
  auto t = shape_cpuid(intel_host(), cpu("Opteron_G1"), nullptr);
  EXPECT_EQ(get(t, 1).eax, 0x00000f61u);
  EXPECT_EQ(get(t, 0).eax, 5u) << "max basic leaf";
  EXPECT_EQ(brand_of(t), "AMD Opteron 240 (Gen 1 Class Opteron)");
  EXPECT_TRUE(get(t, 0x80000001).edx & bits({29})) << "lm";
  EXPECT_FALSE(get(t, 1).ecx & bits({13})) << "no cx16 on the first Opterons";
}

TEST(CpuModel, PlusFlagsEnableSupportedFeaturesIncludingQemuSpellings) {
  auto t =
      shape_cpuid(intel_host(), cpu("qemu64", {{"x2apic", true}, {"tsc_deadline", true}, {"sse4_1", true}}), nullptr);
  EXPECT_TRUE(get(t, 1).ecx & bits({21}));
  EXPECT_TRUE(get(t, 1).ecx & bits({24})) << "tsc-deadline";
  EXPECT_TRUE(get(t, 1).ecx & bits({19})) << "sse4.1";
}

TEST(CpuModel, MinusFlagsClearAndLaterFlagsWin) {
  auto t = shape_cpuid(intel_host(), cpu("qemu64", {{"x2apic", false}, {"pcid", true}, {"pcid", false}}), nullptr);
  EXPECT_FALSE(get(t, 1).ecx & bits({21})) << "x2apic off although a KVM default";
  EXPECT_FALSE(get(t, 1).ecx & bits({17})) << "pcid";
  auto u = shape_cpuid(intel_host(), cpu("qemu64", {{"pcid", true}, {"invpcid", true}}), nullptr);
  EXPECT_TRUE(get(u, 1).ecx & bits({17}));
  EXPECT_TRUE(get(u, 7).ebx & bits({10})) << "invpcid";
}

TEST(CpuModel, MinusPkuOnMaxAlsoDropsTheXsaveComponent) {
  auto t = shape_cpuid(intel_host(), cpu("max", {{"pku", false}}), nullptr);
  EXPECT_FALSE(get(t, 7).ecx & bits({3}));
  EXPECT_TRUE(get(t, 7).ecx & bits({2})) << "umip untouched";
  EXPECT_EQ(get(t, 0xd, 0).eax, 0x7u) << "PKRU state component gone";
  EXPECT_EQ(get(t, 0xd, 9).eax, 0u);
  EXPECT_EQ(get(t, 0xd, 0).ecx, 576u + 256u) << "save area ends after the AVX state";
}

TEST(CpuModel, MinusXsaveClearsDependentsAndLeafD) {
  auto t = shape_cpuid(intel_host(), cpu("max", {{"xsave", false}}), nullptr);
  EXPECT_EQ(get(t, 1).ecx & bits({12, 26, 28, 29}), 0u) << "fma xsave avx f16c";
  EXPECT_FALSE(get(t, 7).ebx & bits({5})) << "avx2";
  EXPECT_EQ(get(t, 7, 1).eax, 0u) << "avx-vnni";
  for (uint32_t sub : {0u, 1u, 2u, 9u}) {
    const CpuidEntry& e = get(t, 0xd, sub);
    EXPECT_EQ(e.eax | e.ebx | e.ecx | e.edx, 0u) << "subleaf " << sub;
  }
  EXPECT_TRUE(get(t, 1).ecx & bits({9})) << "ssse3 does not depend on xsave";
}

TEST(CpuModel, UnsupportedRequestedFeatureWarnsAndStaysOff) {
  std::vector<std::string> warnings;
  auto t = shape_cpuid(intel_host(), cpu("qemu64", {{"svm", true}, {"avx512f", true}}), &warnings);
  EXPECT_FALSE(get(t, 0x80000001).ecx & bits({2}));
  EXPECT_FALSE(get(t, 7).ebx & bits({16}));
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "host doesn't support requested feature: CPUID.80000001H:ECX.svm [bit 2]");
  EXPECT_EQ(warnings[1], "host doesn't support requested feature: CPUID[eax=07h,ecx=00h].EBX.avx512f [bit 16]");
}

TEST(CpuModel, RequestedFeatureWithoutItsPrerequisiteIsDroppedWithAWarning) {
  std::vector<std::string> warnings;
  auto t = shape_cpuid(intel_host(), cpu("qemu64", {{"avx2", true}}), &warnings);
  EXPECT_FALSE(get(t, 7).ebx & bits({5}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("'avx2' needs 'avx'"));
  auto u = shape_cpuid(intel_host(), cpu("qemu64", {{"xsave", true}, {"avx", true}, {"avx2", true}}), nullptr);
  EXPECT_TRUE(get(u, 7).ebx & bits({5}));
  EXPECT_EQ(get(u, 0xd, 0).eax, 0x7u) << "x87 SSE AVX; PKRU off with pku";
}

TEST(CpuModel, AmdVendorMirrorsLeaf1EdxIntoExtendedLeafAndKeepsSvmLeafWithSvm) {
  auto off = shape_cpuid(amd_host(), cpu("qemu64"), nullptr);
  EXPECT_EQ(vendor_of(off), "AuthenticAMD");
  EXPECT_EQ(get(off, 0x80000001).edx & 0x0183f3ffu, get(off, 1).edx & 0x0183f3ffu);
  EXPECT_EQ(get(off, 0x8000000a).edx, 0u) << "svm off by default: SVM leaf empty";
  auto on = shape_cpuid(amd_host(), cpu("qemu64", {{"svm", true}}), nullptr);
  EXPECT_TRUE(get(on, 0x80000001).ecx & bits({2}));
  EXPECT_EQ(get(on, 0x8000000a).edx, 0u) << "qemu64 has no SVM sub-features";
  auto max = shape_cpuid(amd_host(), cpu("max", {{"npt", false}}), nullptr);
  EXPECT_EQ(get(max, 0x8000000a).edx, bits({3})) << "-npt keeps nrip-save";
  EXPECT_EQ(get(max, 0x8000000a).ebx, 0x8000u) << "ASID count stays";
}

TEST(CpuModel, UnknownModelAndFeatureAreErrors) {
  EXPECT_THAT(error_of(cpu("Skylake-Server")), HasSubstr("unknown CPU model 'Skylake-Server'"));
  EXPECT_THAT(error_of(cpu("Skylake-Server")), HasSubstr("qemu64, kvm64, Opteron_G1, max, host"));
  EXPECT_THAT(error_of(cpu("max", {{"frobnicate", true}})), HasSubstr("unknown CPU feature 'frobnicate'"));
}

TEST(CpuModel, CanonicalNames) {
  EXPECT_EQ(canonical_cpu_feature("tsc_deadline"), "tsc-deadline");
  EXPECT_EQ(canonical_cpu_feature("sse4_2"), "sse4.2");
  EXPECT_EQ(canonical_cpu_feature("sse4.1"), "sse4.1");
  EXPECT_EQ(canonical_cpu_feature("xd"), "nx");
  EXPECT_EQ(canonical_cpu_feature("sse3"), "pni");
  EXPECT_EQ(canonical_cpu_feature("kvm_pv_eoi"), "kvm-pv-eoi");
  EXPECT_EQ(canonical_cpu_feature("vmx-mbec"), "");
  EXPECT_EQ(canonical_cpu_feature("host-phys-bits"), "");
  EXPECT_TRUE(is_cpu_model("qemu64"));
  EXPECT_FALSE(is_cpu_model("qemu32"));
}

TEST(CpuModel, FeatureTableHasQemuNamesInTheRightPlaces) {
  auto where = [](std::string_view name) {
    for (const CpuFeature& f : cpu_features())
      if (f.name == name) return fmt::format("{:x}.{}.{}.{}", f.function, f.index, static_cast<int>(f.reg), f.bit);
    return std::string("missing");
  };
  EXPECT_EQ(where("x2apic"), "1.0.2.21");
  EXPECT_EQ(where("vmx"), "1.0.2.5");
  EXPECT_EQ(where("pku"), "7.0.2.3");
  EXPECT_EQ(where("la57"), "7.0.2.16");
  EXPECT_EQ(where("spec-ctrl"), "7.0.3.26");
  EXPECT_EQ(where("xsaves"), "d.1.0.3");
  EXPECT_EQ(where("rdtscp"), "80000001.0.3.27");
  EXPECT_EQ(where("kvm-pv-eoi"), "40000001.0.0.6");
  EXPECT_EQ(where("invtsc"), "80000007.0.3.8");
  EXPECT_EQ(where("arat"), "6.0.0.2");
}

TEST(CpuModel, SetApicIdPatchesEveryPlaceTheIdAppears) {
  auto t = shape_cpuid(amd_host(), cpu("max"), nullptr);
  t.push_back({0x8000001e, 0, 0, 0, 0x100, 0, 0});
  set_apic_id(t, 0x1234);
  EXPECT_EQ(get(t, 1).ebx, 0x34100800u) << "8-bit initial APIC ID in EBX[31:24], the rest kept";
  EXPECT_EQ(get(t, 0xb, 0).edx, 0x1234u);
  EXPECT_EQ(get(t, 0xb, 1).edx, 0x1234u);
  EXPECT_EQ(get(t, 0x8000001e).eax, 0x1234u);
  EXPECT_EQ(get(t, 0x8000001e).ebx, 0x100u);
}

// ---- -cpu properties ----

TEST(CpuProperties, VendorGoesToLeaf0AndTheExtendedVendorLeaf) {
  for (const char* model : {"max", "qemu64"}) {
    auto t = shape_cpuid(amd_host(), cpu_props(model, {{"vendor", "GenuineIntel"}}), nullptr);
    EXPECT_EQ(vendor_of(t), "GenuineIntel") << model;
    const CpuidEntry& ext = get(t, 0x80000000);
    EXPECT_EQ(ext.ebx, get(t, 0).ebx);
    EXPECT_EQ(ext.edx, get(t, 0).edx);
    EXPECT_EQ(ext.ecx, get(t, 0).ecx);
    EXPECT_EQ(get(t, 0).eax, model == std::string("max") ? 0x1fu : 0xdu) << "the maximum leaf stays";
    EXPECT_EQ(ext.eax, model == std::string("max") ? 0x8000001fu : 0x8000000au);
  }
  // An Intel vendor turns off the AMD mirroring of leaf 1 EDX into 0x80000001 EDX.
  auto intel = shape_cpuid(amd_host(), cpu_props("max", {{"vendor", "GenuineIntel"}}), nullptr);
  EXPECT_EQ(get(intel, 0x80000001).edx, bits({11, 20, 26, 27, 29}));
  auto amd = shape_cpuid(amd_host(), cpu("max"), nullptr);
  EXPECT_NE(get(amd, 0x80000001).edx, bits({11, 20, 26, 27, 29}));
}

TEST(CpuProperties, LastValueWins) {
  auto t =
      shape_cpuid(intel_host(), cpu_props("max", {{"vendor", "AuthenticAMD"}, {"vendor", "HygonGenuine"}}), nullptr);
  EXPECT_EQ(vendor_of(t), "HygonGenuine");
}

TEST(CpuProperties, FamilyModelSteppingEncodeLeaf1Eax) {
  struct Case {
    std::vector<CpuProperty> props;
    uint32_t eax;  // on top of intel_host()'s 0x000906ea (family 6, model 0x9e, stepping 0xa)
  };
  const Case cases[] = {
      {{{"family", "6"}, {"model", "85"}, {"stepping", "7"}}, 0x00050657},       // Skylake-SP: model 0x55
      {{{"family", "15"}}, 0x00090fea},                                          // family 0xF, extended family 0
      {{{"family", "0x17"}, {"model", "0x31"}, {"stepping", "0"}}, 0x00830f10},  // Zen 2: 0xF + 8
      {{{"family", "0x10e"}, {"model", "0xff"}, {"stepping", "15"}}, 0x0fff0fff},
      {{{"model", "0x3a"}}, 0x000306aa},  // only the model fields change
      {{{"stepping", "1"}}, 0x000906e1},
      {{{"family", "4"}}, 0x000904ea},
  };
  for (const Case& c : cases) {
    auto t = shape_cpuid(intel_host(), cpu_props("max", c.props), nullptr);
    EXPECT_EQ(get(t, 1).eax, c.eax) << std::hex << c.eax;
    EXPECT_EQ(get(t, 0x80000001).eax, 0u) << "Intel does not mirror the signature";
  }
  auto host = intel_host();
  for (CpuidEntry& e : host)
    if (e.function == 1) e.eax |= 1u << 12;  // processor type 1
  auto typed = shape_cpuid(host, cpu_props("max", {{"stepping", "2"}}), nullptr);
  EXPECT_EQ(get(typed, 1).eax, 0x000916e2u) << "the processor type is kept";
}

TEST(CpuProperties, FamilyOnANamedModelAlsoSetsTheMirroredExtendedSignature) {
  auto t = shape_cpuid(intel_host(), cpu_props("qemu64", {{"family", "6"}, {"model", "58"}}), nullptr);
  EXPECT_EQ(get(t, 1).eax, 0x000306a1u) << "IvyBridge-like family 6 model 58, qemu64's stepping 1";
  EXPECT_EQ(get(t, 0x80000001).eax, 0x000306a1u);
}

TEST(CpuProperties, ModelIdIsTheBrandString) {
  auto t = shape_cpuid(intel_host(), cpu_props("max", {{"model-id", "Nestvisor CPU, with, commas"}}), nullptr);
  EXPECT_EQ(brand_of(t), "Nestvisor CPU, with, commas");
  auto q = shape_cpuid(intel_host(), cpu_props("qemu64", {{"model-id", "x"}}), nullptr);
  EXPECT_EQ(brand_of(q), "x") << "replaces the model's brand, the rest zeroed";
  EXPECT_EQ(get(q, 0x80000002).ebx, 0u);
  std::string full(48, 'A');
  full[47] = 'Z';
  auto f = shape_cpuid(intel_host(), cpu_props("max", {{"model-id", full}}), nullptr);
  EXPECT_EQ(get(f, 0x80000004).edx, 0x5a414141u) << "48 characters fill all 12 registers";
}

TEST(CpuProperties, PmuOffRemovesThePmuAndPmuOnRestoresItForNamedModels) {
  auto host = intel_host();
  for (CpuidEntry& e : host)
    if (e.function == 1) e.ecx |= bits({15});  // pdcm
  auto off = shape_cpuid(host, cpu_props("max", {{"pmu", "off"}}), nullptr);
  const CpuidEntry& a = get(off, 0xa);
  EXPECT_EQ(a.eax | a.ebx | a.ecx | a.edx, 0u);
  EXPECT_FALSE(get(off, 1).ecx & bits({15})) << "pdcm";
  auto on = shape_cpuid(host, cpu_props("max", {{"pmu", "on"}}), nullptr);
  EXPECT_EQ(get(on, 0xa).eax, 0x07300402u);
  EXPECT_TRUE(get(on, 1).ecx & bits({15}));
  auto q = shape_cpuid(host, cpu_props("qemu64", {{"pmu", "yes"}}), nullptr);
  EXPECT_EQ(get(q, 0xa).eax, 0x07300402u) << "qemu64 is pmu=off by default; pmu=on gives the supported PMU";
  EXPECT_EQ(get(q, 0xa).edx, 0x603u);

  auto amd = amd_host();
  for (CpuidEntry& e : amd) {
    if (e.function == 0x80000000) e.eax = 0x80000022;
    if (e.function == 0x80000001) e.ecx |= bits({23});  // perfctr-core
  }
  amd.push_back({0x80000022, 0, 0, 1, 0x106, 0, 0});
  auto amd_off = shape_cpuid(amd, cpu_props("max", {{"pmu", "false"}}), nullptr);
  EXPECT_FALSE(get(amd_off, 0x80000001).ecx & bits({23}));
  EXPECT_EQ(get(amd_off, 0x80000022).eax | get(amd_off, 0x80000022).ebx, 0u);
  EXPECT_TRUE(get(shape_cpuid(amd, cpu("max"), nullptr), 0x80000001).ecx & bits({23}));
}

TEST(CpuProperties, PhysBits) {
  // intel_host() reports 48 physical address bits (0x80000008:EAX = 0x3030).
  struct Case {
    std::string model;
    std::vector<CpuProperty> props;
    uint32_t eax;
    size_t warnings;
  };
  const Case cases[] = {
      {"max", {}, 0x3030, 0},  // host-phys-bits by default
      {"host", {{"host-phys-bits", "on"}}, 0x3030, 0},
      {"max", {{"host-phys-bits", "off"}}, 0x3028, 0},  // QEMU's default of 40
      {"max", {{"phys-bits", "36"}, {"host-phys-bits", "off"}}, 0x3024, 0},
      {"max", {{"phys-bits", "36"}}, 0x3030, 1},  // overridden by host-phys-bits
      {"qemu64", {}, 0x3028, 0},
      {"qemu64", {{"phys-bits", "36"}}, 0x3024, 0},  // kvm-unit-tests' IvyBridge case
      {"qemu64", {{"phys-bits", "48"}}, 0x3030, 0},
      {"qemu64", {{"host-phys-bits", "on"}}, 0x3030, 0},
      {"kvm64", {{"phys-bits", "0x20"}, {"host-phys-bits", "no"}}, 0x3020, 0},
  };
  for (const Case& c : cases) {
    std::vector<std::string> warnings;
    auto t = shape_cpuid(intel_host(), cpu_props(c.model, c.props), &warnings);
    EXPECT_EQ(get(t, 0x80000008).eax, c.eax) << c.model << " " << std::hex << c.eax;
    EXPECT_EQ(warnings.size(), c.warnings) << c.model;
    if (c.warnings) {
      EXPECT_THAT(warnings[0], HasSubstr("add host-phys-bits=off"));
    }
  }
  auto narrow = intel_host();
  for (CpuidEntry& e : narrow)
    if (e.function == 0x80000008) e.eax = 0x3027;  // a 39-bit host
  EXPECT_EQ(get(shape_cpuid(narrow, cpu("qemu64"), nullptr), 0x80000008).eax, 0x3027u)
      << "the default of 40 is capped at what the host has";
  EXPECT_THAT(error_of(narrow, cpu_props("qemu64", {{"phys-bits", "40"}})),
              HasSubstr("-cpu phys-bits=40: the host supports only 39 physical address bits"));
  EXPECT_THAT(error_of(cpu_props("max", {{"phys-bits", "52"}, {"host-phys-bits", "off"}})),
              HasSubstr("only 48 physical address bits, and the guest cannot have more"));
}

TEST(CpuProperties, LevelAndXlevelSetTheMaximumLeavesAndDropTheOthers) {
  auto t = shape_cpuid(intel_host(), cpu_props("max", {{"level", "0xb"}, {"xlevel", "0x80000004"}}), nullptr);
  EXPECT_EQ(get(t, 0).eax, 0xbu);
  EXPECT_EQ(get(t, 0x80000000).eax, 0x80000004u);
  EXPECT_NE(find(t, 0xb, 1), nullptr);
  EXPECT_EQ(find(t, 0xd, 0), nullptr);
  EXPECT_EQ(find(t, 0x14), nullptr);
  EXPECT_NE(find(t, 0x80000004), nullptr);
  EXPECT_EQ(find(t, 0x80000008), nullptr);
  EXPECT_NE(find(t, 0x40000001), nullptr) << "hypervisor leaves stay";

  auto q = shape_cpuid(intel_host(), cpu_props("qemu64", {{"level", "20"}}), nullptr);
  EXPECT_EQ(get(q, 0).eax, 0x14u) << "above the model's 0xd, up to what is supported";
  EXPECT_NE(find(q, 0x14), nullptr);
  EXPECT_EQ(get(q, 0x80000000).eax, 0x80000008u) << "the model's xlevel, capped at supported";

  EXPECT_THAT(error_of(cpu_props("max", {{"level", "0x20"}})),
              HasSubstr("-cpu level=0x20: the engine supports basic CPUID leaves up to 0x1f only"));
  EXPECT_THAT(error_of(cpu_props("max", {{"xlevel", "0x80000021"}})),
              HasSubstr("-cpu xlevel=0x80000021: the engine supports extended CPUID leaves up to 0x80000008 only"));
}

TEST(CpuProperties, PropertiesCombineOnANamedModel) {
  // kvm-unit-tests' msr test on qemu64: -cpu qemu64,vendor=GenuineIntel.
  auto t = shape_cpuid(amd_host(), cpu("qemu64", {{"x2apic", true}}, {{"vendor", "GenuineIntel"}}), nullptr);
  EXPECT_EQ(vendor_of(t), "GenuineIntel");
  EXPECT_EQ(get(t, 1).eax, 0x00060fb1u) << "qemu64's signature kept";
  EXPECT_TRUE(get(t, 1).ecx & bits({21}));
  EXPECT_EQ(brand_of(t), "QEMU Virtual CPU version 2.5+");
}

TEST(CpuProperties, IsCpuPropertyNamesWhatShapeCpuidHonours) {
  for (const char* key :
       {"vendor", "model-id", "family", "model", "stepping", "level", "xlevel", "phys-bits", "host-phys-bits", "pmu"})
    EXPECT_TRUE(is_cpu_property(key)) << key;
  for (const char* key : {"host-phys-bits-limit", "l3-cache", "migratable", "x2apic", "tsc-frequency"})
    EXPECT_FALSE(is_cpu_property(key)) << key;
}

TEST(CpuProperties, InvalidValuesAreErrorsNamingThePropertyAndTheRule) {
  struct Case {
    CpuProperty property;
    std::string message;
  };
  const Case cases[] = {
      {{"vendor", "Intel"}, "-cpu vendor=Intel: the vendor must be exactly 12 ASCII characters"},
      {{"vendor", "GenuineIntelX"}, "exactly 12 ASCII characters"},
      {{"vendor", "Genuine\tIntel"}, "exactly 12 ASCII characters"},
      {{"vendor", "on"}, "-cpu vendor=on: the vendor must be"},
      {{"model-id", std::string(49, 'x')}, "at most 48 ASCII characters (49 given)"},
      {{"family", "0x10f"}, "-cpu family=0x10f: must be between 0 and 270"},
      {{"family", "six"}, "-cpu family=six: 'six' is not a number"},
      {{"model", "256"}, "-cpu model=256: must be between 0 and 255"},
      {{"model", "-1"}, "'-1' is not a number"},
      {{"stepping", "16"}, "-cpu stepping=16: must be between 0 and 15"},
      {{"level", "0x40000000"}, "-cpu level=0x40000000: must be between 0x0 and 0x3fffffff"},
      {{"level", "0xd "}, "is not a number"},
      {{"xlevel", "8"}, "-cpu xlevel=8: must be between 0x80000000 and 0x8fffffff"},
      {{"xlevel", ""}, "'' is not a number"},
      {{"phys-bits", "31"}, "-cpu phys-bits=31: must be between 32 and 52"},
      {{"phys-bits", "53"}, "must be between 32 and 52"},
      {{"phys-bits", "99999999999999999999999"}, "is not a number"},
      {{"host-phys-bits", "maybe"}, "-cpu host-phys-bits=maybe: 'maybe' is not on or off"},
      {{"pmu", "1"}, "-cpu pmu=1: '1' is not on or off"},
      {{"l3-cache", "on"}, "unknown CPU property 'l3-cache'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.property.key + "=" + c.property.value);
    try {
      check_cpu_property(c.property);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr(c.message));
    }
    EXPECT_THAT(error_of(cpu_props("max", {c.property})), HasSubstr(c.message)) << "shape_cpuid checks them too";
  }
  for (const CpuProperty& ok : std::vector<CpuProperty>{{"vendor", "GenuineIntel"},
                                                        {"model-id", ""},
                                                        {"family", "0x10e"},
                                                        {"level", "0"},
                                                        {"xlevel", "0x80000000"},
                                                        {"phys-bits", "52"},
                                                        {"host-phys-bits", "on"},
                                                        {"pmu", "off"}})
    EXPECT_NO_THROW(check_cpu_property(ok)) << ok.key << "=" << ok.value;
}

TEST(CpuProperties, ModelIdNeedsTheBrandLeaves) {
  auto host = intel_host();
  std::erase_if(host, [](const CpuidEntry& e) { return e.function >= 0x80000002 && e.function <= 0x80000004; });
  EXPECT_THAT(error_of(host, cpu_props("max", {{"model-id", "x"}})), HasSubstr("no brand string leaves"));
  std::erase_if(host, [](const CpuidEntry& e) { return e.function == 0x80000008; });
  EXPECT_THAT(error_of(host, cpu_props("max", {{"phys-bits", "36"}, {"host-phys-bits", "off"}})),
              HasSubstr("-cpu phys-bits=36: the engine reports no CPUID leaf 0x80000008"));
}

}  // namespace
}  // namespace nv

namespace nv {
namespace {

TEST(CpuFeatureEdit, ClearRemovesEveryBitOfTheFeatureAndNothingElse) {
  std::vector<CpuidEntry> t = {
      {0x7, 0, kCpuidFlagSignificantIndex, 0, 0, 0, (1u << 26) | (1u << 27)},
      {0x80000008, 0, 0, 0x3030, (1u << 14) | (1u << 12), 0, 0},
  };
  EXPECT_TRUE(has_cpu_feature(t, "spec-ctrl"));
  EXPECT_TRUE(has_cpu_feature(t, "ibrs"));
  EXPECT_FALSE(has_cpu_feature(t, "ssbd"));
  clear_cpu_feature(t, "spec-ctrl");
  clear_cpu_feature(t, "ibrs");
  EXPECT_FALSE(has_cpu_feature(t, "spec-ctrl"));
  EXPECT_FALSE(has_cpu_feature(t, "ibrs"));
  EXPECT_EQ(t[0].edx, 1u << 27) << "stibp stays";
  EXPECT_EQ(t[1].ebx, 1u << 12) << "ibpb stays";
  EXPECT_EQ(t[1].eax, 0x3030u);
}

}  // namespace
}  // namespace nv
