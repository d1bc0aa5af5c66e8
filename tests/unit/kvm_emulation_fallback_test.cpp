#include "kvm/kvm_emulation_fallback.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

using Action = FallbackDecision::Action;

constexpr uint64_t kOsXsave = 1ull << 18;

std::vector<CpuidEntry> cpuid_with(uint32_t leaf7_ebx, uint32_t leaf1_ecx = 0) {
  return {{0x1, 0, 0, 0, 0, leaf1_ecx, 0}, {0x7, 0, kCpuidFlagSignificantIndex, 0, leaf7_ebx, 0, 0}};
}

FallbackDecision decide(std::vector<uint8_t> bytes, const std::vector<CpuidEntry>& cpuid, uint64_t cr4 = 0,
                        uint64_t xcr0 = 1, GuestCodeSize size = GuestCodeSize::bits64) {
  return decide_emulation_fallback({.bytes = bytes,
                                    .code_size = size,
                                    .cr4 = cr4,
                                    .xcr0 = xcr0,
                                    .protected_mode = true,
                                    .long_mode = size == GuestCodeSize::bits64,
                                    .idt_limit = 0xfff,
                                    .cpuid = &cpuid});
}

TEST(EmulationFallback, ClwbCompletesWhenEnumeratedAndRaisesUdOtherwise) {
  const std::vector<uint8_t> clwb = {0x66, 0x0f, 0xae, 0x33, 0x90};  // clwb (%rbx); nop
  FallbackDecision with = decide(clwb, cpuid_with(1u << 24));
  EXPECT_EQ(with.action, Action::skip);
  EXPECT_EQ(with.length, 4u);
  FallbackDecision without = decide(clwb, cpuid_with(0));
  EXPECT_EQ(without.action, Action::raise_ud);
  EXPECT_NE(without.reason.find("clwb"), std::string::npos) << without.reason;
}

TEST(EmulationFallback, XgetbvFollowsCr4OsxsaveNotTheCpuidTable) {
  const std::vector<uint8_t> xgetbv = {0x0f, 0x01, 0xd0};
  // Paravirtual hosts may show the guest XSAVE although the table lacks it:
  // CR4.OSXSAVE, which only a CPU with XSAVE lets the OS set, decides.
  EXPECT_EQ(decide(xgetbv, cpuid_with(0), 0).action, Action::raise_ud);
  FallbackDecision d = decide(xgetbv, cpuid_with(0), kOsXsave);
  EXPECT_EQ(d.action, Action::xgetbv);
  EXPECT_EQ(d.length, 3u);
  EXPECT_EQ(decide({0x0f, 0x01, 0xd1}, cpuid_with(0), kOsXsave).action, Action::xsetbv);
}

TEST(EmulationFallback, InvpcidWithoutTheFeatureRaisesUd) {
  const std::vector<uint8_t> invpcid = {0x66, 0x0f, 0x38, 0x82, 0x18};  // invpcid (%rax), %rbx
  EXPECT_EQ(decide(invpcid, cpuid_with(0)).action, Action::raise_ud);
  EXPECT_EQ(decide(invpcid, cpuid_with(1u << 10)).action, Action::give_up) << "defined: KVM's job";
}

TEST(EmulationFallback, VexInstructionsNeedOsxsaveAndXcr0Avx) {
  const std::vector<uint8_t> vzeroall = {0xc5, 0xfc, 0x77};
  EXPECT_EQ(decide(vzeroall, cpuid_with(0), 0, 0x7).action, Action::raise_ud) << "CR4.OSXSAVE clear";
  EXPECT_EQ(decide(vzeroall, cpuid_with(0), kOsXsave, 0x3).action, Action::raise_ud) << "XCR0.AVX clear";
  EXPECT_EQ(decide(vzeroall, cpuid_with(0), kOsXsave, 0x7).action, Action::give_up);
}

TEST(EmulationFallback, UndefinedEncodingRaisesUd) {
  EXPECT_EQ(decide({0x0f, 0x0b}, cpuid_with(0)).action, Action::raise_ud) << "ud2";
  EXPECT_EQ(decide({0x0f, 0x04}, cpuid_with(0)).action, Action::raise_ud) << "0f 04 is not an instruction";
}

TEST(EmulationFallback, SoftwareInterruptBeyondTheIdtLimitRaisesGpWithTheIdtErrorCode) {
  std::vector<CpuidEntry> cpuid = cpuid_with(0);
  auto with_idt_limit = [&](std::vector<uint8_t> bytes, uint16_t limit, bool long_mode) {
    return decide_emulation_fallback({.bytes = bytes,
                                      .code_size = long_mode ? GuestCodeSize::bits64 : GuestCodeSize::bits32,
                                      .cr4 = 0,
                                      .xcr0 = 1,
                                      .protected_mode = true,
                                      .long_mode = long_mode,
                                      .idt_limit = limit,
                                      .cpuid = &cpuid});
  };
  FallbackDecision int3 = with_idt_limit({0xcc}, 0, true);
  EXPECT_EQ(int3.action, Action::raise_gp);
  EXPECT_EQ(int3.error_code, 3u * 8 + 2);
  FallbackDecision int80 = with_idt_limit({0xcd, 0x80}, 0x7ff, true);  // 16-byte gates: 0x80 needs 0x80f
  EXPECT_EQ(int80.action, Action::raise_gp);
  EXPECT_EQ(int80.error_code, 0x80u * 8 + 2);
  EXPECT_EQ(with_idt_limit({0xcd, 0x80}, 0x80f, true).action, Action::give_up) << "gate present: KVM's job";
  EXPECT_EQ(with_idt_limit({0xcd, 0x80}, 0x407, false).action, Action::give_up) << "8-byte gates in legacy mode";
}

TEST(EmulationFallback, DecodesInTheGuestsCodeSize) {
  // 0x48 is REX.W in 64-bit code but DEC EAX in 32-bit code.
  const std::vector<uint8_t> bytes = {0x48, 0x0f, 0xae, 0x38};  // [rex.w] clflush (%rax)
  FallbackDecision d64 = decide(bytes, cpuid_with(0, 0), 0, 1, GuestCodeSize::bits64);
  FallbackDecision d32 = decide(bytes, cpuid_with(0, 0), 0, 1, GuestCodeSize::bits32);
  EXPECT_EQ(d64.length, 4u);
  EXPECT_EQ(d32.action, Action::give_up) << "dec eax: no fallback";
  EXPECT_EQ(d32.length, 1u);
}

}  // namespace
}  // namespace nv
