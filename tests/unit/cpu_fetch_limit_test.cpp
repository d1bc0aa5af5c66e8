// Code-segment limit checks (SDM Vol. 3A §5.3; Vol. 2A JMP, Jcc, CALL, RET,
// LOOP, IRET): outside 64-bit mode an instruction with any byte beyond
// CS.limit is #GP(0) at that instruction, and a branch to a target beyond the
// limit is #GP(0) at the branch, before it changes anything. Real mode checks
// the cached limit.
#include "cpu_legacy_harness.h"

#include <gtest/gtest.h>

namespace nv::test {
namespace {

constexpr uint64_t kCode = CpuHarness::kCodeAddr;

// 32-bit ring 0 with CS limited to [0, kCode + code_bytes - 1].
struct LimitHarness : LegacyHarness {
  explicit LimitHarness(const std::vector<uint8_t>& code, uint32_t limit_offset) {
    load(code);
    s().seg[kCs].limit = static_cast<uint32_t>(kCode + limit_offset);
    s().gpr[kRsp] = kStack0;
    cpu->update_mode();
  }
  uint32_t error_code() { return stack32(0); }
  uint32_t faulting_eip() { return stack32(1); }
};

// MOV EBX (5 bytes), MOV ECX (5 bytes), MOV EDX.
GUEST_CODE(limit_straight, ".code32\n  mov ebx, 1\n  mov ecx, 2\n  mov edx, 3\n")

TEST(CpuFetchLimit, InstructionCrossingTheLimitFaults) {
  // The limit ends on the second MOV's last byte but one.
  LimitHarness h(GUEST_BYTES(limit_straight), 8);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.error_code(), 0u);
  EXPECT_EQ(h.faulting_eip(), kCode + 5);
  EXPECT_EQ(h.s().gpr[kRbx], 1u);
  EXPECT_EQ(h.s().gpr[kRcx], 0u);
}

TEST(CpuFetchLimit, InstructionEndingOnTheLimitRuns) {
  LimitHarness h(GUEST_BYTES(limit_straight), 9);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.faulting_eip(), kCode + 10);  // MOV EDX starts past the limit
  EXPECT_EQ(h.s().gpr[kRcx], 2u);
  EXPECT_EQ(h.s().gpr[kRdx], 0u);
}

// The code ran once under a 4 GiB limit, so the decode cache holds all of
// it; with the limit lowered, the fall-through after the loop still faults.
GUEST_CODE(limit_loop, ".code32\n  mov ecx, 3\n1: add ebx, 1\n  dec ecx\n  jnz 1b\n  mov edx, 3\n")

TEST(CpuFetchLimit, CachedCodePastTheLimitFaults) {
  LimitHarness h(GUEST_BYTES(limit_loop), 0xffff);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.s().gpr[kRdx], 3u);  // reached its HLT
  h.s().gpr[kRbx] = h.s().gpr[kRdx] = 0;
  h.s().rip = kCode;
  h.s().seg[kCs].limit = kCode + 10;  // through JNZ (5 + 3 + 1 + 2 bytes)
  h.cpu->update_mode();
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.faulting_eip(), kCode + 11);
  EXPECT_EQ(h.s().gpr[kRbx], 3u);
  EXPECT_EQ(h.s().gpr[kRdx], 0u);
}

GUEST_CODE(limit_jmp, ".code32\n  jmp 1f\n  .skip 32\n1: mov edx, 3\n")

TEST(CpuFetchLimit, NearJumpBeyondTheLimitFaultsAtTheJump) {
  LimitHarness h(GUEST_BYTES(limit_jmp), 16);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.error_code(), 0u);
  EXPECT_EQ(h.faulting_eip(), kCode);
}

GUEST_CODE(limit_call, ".code32\n  mov ebx, 1\n  call 1f\n  .skip 32\n1: mov edx, 3\n")

TEST(CpuFetchLimit, CallBeyondTheLimitFaultsBeforeItPushes) {
  LimitHarness h(GUEST_BYTES(limit_call), 16);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.faulting_eip(), kCode + 5);
  // Error code, EIP, CS, EFLAGS: nothing of the CALL's below them.
  EXPECT_EQ(h.s().gpr[kRsp], LegacyHarness::kStack0 - 16);
}

GUEST_CODE(limit_ret, ".code32\n  push 0x10100\n  ret\n")

TEST(CpuFetchLimit, RetBeyondTheLimitFaultsBeforeItPops) {
  LimitHarness h(GUEST_BYTES(limit_ret), 16);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.faulting_eip(), kCode + 5);
  EXPECT_EQ(h.stack32(4), 0x10100u);  // the return address is still on the stack
  EXPECT_EQ(h.s().gpr[kRsp], LegacyHarness::kStack0 - 4 - 16);
}

GUEST_CODE(limit_loop_insn, ".code32\n  mov ecx, 5\n  loop 1f\n  .skip 32\n1: mov edx, 3\n")

TEST(CpuFetchLimit, LoopBeyondTheLimitFaultsBeforeItCounts) {
  LimitHarness h(GUEST_BYTES(limit_loop_insn), 16);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.faulting_eip(), kCode + 5);
  EXPECT_EQ(h.s().gpr[kRcx], 5u);
}

