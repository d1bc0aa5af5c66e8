// Data movement of the software CPU against the host CPU (MOV, MOVZX/MOVSX/
// MOVSXD, LEA, XCHG, PUSH/POP, CMOVcc, SETcc, CBW..CQO, BSWAP, LAHF/SAHF,
// CLC/STC/CMC), plus directed checks of 32-bit zero extension and
// high-byte registers.
#include "cpu_host_compare.h"

namespace nv::test {
namespace {

HOST_INSN(mov8, "mov al, bl") HOST_INSN(mov8h, "mov bh, cl") HOST_INSN(mov16, "mov ax, bx")
HOST_INSN(mov32, "mov eax, ebx") HOST_INSN(mov64, "mov rax, rbx") HOST_INSN(movi64, "movabs rcx, 0x123456789abcdef0")
HOST_INSN(movi32, "mov edx, 0x89abcdef") HOST_INSN(movsi64, "mov rdx, -5")
HOST_INSN(movzx8_32, "movzx eax, bl") HOST_INSN(movzx16_64, "movzx rax, bx") HOST_INSN(movzx8h_16, "movzx cx, ah")
HOST_INSN(movsx8_32, "movsx eax, bl") HOST_INSN(movsx16_64, "movsx rax, bx") HOST_INSN(movsx8_16, "movsx dx, cl")
HOST_INSN(movsxd, "movsxd rax, ebx")
HOST_INSN(lea64, "lea rax, [rbx+rcx*4+0x12345]") HOST_INSN(lea32, "lea eax, [ebx+ecx*2-5]")
HOST_INSN(lea16, "lea ax, [rbx+rdx*8+7]") HOST_INSN(lea_rip, "lea rdx, [rip+0x100]")
HOST_INSN(xchg64, "xchg rax, rbx") HOST_INSN(xchg32, "xchg ecx, edx") HOST_INSN(xchg8, "xchg al, bh")
HOST_INSN(pushpop64, "push rbx\n pop rax") HOST_INSN(pushpop16, "push bx\n pop cx") HOST_INSN(pushimm, "push -3\n pop rdx")
HOST_INSN(cmovz64, "cmovz rax, rbx") HOST_INSN(cmovl32, "cmovl eax, ebx") HOST_INSN(cmovbe16, "cmovbe ax, bx")
HOST_INSN(cmovnp64, "cmovnp rcx, rdx") HOST_INSN(cmovo32, "cmovo ecx, edx") HOST_INSN(cmovnle64, "cmovnle rdx, rax")
HOST_INSN(setz, "setz al") HOST_INSN(setl, "setl bl") HOST_INSN(setnbe, "setnbe cl") HOST_INSN(setp, "setp dl")
HOST_INSN(seto, "seto ah") HOST_INSN(setns, "setns bh") HOST_INSN(setge, "setge dh") HOST_INSN(setb, "setb ch")
HOST_INSN(cbw, "cbw") HOST_INSN(cwde, "cwde") HOST_INSN(cdqe, "cdqe")
HOST_INSN(cwd, "cwd") HOST_INSN(cdq, "cdq") HOST_INSN(cqo, "cqo")
HOST_INSN(bswap32, "bswap eax") HOST_INSN(bswap64, "bswap rbx")
HOST_INSN(lahf, "lahf") HOST_INSN(sahf, "sahf") HOST_INSN(clc, "clc") HOST_INSN(stc, "stc") HOST_INSN(cmc, "cmc")
HOST_INSN(cmp_setcc, "cmp rax, rbx\n setl cl\n setb dl\n setle ch\n setbe dh")
HOST_INSN(sub_jcc_flags, "sub eax, ebx\n sbb ecx, edx\n adc rax, rcx")
HOST_INSN(mov_rm, "mov rax, qword ptr [rsi+8]") HOST_INSN(mov_mr, "mov dword ptr [rsi+2], ebx")
HOST_INSN(mov_mi, "mov word ptr [rsi+14], 0x1234") HOST_INSN(movzx_m, "movzx eax, word ptr [rsi+3]")
HOST_INSN(movsx_m, "movsx rcx, byte ptr [rsi+9]") HOST_INSN(xchg_m, "xchg qword ptr [rsi], rax")
HOST_INSN(mov_mi64, "mov qword ptr [rsi], -2\n mov qword ptr [rsi+8], 0x7fffffff")
HOST_INSN(mov_mi64s, "mov qword ptr [rsi+8], -0x80000000")
HOST_INSN(lea_m, "lea rax, [rsi+rbx*2]") HOST_INSN(cmov_m, "cmovs edx, dword ptr [rsi+12]")

TEST(CpuData, MovesAndExtensionsMatchHost) {
  CpuHarness h;
  uint64_t seed = 100;
  for (const HostCase& c :
       {HOST_CASE(mov8, 1, no_undefined, no_fixup), HOST_CASE(mov8h, 1, no_undefined, no_fixup),
        HOST_CASE(mov16, 2, no_undefined, no_fixup), HOST_CASE(mov32, 4, no_undefined, no_fixup),
        HOST_CASE(mov64, 8, no_undefined, no_fixup), HOST_CASE(movi64, 8, no_undefined, no_fixup),
        HOST_CASE(movi32, 4, no_undefined, no_fixup), HOST_CASE(movsi64, 8, no_undefined, no_fixup),
        HOST_CASE(movzx8_32, 4, no_undefined, no_fixup), HOST_CASE(movzx16_64, 8, no_undefined, no_fixup),
        HOST_CASE(movzx8h_16, 2, no_undefined, no_fixup), HOST_CASE(movsx8_32, 4, no_undefined, no_fixup),
        HOST_CASE(movsx16_64, 8, no_undefined, no_fixup), HOST_CASE(movsx8_16, 2, no_undefined, no_fixup),
        HOST_CASE(movsxd, 8, no_undefined, no_fixup), HOST_CASE(lea64, 8, no_undefined, no_fixup),
        HOST_CASE(lea32, 4, no_undefined, no_fixup), HOST_CASE(lea16, 2, no_undefined, no_fixup),
        HOST_CASE(xchg64, 8, no_undefined, no_fixup), HOST_CASE(xchg32, 4, no_undefined, no_fixup),
        HOST_CASE(xchg8, 1, no_undefined, no_fixup), HOST_CASE(pushpop64, 8, no_undefined, no_fixup),
        HOST_CASE(pushpop16, 2, no_undefined, no_fixup), HOST_CASE(pushimm, 8, no_undefined, no_fixup),
        HOST_CASE(cbw, 2, no_undefined, no_fixup), HOST_CASE(cwde, 4, no_undefined, no_fixup),
        HOST_CASE(cdqe, 8, no_undefined, no_fixup), HOST_CASE(cwd, 2, no_undefined, no_fixup),
        HOST_CASE(cdq, 4, no_undefined, no_fixup), HOST_CASE(cqo, 8, no_undefined, no_fixup),
        HOST_CASE(bswap32, 4, no_undefined, no_fixup), HOST_CASE(bswap64, 8, no_undefined, no_fixup)}) {
    SCOPED_TRACE(c.name);
    compare_with_host(h, c, 300, seed++);
    if (HasFailure()) return;
  }
}

TEST(CpuData, ConditionalMovesAndSetsMatchHost) {
  CpuHarness h;
  uint64_t seed = 200;
  for (const HostCase& c :
       {HOST_CASE(cmovz64, 8, no_undefined, no_fixup), HOST_CASE(cmovl32, 4, no_undefined, no_fixup),
        HOST_CASE(cmovbe16, 2, no_undefined, no_fixup), HOST_CASE(cmovnp64, 8, no_undefined, no_fixup),
        HOST_CASE(cmovo32, 4, no_undefined, no_fixup), HOST_CASE(cmovnle64, 8, no_undefined, no_fixup),
        HOST_CASE(setz, 1, no_undefined, no_fixup), HOST_CASE(setl, 1, no_undefined, no_fixup),
        HOST_CASE(setnbe, 1, no_undefined, no_fixup), HOST_CASE(setp, 1, no_undefined, no_fixup),
        HOST_CASE(seto, 1, no_undefined, no_fixup), HOST_CASE(setns, 1, no_undefined, no_fixup),
        HOST_CASE(setge, 1, no_undefined, no_fixup), HOST_CASE(setb, 1, no_undefined, no_fixup),
        HOST_CASE(lahf, 1, no_undefined, no_fixup), HOST_CASE(sahf, 1, no_undefined, no_fixup),
        HOST_CASE(clc, 1, no_undefined, no_fixup), HOST_CASE(stc, 1, no_undefined, no_fixup),
        HOST_CASE(cmc, 1, no_undefined, no_fixup), HOST_CASE(cmp_setcc, 8, no_undefined, no_fixup),
        HOST_CASE(sub_jcc_flags, 8, no_undefined, no_fixup)}) {
    SCOPED_TRACE(c.name);
    compare_with_host(h, c, 300, seed++);
    if (HasFailure()) return;
  }
}

TEST(CpuData, MemoryOperandsMatchHost) {
  CpuHarness h;
  uint64_t seed = 300;
  for (const HostCase& c :
       {HOST_MEM_CASE(mov_rm, 8, no_undefined, no_fixup), HOST_MEM_CASE(mov_mr, 4, no_undefined, no_fixup),
        HOST_MEM_CASE(mov_mi, 2, no_undefined, no_fixup), HOST_MEM_CASE(mov_mi64, 8, no_undefined, no_fixup),
        HOST_MEM_CASE(mov_mi64s, 8, no_undefined, no_fixup), HOST_MEM_CASE(movzx_m, 4, no_undefined, no_fixup),
        HOST_MEM_CASE(movsx_m, 8, no_undefined, no_fixup), HOST_MEM_CASE(xchg_m, 8, no_undefined, no_fixup),
        HOST_MEM_CASE(cmov_m, 4, no_undefined, no_fixup)}) {
    SCOPED_TRACE(c.name);
    compare_with_host(h, c, 300, seed++);
    if (HasFailure()) return;
  }
}

TEST(CpuData, RipRelativeLeaUsesTheNextInstruction) {
  CpuHarness h;
  std::vector<uint8_t> bytes(nv_begin_lea_rip, nv_end_lea_rip);
  h.load(bytes);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kRdx], CpuHarness::kCodeAddr + bytes.size() + 0x100);
}

TEST(CpuData, PushAndPopMoveTheStackPointer) {
  CpuHarness h;
  h.s().gpr[kRbx] = 0x1122334455667788;
  h.load({0x53, 0x66, 0x53, 0x66, 0x58, 0x59});  // push rbx; push bx; pop ax; pop rcx
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kRsp], CpuHarness::kStackTop);
  EXPECT_EQ(h.s().gpr[kRax] & 0xffff, 0x7788u);
  EXPECT_EQ(h.s().gpr[kRcx], 0x1122334455667788u);
  EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kStackTop - 8), 0x1122334455667788u);
}

}  // namespace
}  // namespace nv::test
