// Packed integer, bitwise and data-movement SSE/SSE2/MMX instructions on the
// software CPU against the host CPU executing the same instruction on the
// same random and edge-value registers (cpu_simd_compare.h).
#include "cpu_simd_compare.h"

#include <gtest/gtest.h>

#include <iterator>
#include <random>

namespace nv::test {
namespace {

SIMD_INSN(paddb_xx, "paddb xmm0, xmm1")
SIMD_INSN(paddw_xx, "paddw xmm0, xmm1")
SIMD_INSN(paddd_xx, "paddd xmm0, xmm1")
SIMD_INSN(paddq_xx, "paddq xmm0, xmm1")
SIMD_INSN(psubb_xx, "psubb xmm0, xmm1")
SIMD_INSN(psubw_xx, "psubw xmm0, xmm1")
SIMD_INSN(psubd_xx, "psubd xmm0, xmm1")
SIMD_INSN(psubq_xx, "psubq xmm0, xmm1")
SIMD_INSN(paddsb_xx, "paddsb xmm0, xmm1")
SIMD_INSN(paddsw_xx, "paddsw xmm0, xmm1")
SIMD_INSN(paddusb_xx, "paddusb xmm0, xmm1")
SIMD_INSN(paddusw_xx, "paddusw xmm0, xmm1")
SIMD_INSN(psubsb_xx, "psubsb xmm0, xmm1")
SIMD_INSN(psubsw_xx, "psubsw xmm0, xmm1")
SIMD_INSN(psubusb_xx, "psubusb xmm0, xmm1")
SIMD_INSN(psubusw_xx, "psubusw xmm0, xmm1")
SIMD_INSN(pmullw_xx, "pmullw xmm0, xmm1")
SIMD_INSN(pmulhw_xx, "pmulhw xmm0, xmm1")
SIMD_INSN(pmulhuw_xx, "pmulhuw xmm0, xmm1")
SIMD_INSN(pmuludq_xx, "pmuludq xmm0, xmm1")
SIMD_INSN(pmaddwd_xx, "pmaddwd xmm0, xmm1")
SIMD_INSN(pavgb_xx, "pavgb xmm0, xmm1")
SIMD_INSN(pavgw_xx, "pavgw xmm0, xmm1")
SIMD_INSN(pminub_xx, "pminub xmm0, xmm1")
SIMD_INSN(pmaxub_xx, "pmaxub xmm0, xmm1")
SIMD_INSN(pminsw_xx, "pminsw xmm0, xmm1")
SIMD_INSN(pmaxsw_xx, "pmaxsw xmm0, xmm1")
SIMD_INSN(psadbw_xx, "psadbw xmm0, xmm1")
SIMD_INSN(pcmpeqb_xx, "pcmpeqb xmm0, xmm1")
SIMD_INSN(pcmpeqw_xx, "pcmpeqw xmm0, xmm1")
SIMD_INSN(pcmpeqd_xx, "pcmpeqd xmm0, xmm1")
SIMD_INSN(pcmpgtb_xx, "pcmpgtb xmm0, xmm1")
SIMD_INSN(pcmpgtw_xx, "pcmpgtw xmm0, xmm1")
SIMD_INSN(pcmpgtd_xx, "pcmpgtd xmm0, xmm1")
SIMD_INSN(pand_xx, "pand xmm0, xmm1")
SIMD_INSN(pandn_xx, "pandn xmm0, xmm1")
SIMD_INSN(por_xx, "por xmm0, xmm1")
SIMD_INSN(pxor_xx, "pxor xmm0, xmm1")
SIMD_INSN(andps_xx, "andps xmm0, xmm1")
SIMD_INSN(andnps_xx, "andnps xmm0, xmm1")
SIMD_INSN(orps_xx, "orps xmm0, xmm1")
SIMD_INSN(xorpd_xx, "xorpd xmm0, xmm1")
SIMD_INSN(psllw_xx, "psllw xmm0, xmm1")
SIMD_INSN(pslld_xx, "pslld xmm0, xmm1")
SIMD_INSN(psllq_xx, "psllq xmm0, xmm1")
SIMD_INSN(psrlw_xx, "psrlw xmm0, xmm1")
SIMD_INSN(psrld_xx, "psrld xmm0, xmm1")
SIMD_INSN(psrlq_xx, "psrlq xmm0, xmm1")
SIMD_INSN(psraw_xx, "psraw xmm0, xmm1")
SIMD_INSN(psrad_xx, "psrad xmm0, xmm1")
SIMD_INSN(punpcklbw_xx, "punpcklbw xmm0, xmm1")
SIMD_INSN(punpcklwd_xx, "punpcklwd xmm0, xmm1")
SIMD_INSN(punpckldq_xx, "punpckldq xmm0, xmm1")
SIMD_INSN(punpcklqdq_xx, "punpcklqdq xmm0, xmm1")
SIMD_INSN(punpckhbw_xx, "punpckhbw xmm0, xmm1")
SIMD_INSN(punpckhwd_xx, "punpckhwd xmm0, xmm1")
SIMD_INSN(punpckhdq_xx, "punpckhdq xmm0, xmm1")
SIMD_INSN(punpckhqdq_xx, "punpckhqdq xmm0, xmm1")
SIMD_INSN(unpcklps_xx, "unpcklps xmm0, xmm1")
SIMD_INSN(unpckhps_xx, "unpckhps xmm0, xmm1")
SIMD_INSN(unpcklpd_xx, "unpcklpd xmm0, xmm1")
SIMD_INSN(unpckhpd_xx, "unpckhpd xmm0, xmm1")
SIMD_INSN(packsswb_xx, "packsswb xmm0, xmm1")
SIMD_INSN(packssdw_xx, "packssdw xmm0, xmm1")
SIMD_INSN(packuswb_xx, "packuswb xmm0, xmm1")
SIMD_INSN(paddb_xm, "paddb xmm0, [rsi]")
SIMD_INSN(paddq_xm, "paddq xmm0, [rsi]")
SIMD_INSN(psubd_xm, "psubd xmm0, [rsi]")
SIMD_INSN(paddsw_xm, "paddsw xmm0, [rsi]")
SIMD_INSN(psubsb_xm, "psubsb xmm0, [rsi]")
SIMD_INSN(psubusw_xm, "psubusw xmm0, [rsi]")
SIMD_INSN(pmulhuw_xm, "pmulhuw xmm0, [rsi]")
SIMD_INSN(pavgb_xm, "pavgb xmm0, [rsi]")
SIMD_INSN(pmaxub_xm, "pmaxub xmm0, [rsi]")
SIMD_INSN(psadbw_xm, "psadbw xmm0, [rsi]")
SIMD_INSN(pcmpeqd_xm, "pcmpeqd xmm0, [rsi]")
SIMD_INSN(pcmpgtd_xm, "pcmpgtd xmm0, [rsi]")
SIMD_INSN(por_xm, "por xmm0, [rsi]")
SIMD_INSN(andnps_xm, "andnps xmm0, [rsi]")
SIMD_INSN(psllw_xm, "psllw xmm0, [rsi]")
SIMD_INSN(psrlw_xm, "psrlw xmm0, [rsi]")
SIMD_INSN(psraw_xm, "psraw xmm0, [rsi]")
SIMD_INSN(punpcklwd_xm, "punpcklwd xmm0, [rsi]")
SIMD_INSN(punpckhbw_xm, "punpckhbw xmm0, [rsi]")
SIMD_INSN(punpckhqdq_xm, "punpckhqdq xmm0, [rsi]")
SIMD_INSN(unpcklpd_xm, "unpcklpd xmm0, [rsi]")
SIMD_INSN(packssdw_xm, "packssdw xmm0, [rsi]")
SIMD_INSN(paddb_mm, "paddb mm0, mm1")
SIMD_INSN(paddw_mm, "paddw mm0, mm1")
SIMD_INSN(paddd_mm, "paddd mm0, mm1")
SIMD_INSN(paddq_mm, "paddq mm0, mm1")
SIMD_INSN(psubb_mm, "psubb mm0, mm1")
SIMD_INSN(psubsw_mm, "psubsw mm0, mm1")
SIMD_INSN(psubusb_mm, "psubusb mm0, mm1")
SIMD_INSN(pmullw_mm, "pmullw mm0, mm1")
SIMD_INSN(pmulhw_mm, "pmulhw mm0, mm1")
SIMD_INSN(pmulhuw_mm, "pmulhuw mm0, mm1")
SIMD_INSN(pmuludq_mm, "pmuludq mm0, mm1")
SIMD_INSN(pmaddwd_mm, "pmaddwd mm0, mm1")
SIMD_INSN(pavgb_mm, "pavgb mm0, mm1")
SIMD_INSN(pminub_mm, "pminub mm0, mm1")
SIMD_INSN(pmaxsw_mm, "pmaxsw mm0, mm1")
SIMD_INSN(psadbw_mm, "psadbw mm0, mm1")
SIMD_INSN(pcmpeqw_mm, "pcmpeqw mm0, mm1")
SIMD_INSN(pcmpgtd_mm, "pcmpgtd mm0, mm1")
SIMD_INSN(pand_mm, "pand mm0, mm1")
SIMD_INSN(pandn_mm, "pandn mm0, mm1")
SIMD_INSN(por_mm, "por mm0, mm1")
SIMD_INSN(pxor_mm, "pxor mm0, mm1")
SIMD_INSN(psllw_mm, "psllw mm0, mm1")
SIMD_INSN(psrld_mm, "psrld mm0, mm1")
SIMD_INSN(psraw_mm, "psraw mm0, mm1")
SIMD_INSN(psrlq_mm, "psrlq mm0, mm1")
SIMD_INSN(punpcklbw_mm, "punpcklbw mm0, mm1")
SIMD_INSN(punpckhwd_mm, "punpckhwd mm0, mm1")
SIMD_INSN(punpckldq_mm, "punpckldq mm0, mm1")
SIMD_INSN(packsswb_mm, "packsswb mm0, mm1")
SIMD_INSN(packuswb_mm, "packuswb mm0, mm1")
SIMD_INSN(packssdw_mm, "packssdw mm0, mm1")
SIMD_INSN(psllw_i0, "psllw xmm0, 3")
SIMD_INSN(psllw_i1, "psllw xmm0, 17")
SIMD_INSN(pslld_i2, "pslld xmm0, 31")
SIMD_INSN(psllq_i3, "psllq xmm0, 63")
SIMD_INSN(psrlw_i4, "psrlw xmm0, 15")
SIMD_INSN(psrld_i5, "psrld xmm0, 32")
SIMD_INSN(psrlq_i6, "psrlq xmm0, 1")
SIMD_INSN(psraw_i7, "psraw xmm0, 9")
SIMD_INSN(psraw_i8, "psraw xmm0, 200")
SIMD_INSN(psrad_i9, "psrad xmm0, 31")
SIMD_INSN(pslldq_i10, "pslldq xmm0, 5")
SIMD_INSN(pslldq_i11, "pslldq xmm0, 16")
SIMD_INSN(psrldq_i12, "psrldq xmm0, 3")
SIMD_INSN(pshufd_i13, "pshufd xmm0, xmm1, 0x1b")
SIMD_INSN(pshufd_i14, "pshufd xmm0, [rsi], 0xe4")
SIMD_INSN(pshuflw_i15, "pshuflw xmm0, xmm1, 0x93")
SIMD_INSN(pshufhw_i16, "pshufhw xmm0, xmm1, 0x39")
SIMD_INSN(pextrw_i17, "pextrw eax, xmm1, 5")
SIMD_INSN(pinsrw_i18, "pinsrw xmm0, ecx, 6")
SIMD_INSN(pinsrw_i19, "pinsrw xmm0, word ptr [rsi], 1")
SIMD_INSN(pmovmskb_i20, "pmovmskb eax, xmm1")
SIMD_INSN(psllw_i21, "psllw mm0, 4")
SIMD_INSN(psrad_i22, "psrad mm0, 40")
SIMD_INSN(pshufw_i23, "pshufw mm0, mm1, 0x4e")
SIMD_INSN(pextrw_i24, "pextrw eax, mm1, 3")
SIMD_INSN(pinsrw_i25, "pinsrw mm0, ecx, 2")
SIMD_INSN(pmovmskb_i26, "pmovmskb ecx, mm1")
SIMD_INSN(movmskps_i27, "movmskps eax, xmm1")
SIMD_INSN(movmskpd_i28, "movmskpd ecx, xmm1")
SIMD_INSN(movss_i29, "movss xmm0, xmm1")
SIMD_INSN(movss_i30, "movss xmm0, [rsi]")
SIMD_INSN(movss_i31, "movss [rsi], xmm1")
SIMD_INSN(movsd_i32, "movsd xmm0, xmm1")
SIMD_INSN(movsd_i33, "movsd xmm0, [rsi]")
SIMD_INSN(movsd_i34, "movsd [rsi], xmm1")
SIMD_INSN(movlps_i35, "movlps xmm0, [rsi]")
SIMD_INSN(movhps_i36, "movhps xmm0, [rsi]")
SIMD_INSN(movlpd_i37, "movlpd [rsi], xmm1")
SIMD_INSN(movhpd_i38, "movhpd [rsi], xmm1")
SIMD_INSN(movhlps_i39, "movhlps xmm0, xmm1")
SIMD_INSN(movlhps_i40, "movlhps xmm0, xmm1")
SIMD_INSN(movq2dq_i41, "movq2dq xmm0, mm1")
SIMD_INSN(movdq2q_i42, "movdq2q mm0, xmm1")
SIMD_INSN(pmaddwd_i43, "pmaddwd mm0, [rsi]")
SIMD_INSN(maskmovdqu, "push rdi\n mov rdi, rsi\n maskmovdqu xmm0, xmm1\n pop rdi")
SIMD_INSN(maskmovq, "push rdi\n lea rdi, [rsi+3]\n maskmovq mm0, mm1\n pop rdi")

const SimdCase kIntCases[] = {
    SIMD_CASE(maskmovdqu),
    SIMD_CASE(maskmovq),
    SIMD_CASE(paddb_xx),
    SIMD_CASE(paddw_xx),
    SIMD_CASE(paddd_xx),
    SIMD_CASE(paddq_xx),
    SIMD_CASE(psubb_xx),
    SIMD_CASE(psubw_xx),
    SIMD_CASE(psubd_xx),
    SIMD_CASE(psubq_xx),
    SIMD_CASE(paddsb_xx),
    SIMD_CASE(paddsw_xx),
    SIMD_CASE(paddusb_xx),
    SIMD_CASE(paddusw_xx),
    SIMD_CASE(psubsb_xx),
    SIMD_CASE(psubsw_xx),
    SIMD_CASE(psubusb_xx),
    SIMD_CASE(psubusw_xx),
    SIMD_CASE(pmullw_xx),
    SIMD_CASE(pmulhw_xx),
    SIMD_CASE(pmulhuw_xx),
    SIMD_CASE(pmuludq_xx),
    SIMD_CASE(pmaddwd_xx),
    SIMD_CASE(pavgb_xx),
    SIMD_CASE(pavgw_xx),
    SIMD_CASE(pminub_xx),
    SIMD_CASE(pmaxub_xx),
    SIMD_CASE(pminsw_xx),
    SIMD_CASE(pmaxsw_xx),
    SIMD_CASE(psadbw_xx),
    SIMD_CASE(pcmpeqb_xx),
    SIMD_CASE(pcmpeqw_xx),
    SIMD_CASE(pcmpeqd_xx),
    SIMD_CASE(pcmpgtb_xx),
    SIMD_CASE(pcmpgtw_xx),
    SIMD_CASE(pcmpgtd_xx),
    SIMD_CASE(pand_xx),
    SIMD_CASE(pandn_xx),
    SIMD_CASE(por_xx),
    SIMD_CASE(pxor_xx),
    SIMD_CASE(andps_xx),
    SIMD_CASE(andnps_xx),
    SIMD_CASE(orps_xx),
    SIMD_CASE(xorpd_xx),
    SIMD_CASE(psllw_xx),
    SIMD_CASE(pslld_xx),
    SIMD_CASE(psllq_xx),
    SIMD_CASE(psrlw_xx),
    SIMD_CASE(psrld_xx),
    SIMD_CASE(psrlq_xx),
    SIMD_CASE(psraw_xx),
    SIMD_CASE(psrad_xx),
    SIMD_CASE(punpcklbw_xx),
    SIMD_CASE(punpcklwd_xx),
    SIMD_CASE(punpckldq_xx),
    SIMD_CASE(punpcklqdq_xx),
    SIMD_CASE(punpckhbw_xx),
    SIMD_CASE(punpckhwd_xx),
    SIMD_CASE(punpckhdq_xx),
    SIMD_CASE(punpckhqdq_xx),
    SIMD_CASE(unpcklps_xx),
    SIMD_CASE(unpckhps_xx),
    SIMD_CASE(unpcklpd_xx),
    SIMD_CASE(unpckhpd_xx),
    SIMD_CASE(packsswb_xx),
    SIMD_CASE(packssdw_xx),
    SIMD_CASE(packuswb_xx),
    SIMD_CASE(paddb_xm),
    SIMD_CASE(paddq_xm),
    SIMD_CASE(psubd_xm),
    SIMD_CASE(paddsw_xm),
    SIMD_CASE(psubsb_xm),
    SIMD_CASE(psubusw_xm),
    SIMD_CASE(pmulhuw_xm),
    SIMD_CASE(pavgb_xm),
    SIMD_CASE(pmaxub_xm),
    SIMD_CASE(psadbw_xm),
    SIMD_CASE(pcmpeqd_xm),
    SIMD_CASE(pcmpgtd_xm),
    SIMD_CASE(por_xm),
    SIMD_CASE(andnps_xm),
    SIMD_CASE(psllw_xm),
    SIMD_CASE(psrlw_xm),
    SIMD_CASE(psraw_xm),
    SIMD_CASE(punpcklwd_xm),
    SIMD_CASE(punpckhbw_xm),
    SIMD_CASE(punpckhqdq_xm),
    SIMD_CASE(unpcklpd_xm),
    SIMD_CASE(packssdw_xm),
    SIMD_CASE(paddb_mm),
    SIMD_CASE(paddw_mm),
    SIMD_CASE(paddd_mm),
    SIMD_CASE(paddq_mm),
    SIMD_CASE(psubb_mm),
    SIMD_CASE(psubsw_mm),
    SIMD_CASE(psubusb_mm),
    SIMD_CASE(pmullw_mm),
    SIMD_CASE(pmulhw_mm),
    SIMD_CASE(pmulhuw_mm),
    SIMD_CASE(pmuludq_mm),
    SIMD_CASE(pmaddwd_mm),
    SIMD_CASE(pavgb_mm),
    SIMD_CASE(pminub_mm),
    SIMD_CASE(pmaxsw_mm),
    SIMD_CASE(psadbw_mm),
    SIMD_CASE(pcmpeqw_mm),
    SIMD_CASE(pcmpgtd_mm),
    SIMD_CASE(pand_mm),
    SIMD_CASE(pandn_mm),
    SIMD_CASE(por_mm),
    SIMD_CASE(pxor_mm),
    SIMD_CASE(psllw_mm),
    SIMD_CASE(psrld_mm),
    SIMD_CASE(psraw_mm),
    SIMD_CASE(psrlq_mm),
    SIMD_CASE(punpcklbw_mm),
    SIMD_CASE(punpckhwd_mm),
    SIMD_CASE(punpckldq_mm),
    SIMD_CASE(packsswb_mm),
    SIMD_CASE(packuswb_mm),
    SIMD_CASE(packssdw_mm),
    SIMD_CASE(psllw_i0),
    SIMD_CASE(psllw_i1),
    SIMD_CASE(pslld_i2),
    SIMD_CASE(psllq_i3),
    SIMD_CASE(psrlw_i4),
    SIMD_CASE(psrld_i5),
    SIMD_CASE(psrlq_i6),
    SIMD_CASE(psraw_i7),
    SIMD_CASE(psraw_i8),
    SIMD_CASE(psrad_i9),
    SIMD_CASE(pslldq_i10),
    SIMD_CASE(pslldq_i11),
    SIMD_CASE(psrldq_i12),
    SIMD_CASE(pshufd_i13),
    SIMD_CASE(pshufd_i14),
    SIMD_CASE(pshuflw_i15),
    SIMD_CASE(pshufhw_i16),
    SIMD_CASE(pextrw_i17),
    SIMD_CASE(pinsrw_i18),
    SIMD_CASE(pinsrw_i19),
    SIMD_CASE(pmovmskb_i20),
    SIMD_CASE(psllw_i21),
    SIMD_CASE(psrad_i22),
    SIMD_CASE(pshufw_i23),
    SIMD_CASE(pextrw_i24),
    SIMD_CASE(pinsrw_i25),
    SIMD_CASE(pmovmskb_i26),
    SIMD_CASE(movmskps_i27),
    SIMD_CASE(movmskpd_i28),
    SIMD_CASE(movss_i29),
    SIMD_CASE(movss_i30),
    SIMD_CASE(movss_i31),
    SIMD_CASE(movsd_i32),
    SIMD_CASE(movsd_i33),
    SIMD_CASE(movsd_i34),
    SIMD_CASE(movlps_i35),
    SIMD_CASE(movhps_i36),
    SIMD_CASE(movlpd_i37),
    SIMD_CASE(movhpd_i38),
    SIMD_CASE(movhlps_i39),
    SIMD_CASE(movlhps_i40),
    SIMD_CASE(movq2dq_i41),
    SIMD_CASE(movdq2q_i42),
    SIMD_CASE(pmaddwd_i43),
};

// Lanes of edge values (0, ±1, signed/unsigned limits) or random bits.
uint64_t edge_lanes(std::mt19937_64& rng) {
  static const uint64_t patterns[] = {0, ~0ull, 0x8000800080008000, 0x7fff7fff7fff7fff, 0x8080808080808080,
                                      0x7f7f7f7f7f7f7f7f, 0x0001000100010001, 0x80000000ffffffff, 0x00ff00ff00ff00ff};
  switch (rng() % 3) {
    case 0: return patterns[rng() % std::size(patterns)];
    case 1: return patterns[rng() % std::size(patterns)] ^ (rng() & rng());
    default: return rng();
  }
}

TEST(CpuSseInt, MatchesHost) {
  SimdHarness h;
  h.compare_random(kIntCases, 42, edge_lanes);
}

GUEST_CODE(paddb_misaligned, "  paddb xmm0, [rdi+8]\n")
GUEST_CODE(mmx_after_x87_fault, "  fninit\n  fldcw [rdi]\n  fldz\n  fldz\n  fdivp st(1), st\n  movq [rdi+8], mm0\n")

// Vol. 1 §11.4.1: a legacy-SSE packed memory operand must be 16-byte aligned.
TEST(CpuSseInt, MisalignedPackedOperandIsGp) {
  SimdHarness h;
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  h.load(GUEST_BYTES(paddb_misaligned));
  h.run(100);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
}

// An MMX instruction reports a pending unmasked x87 exception as #MF with
// CR0.NE = 1 (Vol. 3A Table 2-2; kvm-unit-tests emulator64 "movq mmx generates #MF").
TEST(CpuSseInt, MmxInstructionReportsPendingX87Exception) {
  SimdHarness h;
  h.s().cr0 |= 1ull << 5;
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  h.memory.write_obj<uint16_t>(CpuHarness::kDataAddr, 0);  // every exception unmasked
  h.load(GUEST_BYTES(mmx_after_x87_fault));
  h.run(100);
  EXPECT_EQ(h.delivered_vector(), vec::kMF);
}

}  // namespace
}  // namespace nv::test