// The page was the fetch page under a 4 GiB CS; a far JMP to a code segment
// whose limit ends inside it must not keep running from the cached page.
GUEST_CODE(limit_far_jmp, ".code32\n  mov ebx, 1\n  mov ecx, 2\n  jmp 0x40:0x10012\n  nop\n  mov ecx, 3\n"
                          "  mov edx, 4\n")

TEST(CpuFetchLimit, NewCodeSegmentLimitAppliesToACachedPage) {
  LimitHarness h(GUEST_BYTES(limit_far_jmp), 0xffff);
  h.s().rip = kCode + 0x12;  // decode the jump's target and what follows under the 4 GiB CS first
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.s().gpr[kRdx], 4u);
  h.s().gpr[kRcx] = h.s().gpr[kRdx] = 0;
  h.s().rip = kCode;
  // 32-bit code, base 0, byte-granular limit kCode + 16H: MOV ECX, 3 (at 12H) fits, MOV EDX does not.
  h.set_gdt(LegacyHarness::kFree, system_desc(0, kCode + 0x16, 0x1b) | (1ull << 54));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.s().gpr[kRcx], 3u);
  EXPECT_EQ(h.faulting_eip(), kCode + 0x17);
  EXPECT_EQ(h.s().gpr[kRdx], 0u);
}

// Real mode: the cached CS limit (64 KiB here, as after reset) applies to
// fetches, near branches, far JMP and IRET; faults go through the IVT.
struct RealLimitHarness : CpuHarness {
  static constexpr uint64_t kHandler = 0x700;
  RealLimitHarness() {
    VcpuState& st = s();
    st.cr0 = 0x10;
    st.efer = 0;
    for (auto& seg : st.seg) seg = {0, 0xffff, 0, 0x93};
    st.seg[kCs] = {0x10000, 0xffff, 0x1000, 0x9b};
    st.idtr = {0, 0x3ff};
    st.gpr[kRsp] = 0x7000;
    memory.write_obj<uint32_t>(vec::kGP * 4, kHandler);  // 0000:0700
    load({}, kHandler);
    cpu->update_mode();
  }
  // Code at CS:ip (linear 0x10000 + ip).
  void run_at(const std::vector<uint8_t>& code, uint16_t ip) {
    load(code, 0x10000 + ip);
    s().rip = ip;
    ASSERT_EQ(run(), Cpu::Exit::halted);
  }
  bool took_gp() { return s().rip == kHandler + 1 && s().seg[kCs].selector == 0; }
  uint16_t faulting_ip() { return memory.read_obj<uint16_t>(s().gpr[kRsp] & 0xffff); }
};

GUEST_CODE(real_limit_wrap, ".code16\n  mov bx, 1\n  mov ecx, 2\n")

TEST(CpuFetchLimit, RealModeInstructionCrossingTheLimitFaults) {
  RealLimitHarness h;
  h.run_at(GUEST_BYTES(real_limit_wrap), 0xfffa);  // MOV ECX (6 bytes) at FFFDH ends at 10002H
  ASSERT_TRUE(h.took_gp());
  EXPECT_EQ(h.faulting_ip(), 0xfffd);
  EXPECT_EQ(h.s().gpr[kRbx] & 0xffff, 1u);
  EXPECT_EQ(h.s().gpr[kRcx], 0u);
}

// JMP FAR 2000:00012345 with an operand-size prefix.
GUEST_CODE(real_limit_far_jmp, ".code16\n  mov bx, 1\n  .byte 0x66, 0xea\n  .long 0x12345\n  .word 0x2000\n")

TEST(CpuFetchLimit, RealModeFarJumpBeyondTheLimitFaults) {
  RealLimitHarness h;
  h.run_at(GUEST_BYTES(real_limit_far_jmp), 0x100);
  ASSERT_TRUE(h.took_gp());
  EXPECT_EQ(h.faulting_ip(), 0x103);
  EXPECT_EQ(h.memory.read_obj<uint16_t>((h.s().gpr[kRsp] & 0xffff) + 2), 0x1000u);  // CS not reloaded
}

// PUSHFD, PUSH dword 0 (CS), PUSH dword 10000H (EIP), IRETD.
GUEST_CODE(real_limit_iret, ".code16\n  pushfd\n  .byte 0x66, 0x6a, 0\n  .byte 0x66, 0x68\n  .long 0x10000\n  iretd\n")

TEST(CpuFetchLimit, RealModeIretBeyondTheLimitFaultsBeforeItPops) {
  RealLimitHarness h;
  h.run_at(GUEST_BYTES(real_limit_iret), 0x100);
  ASSERT_TRUE(h.took_gp());
  EXPECT_EQ(h.faulting_ip(), 0x10b);
  // The IRET frame (EIP 10000H, CS 0, EFLAGS) is still below the #GP frame.
  const uint64_t sp = h.s().gpr[kRsp] & 0xffff;
  EXPECT_EQ(h.memory.read_obj<uint32_t>(sp + 6), 0x10000u);
}

}  // namespace
}  // namespace nv::test
