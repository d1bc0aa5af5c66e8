// Control flow and string instructions of the software CPU: near branches,
// calls and returns, LOOP/JrCXZ, Jcc against the host, and the string
// instructions with REP prefixes, direction flag and address size.
#include "cpu_host_compare.h"

namespace nv::test {
namespace {

GUEST_CODE(loop_and_call,
           "  mov ecx, 10\n  xor eax, eax\n  xor edx, edx\n"
           "1: add eax, ecx\n  call 5f\n  loop 1b\n  jmp 2f\n  ud2\n"
           "2: jrcxz 3f\n  ud2\n"
           "3: push 1\n  push 2\n  call 6f\n  jmp 9f\n"
           "5: inc rdx\n  ret\n"
           "6: mov rbx, [rsp+8]\n  ret 16\n"
           "9: nop")

TEST(CpuControl, LoopCallAndReturn) {
  CpuHarness h;
  h.load(GUEST_BYTES(loop_and_call));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kRax], 55u);
  EXPECT_EQ(h.s().gpr[kRdx], 10u);
  EXPECT_EQ(h.s().gpr[kRbx], 2u);  // RET 16 popped both pushes
  EXPECT_EQ(h.s().gpr[kRsp], CpuHarness::kStackTop);
}

GUEST_CODE(indirect, "  lea rax, [rip+1f]\n  call rax\n  lea rbx, [rip+2f]\n  push rbx\n  jmp qword ptr [rsp]\n"
                     "  ud2\n1: mov ecx, 7\n  ret\n2: pop rdx\n  mov esi, 9")

TEST(CpuControl, IndirectCallAndJump) {
  CpuHarness h;
  h.load(GUEST_BYTES(indirect));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kRcx], 7u);
  EXPECT_EQ(h.s().gpr[kRsi], 9u);
  EXPECT_EQ(h.s().gpr[kRsp], CpuHarness::kStackTop);
}

// Every condition code after a CMP, as bits of ECX, compared with the host.
HOST_INSN(jcc_all,
          "xor ecx, ecx\n cmp rax, rbx\n"
          " jo 1f\n or ecx, 1\n1: jno 1f\n or ecx, 2\n1: jb 1f\n or ecx, 4\n1: jnb 1f\n or ecx, 8\n"
          "1: jz 1f\n or ecx, 0x10\n1: jnz 1f\n or ecx, 0x20\n1: jbe 1f\n or ecx, 0x40\n1: jnbe 1f\n or ecx, 0x80\n"
          "1: js 1f\n or ecx, 0x100\n1: jns 1f\n or ecx, 0x200\n1: jp 1f\n or ecx, 0x400\n1: jnp 1f\n or ecx, 0x800\n"
          "1: jl 1f\n or ecx, 0x1000\n1: jnl 1f\n or ecx, 0x2000\n1: jle 1f\n or ecx, 0x4000\n1: jnle 1f\n"
          " or ecx, 0x8000\n1: nop")
HOST_INSN(jcc_after_logic, "xor ecx, ecx\n test eax, ebx\n jle 1f\n inc ecx\n1: js 2f\n add ecx, 2\n2: jp 3f\n"
                           " add ecx, 4\n3: jnbe 4f\n add ecx, 8\n4: nop")
HOST_INSN(jcc_after_inc, "xor ecx, ecx\n inc al\n jo 1f\n inc ecx\n1: jb 2f\n add ecx, 2\n2: jle 3f\n add ecx, 4\n3: nop")
HOST_INSN(loopne_scan, "mov ecx, 20\n1: dec eax\n test al, 7\n loopne 1b\n")

TEST(CpuControl, ConditionalBranchesMatchHost) {
  CpuHarness h;
  uint64_t seed = 7000;
  for (const HostCase& c : {HOST_CASE(jcc_all, 8, no_undefined, no_fixup),
                            HOST_CASE(jcc_after_logic, 4, af_flag_undefined, no_fixup),
                            HOST_CASE(jcc_after_inc, 1, no_undefined, no_fixup),
                            HOST_CASE(loopne_scan, 4, no_undefined, no_fixup)}) {
    SCOPED_TRACE(c.name);
    compare_with_host(h, c, 500, seed++);
    if (HasFailure()) return;
  }
}

GUEST_CODE(strings,
           // rep movsb: 100 bytes from kDataAddr to kDataAddr + 0x1000
           "  mov rsi, 0x100000\n  mov rdi, 0x101000\n  mov ecx, 100\n  rep movsb\n"
           // rep stosq: 16 qwords of RAX at kDataAddr + 0x2000
           "  mov rax, 0x1122334455667788\n  mov rdi, 0x102000\n  mov ecx, 16\n  rep stosq\n"
           // backward movsd of 4 dwords (DF = 1)
           "  std\n  mov rsi, 0x10000c\n  mov rdi, 0x10300c\n  mov ecx, 4\n  rep movsd\n  cld\n"
           // repe cmpsb: stops after the first difference
           "  mov rsi, 0x100000\n  mov rdi, 0x104000\n  mov ecx, 50\n  repe cmpsb\n  mov r8, rcx\n  mov r9, rsi\n"
           // repne scasb: finds the byte 0x42
           "  mov al, 0x42\n  mov rdi, 0x100000\n  mov ecx, 200\n  repne scasb\n  mov r10, rcx\n  mov r11, rdi\n"
           // lodsw without REP
           "  mov rsi, 0x100002\n  lodsw\n  mov r12, rax\n  mov r13, rsi\n"
           // 32-bit address size: ECX counts, the upper half of RCX is ignored
           "  mov rcx, 0x100000003\n  mov edi, 0x105000\n  mov al, 0x5a\n  addr32 rep stosb\n  mov r14, rcx\n")

