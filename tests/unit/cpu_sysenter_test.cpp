// SYSENTER/SYSEXIT on the software CPU (SDM Vol. 2B): the flat CS/SS they
// load from IA32_SYSENTER_CS, the stack and entry point from
// IA32_SYSENTER_ESP/EIP, CPL changes and RFLAGS.IF, in legacy protected mode
// and IA-32e mode (SYSEXIT with REX.W to 64-bit code, without to
// compatibility mode), their #GP(0) cases, and #UD in long mode on an
// AMD-vendor CPUID.
#include "cpu/emu_cpuid.h"
#include "cpu_test_support.h"

#include <gtest/gtest.h>

namespace nv::test {
namespace {

// Replaces the harness's vCPU with one whose CPUID.0 says "AuthenticAMD".
void use_amd_vendor(CpuHarness& h) {
  CpuEnvironment env{h.memory, h.io, h.mmio, h.control, h.code, emu_supported_cpuid()};
  env.cpuid[0].ebx = 0x68747541;
  env.cpuid[0].edx = 0x69746e65;
  env.cpuid[0].ecx = 0x444d4163;
  h.cpu = std::make_unique<Cpu>(env, 0);
  h.cpu->set_flat64_test_state(CpuHarness::kCodeAddr, CpuHarness::kStackTop);
}

// Kernel (CPL 0): MSRs, STI, SYSEXIT to label 1 with ESP = 0x60000; user:
// records CS, SS and ESP, then SYSENTER to label 2.
GUEST_CODE(sysenter_legacy,
           ".code32\n"
           "  mov ecx, 0x174\n  xor edx, edx\n  mov eax, 0x08\n  wrmsr\n"
           "  mov ecx, 0x175\n  mov eax, 0x7f000\n  wrmsr\n"
           "  mov ecx, 0x176\n  mov eax, 2f - nv_gbegin_sysenter_legacy + 0x10000\n  wrmsr\n"
           "  sti\n  mov ecx, 0x60000\n  mov edx, 1f - nv_gbegin_sysenter_legacy + 0x10000\n  sysexit\n"
           "1: mov ebx, cs\n  mov esi, ss\n  mov edi, esp\n  sysenter\n"
           "2: nop\n")

void expect_legacy_round_trip(CpuHarness& h) {
  VcpuState& s = h.s();
  s.efer = 0;
  s.seg[kCs].attr = 0xc09b;
  h.cpu->update_mode();
  ASSERT_EQ(s.mode, CpuMode::prot32);
  std::vector<uint8_t> code = GUEST_BYTES(sysenter_legacy);
  h.load(code);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(s.gpr[kRbx], 0x1bu) << "SYSEXIT: CS = IA32_SYSENTER_CS + 16, RPL 3";
  EXPECT_EQ(s.gpr[kRsi], 0x23u) << "SS = CS + 8";
  EXPECT_EQ(s.gpr[kRdi], 0x60000u) << "ESP = ECX";
  EXPECT_EQ(s.rip, CpuHarness::kCodeAddr + code.size() + 1);
  EXPECT_EQ(s.cpl, 0);
  EXPECT_EQ(s.mode, CpuMode::prot32);
  EXPECT_EQ(s.seg[kCs].selector, 0x08);
  EXPECT_EQ(s.seg[kCs].attr, 0xc09b) << "flat 32-bit code, DPL 0";
  EXPECT_EQ(s.seg[kCs].limit, 0xffffffffu);
  EXPECT_EQ(s.seg[kSs].selector, 0x10);
  EXPECT_EQ(s.seg[kSs].attr, 0xc093);
  EXPECT_EQ(s.gpr[kRsp], 0x7f000u);
  EXPECT_FALSE(h.cpu->rflags() & rflags::kIF) << "SYSENTER clears IF";
}

TEST(CpuSysenter, LegacyProtectedModeRoundTrip) {
  CpuHarness h;
  expect_legacy_round_trip(h);
}

TEST(CpuSysenter, AmdVendorHasThemInLegacyMode) {
  CpuHarness h;
  use_amd_vendor(h);
  expect_legacy_round_trip(h);
}

// 64-bit kernel: SYSEXIT with REX.W to 64-bit user code (label 1), which
// SYSENTERs back to label 2 with a 64-bit IA32_SYSENTER_ESP.
GUEST_CODE(sysenter_long,
           "  mov ecx, 0x174\n  xor edx, edx\n  mov eax, 0x08\n  wrmsr\n"
           "  mov ecx, 0x175\n  mov rax, 0xffff800000001000\n  mov rdx, rax\n  shr rdx, 32\n  wrmsr\n"
           "  mov ecx, 0x176\n  lea rax, [rip+2f]\n  mov rdx, rax\n  shr rdx, 32\n  wrmsr\n"
           "  mov rcx, 0x60000\n  lea rdx, [rip+1f]\n  sysexitq\n"
           "1: mov ebx, cs\n  mov rsi, rsp\n  mov r8d, 1\n  sysenter\n"
           "2: nop\n")

TEST(CpuSysenter, SysexitWithRexWReturnsTo64BitCode) {
  CpuHarness h;
  h.install_long_mode_tables();
  std::vector<uint8_t> code = GUEST_BYTES(sysenter_long);
  h.load(code);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  const VcpuState& s = h.s();
  EXPECT_EQ(h.delivered_vector(), -1);
  EXPECT_EQ(s.gpr[kR8], 1u);
  EXPECT_EQ(s.gpr[kRbx], 0x2bu) << "CS = IA32_SYSENTER_CS + 32, RPL 3";
  EXPECT_EQ(s.gpr[kRsi], 0x60000u);
  EXPECT_EQ(s.rip, CpuHarness::kCodeAddr + code.size() + 1);
  EXPECT_EQ(s.mode, CpuMode::long64);
  EXPECT_EQ(s.cpl, 0);
  EXPECT_EQ(s.seg[kCs].attr, 0xa09b) << "64-bit code, DPL 0";
  EXPECT_EQ(s.seg[kSs].selector, 0x10);
  EXPECT_EQ(s.gpr[kRsp], 0xffff800000001000u) << "all 64 bits of IA32_SYSENTER_ESP";
}

// SYSEXIT without REX.W (0F 35) from 64-bit mode: compatibility mode.
GUEST_CODE(sysexit_to_compat,
           "  mov ecx, 0x174\n  xor edx, edx\n  mov eax, 0x08\n  wrmsr\n"
           "  mov ecx, 0x176\n  lea rax, [rip+2f]\n  xor edx, edx\n  wrmsr\n"
           "  mov ecx, 0x60000\n  lea rdx, [rip+1f]\n  .byte 0x0f, 0x35\n"
           ".code32\n1: mov ebx, cs\n  mov esi, esp\n  sysenter\n.code64\n"
           "2: nop\n")

TEST(CpuSysenter, SysexitWithoutRexWReturnsToCompatibilityMode) {
  CpuHarness h;
  h.install_long_mode_tables();
  std::vector<uint8_t> code = GUEST_BYTES(sysexit_to_compat);
  h.load(code);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), -1);
  EXPECT_EQ(h.s().gpr[kRbx], 0x1bu);
  EXPECT_EQ(h.s().gpr[kRsi], 0x60000u);
  EXPECT_EQ(h.s().rip, CpuHarness::kCodeAddr + code.size() + 1);
  EXPECT_EQ(h.s().mode, CpuMode::long64) << "SYSENTER from compatibility mode enters 64-bit mode";
}

