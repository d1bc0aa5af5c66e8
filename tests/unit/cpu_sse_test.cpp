// SSE data movement and logic, MXCSR, FXSAVE/FXRSTOR and x87 control words
// on the software CPU, with their #UD/#NM/#GP conditions.
#include "cpu_test_support.h"

#include <gtest/gtest.h>

namespace nv::test {
namespace {

constexpr uint64_t kOsFxsr = 1ull << 9;

GUEST_CODE(sse_moves,
           "  movdqu xmm1, [rdi]\n  pxor xmm2, xmm2\n  por xmm2, xmm1\n  movaps [rdi+32], xmm2\n"
           "  movq rax, xmm1\n  movd ecx, xmm1\n  mov rdx, -1\n  movq xmm4, rdx\n  movd xmm5, edx\n"
           "  movq r8, xmm5\n  pandn xmm5, xmm4\n  movq r9, xmm5\n  xorps xmm1, xmm1\n  movups [rdi+48], xmm1\n")

TEST(CpuSse, MovesAndLogic) {
  CpuHarness h;
  h.s().cr4 |= kOsFxsr;
  const uint64_t data[2] = {0x1122334455667788, 0x99aabbccddeeff00};
  h.memory.write(CpuHarness::kDataAddr, data, sizeof data);
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  h.load(GUEST_BYTES(sse_moves));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  const VcpuState& s = h.s();
  EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kDataAddr + 32), data[0]);
  EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kDataAddr + 40), data[1]);
  EXPECT_EQ(s.gpr[kRax], data[0]);
  EXPECT_EQ(s.gpr[kRcx], 0x55667788u);
  EXPECT_EQ(s.gpr[kR8], 0xffffffffu);           // MOVD zero-extends into the XMM register
  EXPECT_EQ(s.gpr[kR9], 0xffffffff00000000u);   // ~xmm5 & xmm4
  EXPECT_EQ(s.xmm[4][1], 0u);                    // MOVQ clears the high quadword
  EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kDataAddr + 48), 0u);
  EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kDataAddr + 56), 0u);
}

GUEST_CODE(misaligned_movaps, "  movaps xmm0, [rdi+8]\n")
GUEST_CODE(movdqu_only, "  movdqu xmm0, [rdi]\n")

TEST(CpuSse, FaultConditions) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  h.s().cr4 |= kOsFxsr;
  h.load(GUEST_BYTES(misaligned_movaps));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);  // Vol. 2B MOVAPS: 16-byte alignment

  h.s().gpr[kRsp] = CpuHarness::kStackTop;
  h.s().cr4 &= ~kOsFxsr;
  h.load(GUEST_BYTES(movdqu_only));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kUD);  // CR4.OSFXSR = 0

  h.s().gpr[kRsp] = CpuHarness::kStackTop;
  h.s().cr4 |= kOsFxsr;
  h.s().cr0 |= 1ull << 3;  // CR0.TS
  h.s().rip = CpuHarness::kCodeAddr;
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kNM);
}

GUEST_CODE(fxsave_round_trip,
           "  fninit\n  fnstcw [rdi+600]\n  mov word ptr [rdi+602], 0x27f\n  fldcw [rdi+602]\n  fnstsw ax\n"
           "  mov edx, 0x1f00\n  mov [rdi+604], edx\n  ldmxcsr [rdi+604]\n"
           "  mov rdx, 0x0102030405060708\n  movq xmm7, rdx\n  fxsave [rdi]\n"
           "  pxor xmm7, xmm7\n  fninit\n  fxrstor [rdi]\n  movq rbx, xmm7\n  stmxcsr [rdi+608]\n  fnstcw [rdi+612]\n")

TEST(CpuSse, FxsaveAndFxrstorRoundTrip) {
  CpuHarness h;
  h.s().cr4 |= kOsFxsr;
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  h.load(GUEST_BYTES(fxsave_round_trip));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.memory.read_obj<uint16_t>(CpuHarness::kDataAddr + 600), 0x37f);  // FNINIT's control word
  EXPECT_EQ(h.s().gpr[kRax] & 0xffff, 0u);                                     // FNSTSW after FNINIT
  EXPECT_EQ(h.memory.read_obj<uint16_t>(CpuHarness::kDataAddr + 0), 0x27f);    // FXSAVE: FCW
  EXPECT_EQ(h.memory.read_obj<uint32_t>(CpuHarness::kDataAddr + 24), 0x1f00u);  // MXCSR
  EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kDataAddr + 160 + 7 * 16), 0x0102030405060708u);
  EXPECT_EQ(h.s().gpr[kRbx], 0x0102030405060708u);  // restored XMM7
  EXPECT_EQ(h.memory.read_obj<uint32_t>(CpuHarness::kDataAddr + 608), 0x1f00u);
  EXPECT_EQ(h.memory.read_obj<uint16_t>(CpuHarness::kDataAddr + 612), 0x27f);
}

GUEST_CODE(mmx_moves, "  fninit\n  movq mm3, rdx\n  movq [rdi], mm3\n  movd mm1, [rdi]\n  movq rax, mm1\n  emms\n")

TEST(CpuSse, MmxMovesUseTheX87Registers) {
  CpuHarness h;
  h.s().gpr[kRdx] = 0x0102030405060708;
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  h.load(GUEST_BYTES(mmx_moves));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kDataAddr), 0x0102030405060708u);
  EXPECT_EQ(h.s().gpr[kRax], 0x05060708u);  // MOVD zero-extends
  EXPECT_EQ(h.s().st[3][9], 0xff);          // MMX writes set the exponent to all ones
  EXPECT_EQ(h.s().ftw, 0);                  // EMMS empties the tags
}

}  // namespace
}  // namespace nv::test