TEST(CpuControl, StringInstructions) {
  CpuHarness h;
  std::vector<uint8_t> src(256);
  for (unsigned i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(i * 7 + 1);
  src[77] = 0x42;
  for (unsigned i = 0; i < 77; ++i)
    if (src[i] == 0x42) src[i] = 0x43;
  h.memory.write(CpuHarness::kDataAddr, src.data(), src.size());
  std::vector<uint8_t> cmp(src.begin(), src.begin() + 50);
  cmp[30] ^= 0xff;
  h.memory.write(CpuHarness::kDataAddr + 0x4000, cmp.data(), cmp.size());
  h.load(GUEST_BYTES(strings));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);

  std::vector<uint8_t> copy(100);
  h.memory.read(CpuHarness::kDataAddr + 0x1000, copy.data(), copy.size());
  EXPECT_TRUE(std::equal(copy.begin(), copy.end(), src.begin()));
  for (unsigned i = 0; i < 16; ++i)
    EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kDataAddr + 0x2000 + 8 * i), 0x1122334455667788u);
  for (unsigned i = 0; i < 4; ++i)
    EXPECT_EQ(h.memory.read_obj<uint32_t>(CpuHarness::kDataAddr + 0x3000 + 4 * i),
              h.memory.read_obj<uint32_t>(CpuHarness::kDataAddr + 4 * i));
  const uint64_t* g = h.s().gpr;
  EXPECT_EQ(g[kR8], 50u - 31);                       // stopped after comparing byte 30
  EXPECT_EQ(g[kR9], CpuHarness::kDataAddr + 31);
  EXPECT_EQ(g[kR10], 200u - 78);                     // found at index 77
  EXPECT_EQ(g[kR11], CpuHarness::kDataAddr + 78);
  EXPECT_EQ(g[kR12] & 0xffff, static_cast<uint64_t>(src[2] | (src[3] << 8)));
  EXPECT_EQ(g[kR13], CpuHarness::kDataAddr + 4);
  EXPECT_EQ(g[kR14], 0u);
  EXPECT_EQ(h.memory.read_obj<uint32_t>(CpuHarness::kDataAddr + 0x5000), 0x005a5a5au);
  EXPECT_FALSE(h.cpu->rflags() & rflags::kDF);
}

// The same kinds of code in 32-bit protected mode, where PUSH/CALL use
// 4-byte slots, 0x66 selects 16-bit operands, 0x67 16-bit addresses, and
// INC/DEC are one-byte opcodes.
GUEST_CODE(prot32_code,
           ".code32\n"
           "  mov esp, 0x80000\n  mov ecx, 5\n  xor eax, eax\n"
           "1: inc eax\n  call 2f\n  loop 1b\n  jmp 3f\n"
           "2: add ebx, eax\n  ret\n"
           "3: mov edi, 0x100000\n  mov ax, 0x1234\n  stosw\n  push ax\n  pop dx\n"
           "  mov esi, 0x100000\n  addr16 lodsw\n  mov ebp, esp\n  push 0x11223344\n  pop esi\n  dec ebp\n")

TEST(CpuControl, ProtectedMode32BitCode) {
  CpuHarness h;
  VcpuState& s = h.s();
  s.efer = 0;
  s.seg[kCs].attr = 0xc09b;  // 32-bit code
  h.cpu->update_mode();
  ASSERT_EQ(s.mode, CpuMode::prot32);
  s.gpr[kRbx] = 0;
  h.load(GUEST_BYTES(prot32_code));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(s.gpr[kRbx], 1u + 2 + 3 + 4 + 5);
  EXPECT_EQ(s.gpr[kRdx] & 0xffff, 0x1234u);
  EXPECT_EQ(h.memory.read_obj<uint16_t>(CpuHarness::kDataAddr), 0x1234);
  EXPECT_EQ(s.gpr[kRsi], 0x11223344u);
  EXPECT_EQ(s.gpr[kRbp], 0x80000u - 1);
  EXPECT_EQ(s.gpr[kRsp], 0x80000u);
}

GUEST_CODE(noncanonical_jump, "  mov rax, 0xaaaaaaaaaaaaaaaa\n  jmp rax\n")

TEST(CpuControl, NonCanonicalBranchTargetFaultsAtTheBranch) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.load(GUEST_BYTES(noncanonical_jump));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.stack(1), CpuHarness::kCodeAddr + 10);  // RIP of the JMP
}

GUEST_CODE(long_rep_stosb, "  mov edi, 0x110000\n  mov ecx, 10000\n  mov al, 0x77\n  rep stosb\n")

// A REP string instruction gives up its turn every 4096 iterations with RIP
// on itself, so a huge count cannot hold the vCPU; it still completes.
TEST(CpuControl, LongRepStringsResumeInChunks) {
  CpuHarness h;
  std::vector<uint8_t> code = GUEST_BYTES(long_rep_stosb);
  h.load(code);
  const uint64_t rep_rip = CpuHarness::kCodeAddr + code.size() - 2;
  EXPECT_EQ(h.run(4), Cpu::Exit::quantum);  // three MOVs and the first chunk
  EXPECT_EQ(h.s().rip, rep_rip);
  EXPECT_EQ(h.s().gpr[kRcx], 10000u - 4096u);
  EXPECT_EQ(h.s().gpr[kRdi], 0x110000u + 4096u);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kRcx], 0u);
  EXPECT_EQ(h.memory.read_obj<uint8_t>(0x110000 + 9999), 0x77);
  EXPECT_EQ(h.memory.read_obj<uint8_t>(0x110000 + 10000), 0);
}

}  // namespace
}  // namespace nv::test