GUEST_CODE(sysenter_only, "  sysenter\n")
GUEST_CODE(sysexitq_only, "  sysexitq\n")
GUEST_CODE(sysexit_from_user,
           "  mov ecx, 0x174\n  xor edx, edx\n  mov eax, 0x08\n  wrmsr\n"
           "  mov rcx, 0x60000\n  lea rdx, [rip+1f]\n  sysexitq\n"
           "1: sysexitq\n")

TEST(CpuSysenter, GeneralProtectionCases) {
  {
    SCOPED_TRACE("SYSENTER with IA32_SYSENTER_CS = 0");
    CpuHarness h;
    h.install_long_mode_tables();
    h.load(GUEST_BYTES(sysenter_only));
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    EXPECT_EQ(h.delivered_vector(), vec::kGP);
    EXPECT_EQ(h.stack(0), 0u);
    EXPECT_EQ(h.stack(1), CpuHarness::kCodeAddr);
  }
  {
    SCOPED_TRACE("SYSEXIT at CPL 3");
    CpuHarness h;
    h.install_long_mode_tables();
    std::vector<uint8_t> code = GUEST_BYTES(sysexit_from_user);
    h.load(code);
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    EXPECT_EQ(h.delivered_vector(), vec::kGP);
    EXPECT_EQ(h.stack(1), CpuHarness::kCodeAddr + code.size() - 3);
    EXPECT_EQ(h.stack(2), 0x2bu) << "from the 64-bit user code";
  }
  {
    SCOPED_TRACE("SYSEXIT to a non-canonical RDX");
    CpuHarness h;
    h.install_long_mode_tables();
    h.s().sysenter_cs = 0x08;
    h.s().gpr[kRdx] = 0x0000800000000000;
    h.load(GUEST_BYTES(sysexitq_only));
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    EXPECT_EQ(h.delivered_vector(), vec::kGP);
    EXPECT_EQ(h.s().cpl, 0);
  }
}

TEST(CpuSysenter, SysenterLeavesVirtual8086Mode) {
  CpuHarness h;
  VcpuState& s = h.s();
  s.efer = 0;
  s.sysenter_cs = 0x08;
  s.sysenter_esp = 0x7f000;
  s.sysenter_eip = CpuHarness::kDataAddr;
  uint8_t hlt = 0xf4;
  h.memory.write(CpuHarness::kDataAddr, &hlt, 1);
  h.load(GUEST_BYTES(sysenter_only));
  h.cpu->set_rflags(rflags::kVM | rflags::kIF | 0x2);
  for (unsigned seg = 0; seg < kSegCount; ++seg) h.cpu->load_real_segment(seg, 0x1000);
  s.rip = 0;
  s.cpl = 3;
  h.cpu->update_mode();
  ASSERT_EQ(s.mode, CpuMode::v8086);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(s.rip, CpuHarness::kDataAddr + 1);
  EXPECT_EQ(s.mode, CpuMode::prot32);
  EXPECT_EQ(s.cpl, 0);
  EXPECT_FALSE(h.cpu->rflags() & (rflags::kVM | rflags::kIF));
  EXPECT_EQ(s.seg[kSs].selector, 0x10);
  EXPECT_EQ(s.gpr[kRsp], 0x7f000u);
}

TEST(CpuSysenter, AmdVendorRaisesUdInLongMode) {
  for (bool exit : {false, true}) {
    SCOPED_TRACE(exit ? "SYSEXIT" : "SYSENTER");
    CpuHarness h;
    use_amd_vendor(h);
    h.install_long_mode_tables();
    h.s().sysenter_cs = 0x08;
    h.s().gpr[kRdx] = CpuHarness::kCodeAddr;
    h.load(exit ? GUEST_BYTES(sysexitq_only) : GUEST_BYTES(sysenter_only));
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    EXPECT_EQ(h.delivered_vector(), vec::kUD);
    EXPECT_EQ(h.s().cpl, 0);
  }
}

}  // namespace
}  // namespace nv::test
