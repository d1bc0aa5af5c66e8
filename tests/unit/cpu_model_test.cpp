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

CpuConfig cpu(std::string model, std::vector<CpuFlag> flags = {}) {
  return CpuConfig{std::move(model), std::move(flags)};
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

std::string error_of(const CpuConfig& cfg) {
  try {
    shape_cpuid(intel_host(), cfg, nullptr);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

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
  EXPECT_EQ(get(t, 0x80000008).eax, 0x3030u);
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
  EXPECT_THAT(error_of(cpu("Skylake-Server")), HasSubstr("qemu64, kvm64, max, host"));
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

}  // namespace
}  // namespace nv
