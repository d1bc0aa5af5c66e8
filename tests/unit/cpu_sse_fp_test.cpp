// SSE/SSE2 floating point on the software CPU against the host CPU: every
// instruction over edge values (±0, denormals, ±inf, quiet and signalling
// NaNs, limits, values that round differently per mode, integers out of
// range) under each MXCSR rounding mode with and without FTZ/DAZ, comparing
// result bits, MXCSR flags and EFLAGS; then the unmasked-exception rules.
#include "cpu_simd_compare.h"

#include <gtest/gtest.h>

#include <iterator>
#include <random>

namespace nv::test {
namespace {

SIMD_INSN(fp_addps_xx, "addps xmm0, xmm1")
SIMD_INSN(fp_addss_xx, "addss xmm0, xmm1")
SIMD_INSN(fp_addss_xm, "addss xmm0, dword ptr [rsi]")
SIMD_INSN(fp_subps_xx, "subps xmm0, xmm1")
SIMD_INSN(fp_subss_xx, "subss xmm0, xmm1")
SIMD_INSN(fp_subss_xm, "subss xmm0, dword ptr [rsi]")
SIMD_INSN(fp_mulps_xx, "mulps xmm0, xmm1")
SIMD_INSN(fp_mulss_xx, "mulss xmm0, xmm1")
SIMD_INSN(fp_mulss_xm, "mulss xmm0, dword ptr [rsi]")
SIMD_INSN(fp_divps_xx, "divps xmm0, xmm1")
SIMD_INSN(fp_divss_xx, "divss xmm0, xmm1")
SIMD_INSN(fp_divss_xm, "divss xmm0, dword ptr [rsi]")
SIMD_INSN(fp_minps_xx, "minps xmm0, xmm1")
SIMD_INSN(fp_minss_xx, "minss xmm0, xmm1")
SIMD_INSN(fp_minss_xm, "minss xmm0, dword ptr [rsi]")
SIMD_INSN(fp_maxps_xx, "maxps xmm0, xmm1")
SIMD_INSN(fp_maxss_xx, "maxss xmm0, xmm1")
SIMD_INSN(fp_maxss_xm, "maxss xmm0, dword ptr [rsi]")
SIMD_INSN(fp_sqrtps_xx, "sqrtps xmm0, xmm1")
SIMD_INSN(fp_sqrtss_xx, "sqrtss xmm0, xmm1")
SIMD_INSN(fp_sqrtss_xm, "sqrtss xmm0, dword ptr [rsi]")
SIMD_INSN(fp_rcpps_xx, "rcpps xmm0, xmm1")
SIMD_INSN(fp_rcpss_xx, "rcpss xmm0, xmm1")
SIMD_INSN(fp_rsqrtps_xx, "rsqrtps xmm0, xmm1")
SIMD_INSN(fp_rsqrtss_xx, "rsqrtss xmm0, xmm1")
SIMD_INSN(fp_cmpps0, "cmpps xmm0, xmm1, 0")
SIMD_INSN(fp_cmpss0, "cmpss xmm0, xmm1, 0")
SIMD_INSN(fp_cmpps1, "cmpps xmm0, xmm1, 1")
SIMD_INSN(fp_cmpss1, "cmpss xmm0, xmm1, 1")
SIMD_INSN(fp_cmpps2, "cmpps xmm0, xmm1, 2")
SIMD_INSN(fp_cmpss2, "cmpss xmm0, xmm1, 2")
SIMD_INSN(fp_cmpps3, "cmpps xmm0, xmm1, 3")
SIMD_INSN(fp_cmpss3, "cmpss xmm0, xmm1, 3")
SIMD_INSN(fp_cmpps4, "cmpps xmm0, xmm1, 4")
SIMD_INSN(fp_cmpss4, "cmpss xmm0, xmm1, 4")
SIMD_INSN(fp_cmpps5, "cmpps xmm0, xmm1, 5")
SIMD_INSN(fp_cmpss5, "cmpss xmm0, xmm1, 5")
SIMD_INSN(fp_cmpps6, "cmpps xmm0, xmm1, 6")
SIMD_INSN(fp_cmpss6, "cmpss xmm0, xmm1, 6")
SIMD_INSN(fp_cmpps7, "cmpps xmm0, xmm1, 7")
SIMD_INSN(fp_cmpss7, "cmpss xmm0, xmm1, 7")
SIMD_INSN(fp_comiss, "comiss xmm0, xmm1")
SIMD_INSN(fp_comiss_m, "comiss xmm0, dword ptr [rsi]")
SIMD_INSN(fp_ucomiss, "ucomiss xmm0, xmm1")
SIMD_INSN(fp_ucomiss_m, "ucomiss xmm0, dword ptr [rsi]")
SIMD_INSN(fp_cvtss2sd, "cvtss2sd xmm0, xmm1")
SIMD_INSN(fp_cvtps2pd, "cvtps2pd xmm0, xmm1")
SIMD_INSN(fp_cvtps2dq, "cvtps2dq xmm0, xmm1")
SIMD_INSN(fp_cvttps2dq, "cvttps2dq xmm0, xmm1")
SIMD_INSN(fp_cvtss2si32, "cvtss2si eax, xmm1")
SIMD_INSN(fp_cvtss2si64, "cvtss2si rax, xmm1")
SIMD_INSN(fp_cvttss2si32, "cvttss2si eax, xmm1")
SIMD_INSN(fp_cvttss2si64, "cvttss2si rcx, dword ptr [rsi]")
SIMD_INSN(fp_cvtsi2ss32, "cvtsi2ss xmm0, eax")
SIMD_INSN(fp_cvtsi2ss64, "cvtsi2ss xmm0, rax")
SIMD_INSN(fp_cvtdq2ps, "cvtdq2ps xmm0, xmm1")
SIMD_INSN(fp_shufps, "shufps xmm0, xmm1, 0x9c")
SIMD_INSN(fp_cvtps2pd_m, "cvtps2pd xmm0, qword ptr [rsi]")
SIMD_INSN(fp_addpd_xx, "addpd xmm0, xmm1")
SIMD_INSN(fp_addsd_xx, "addsd xmm0, xmm1")
SIMD_INSN(fp_addpd_xm, "addpd xmm0, [rsi]")
SIMD_INSN(fp_subpd_xx, "subpd xmm0, xmm1")
SIMD_INSN(fp_subsd_xx, "subsd xmm0, xmm1")
SIMD_INSN(fp_subpd_xm, "subpd xmm0, [rsi]")
SIMD_INSN(fp_mulpd_xx, "mulpd xmm0, xmm1")
SIMD_INSN(fp_mulsd_xx, "mulsd xmm0, xmm1")
SIMD_INSN(fp_mulpd_xm, "mulpd xmm0, [rsi]")
SIMD_INSN(fp_divpd_xx, "divpd xmm0, xmm1")
SIMD_INSN(fp_divsd_xx, "divsd xmm0, xmm1")
SIMD_INSN(fp_divpd_xm, "divpd xmm0, [rsi]")
SIMD_INSN(fp_minpd_xx, "minpd xmm0, xmm1")
SIMD_INSN(fp_minsd_xx, "minsd xmm0, xmm1")
SIMD_INSN(fp_minpd_xm, "minpd xmm0, [rsi]")
SIMD_INSN(fp_maxpd_xx, "maxpd xmm0, xmm1")
SIMD_INSN(fp_maxsd_xx, "maxsd xmm0, xmm1")
SIMD_INSN(fp_maxpd_xm, "maxpd xmm0, [rsi]")
SIMD_INSN(fp_sqrtpd_xx, "sqrtpd xmm0, xmm1")
SIMD_INSN(fp_sqrtsd_xx, "sqrtsd xmm0, xmm1")
SIMD_INSN(fp_sqrtpd_xm, "sqrtpd xmm0, [rsi]")
SIMD_INSN(fp_cmppd0, "cmppd xmm0, xmm1, 0")
SIMD_INSN(fp_cmpsd0, "cmpsd xmm0, xmm1, 0")
SIMD_INSN(fp_cmppd1, "cmppd xmm0, xmm1, 1")
SIMD_INSN(fp_cmpsd1, "cmpsd xmm0, xmm1, 1")
SIMD_INSN(fp_cmppd2, "cmppd xmm0, xmm1, 2")
SIMD_INSN(fp_cmpsd2, "cmpsd xmm0, xmm1, 2")
SIMD_INSN(fp_cmppd3, "cmppd xmm0, xmm1, 3")
SIMD_INSN(fp_cmpsd3, "cmpsd xmm0, xmm1, 3")
SIMD_INSN(fp_cmppd4, "cmppd xmm0, xmm1, 4")
SIMD_INSN(fp_cmpsd4, "cmpsd xmm0, xmm1, 4")
SIMD_INSN(fp_cmppd5, "cmppd xmm0, xmm1, 5")
SIMD_INSN(fp_cmpsd5, "cmpsd xmm0, xmm1, 5")
SIMD_INSN(fp_cmppd6, "cmppd xmm0, xmm1, 6")
SIMD_INSN(fp_cmpsd6, "cmpsd xmm0, xmm1, 6")
SIMD_INSN(fp_cmppd7, "cmppd xmm0, xmm1, 7")
SIMD_INSN(fp_cmpsd7, "cmpsd xmm0, xmm1, 7")
SIMD_INSN(fp_cmpsd_m, "cmpsd xmm0, qword ptr [rsi], 1")
SIMD_INSN(fp_comisd, "comisd xmm0, xmm1")
SIMD_INSN(fp_ucomisd, "ucomisd xmm0, xmm1")
SIMD_INSN(fp_cvtsd2ss, "cvtsd2ss xmm0, xmm1")
SIMD_INSN(fp_cvtpd2ps, "cvtpd2ps xmm0, xmm1")
SIMD_INSN(fp_cvtpd2dq, "cvtpd2dq xmm0, xmm1")
SIMD_INSN(fp_cvttpd2dq, "cvttpd2dq xmm0, xmm1")
SIMD_INSN(fp_cvtsd2si32, "cvtsd2si eax, xmm1")
SIMD_INSN(fp_cvtsd2si64, "cvtsd2si rax, xmm1")
SIMD_INSN(fp_cvttsd2si32, "cvttsd2si ecx, qword ptr [rsi]")
SIMD_INSN(fp_cvttsd2si64, "cvttsd2si rax, xmm1")
SIMD_INSN(fp_cvtsi2sd32, "cvtsi2sd xmm0, dword ptr [rsi]")
SIMD_INSN(fp_cvtsi2sd64, "cvtsi2sd xmm0, rcx")
SIMD_INSN(fp_cvtdq2pd, "cvtdq2pd xmm0, xmm1")
SIMD_INSN(fp_shufpd, "shufpd xmm0, xmm1, 2")
SIMD_INSN(fp_movmskpd_fp, "movmskpd eax, xmm1")
SIMD_INSN(fp_cvtpi2ps, "cvtpi2ps xmm0, mm1")
SIMD_INSN(fp_cvtpi2ps_m, "cvtpi2ps xmm0, qword ptr [rsi]")
SIMD_INSN(fp_cvtps2pi, "cvtps2pi mm0, xmm1")
SIMD_INSN(fp_cvttps2pi, "cvttps2pi mm0, qword ptr [rsi]")
SIMD_INSN(fp_cvtpi2pd, "cvtpi2pd xmm0, mm1")
SIMD_INSN(fp_cvtpd2pi, "cvtpd2pi mm0, xmm1")
SIMD_INSN(fp_cvttpd2pi, "cvttpd2pi mm0, [rsi]")

const SimdCase kFloatCases[] = {
    SIMD_CASE(fp_cvtpi2ps),
    SIMD_CASE(fp_cvtpi2ps_m),
    SIMD_CASE(fp_cvtps2pi),
    SIMD_CASE(fp_cvttps2pi),
    SIMD_CASE(fp_addps_xx),
    SIMD_CASE(fp_addss_xx),
    SIMD_CASE(fp_addss_xm),
    SIMD_CASE(fp_subps_xx),
    SIMD_CASE(fp_subss_xx),
    SIMD_CASE(fp_subss_xm),
    SIMD_CASE(fp_mulps_xx),
    SIMD_CASE(fp_mulss_xx),
    SIMD_CASE(fp_mulss_xm),
    SIMD_CASE(fp_divps_xx),
    SIMD_CASE(fp_divss_xx),
    SIMD_CASE(fp_divss_xm),
    SIMD_CASE(fp_minps_xx),
    SIMD_CASE(fp_minss_xx),
    SIMD_CASE(fp_minss_xm),
    SIMD_CASE(fp_maxps_xx),
    SIMD_CASE(fp_maxss_xx),
    SIMD_CASE(fp_maxss_xm),
    SIMD_CASE(fp_sqrtps_xx),
    SIMD_CASE(fp_sqrtss_xx),
    SIMD_CASE(fp_sqrtss_xm),
    SIMD_CASE(fp_rcpps_xx),
    SIMD_CASE(fp_rcpss_xx),
    SIMD_CASE(fp_rsqrtps_xx),
    SIMD_CASE(fp_rsqrtss_xx),
    SIMD_CASE(fp_cmpps0),
    SIMD_CASE(fp_cmpss0),
    SIMD_CASE(fp_cmpps1),
    SIMD_CASE(fp_cmpss1),
    SIMD_CASE(fp_cmpps2),
    SIMD_CASE(fp_cmpss2),
    SIMD_CASE(fp_cmpps3),
    SIMD_CASE(fp_cmpss3),
    SIMD_CASE(fp_cmpps4),
    SIMD_CASE(fp_cmpss4),
    SIMD_CASE(fp_cmpps5),
    SIMD_CASE(fp_cmpss5),
    SIMD_CASE(fp_cmpps6),
    SIMD_CASE(fp_cmpss6),
    SIMD_CASE(fp_cmpps7),
    SIMD_CASE(fp_cmpss7),
    SIMD_CASE(fp_comiss),
    SIMD_CASE(fp_comiss_m),
    SIMD_CASE(fp_ucomiss),
    SIMD_CASE(fp_ucomiss_m),
    SIMD_CASE(fp_cvtss2sd),
    SIMD_CASE(fp_cvtps2pd),
    SIMD_CASE(fp_cvtps2dq),
    SIMD_CASE(fp_cvttps2dq),
    SIMD_CASE(fp_cvtss2si32),
    SIMD_CASE(fp_cvtss2si64),
    SIMD_CASE(fp_cvttss2si32),
    SIMD_CASE(fp_cvttss2si64),
    SIMD_CASE(fp_cvtsi2ss32),
    SIMD_CASE(fp_cvtsi2ss64),
    SIMD_CASE(fp_cvtdq2ps),
    SIMD_CASE(fp_shufps),
    SIMD_CASE(fp_cvtps2pd_m),
};
const SimdCase kDoubleCases[] = {
    SIMD_CASE(fp_cvtpi2pd),
    SIMD_CASE(fp_cvtpd2pi),
    SIMD_CASE(fp_cvttpd2pi),
    SIMD_CASE(fp_addpd_xx),
    SIMD_CASE(fp_addsd_xx),
    SIMD_CASE(fp_addpd_xm),
    SIMD_CASE(fp_subpd_xx),
    SIMD_CASE(fp_subsd_xx),
    SIMD_CASE(fp_subpd_xm),
    SIMD_CASE(fp_mulpd_xx),
    SIMD_CASE(fp_mulsd_xx),
    SIMD_CASE(fp_mulpd_xm),
    SIMD_CASE(fp_divpd_xx),
    SIMD_CASE(fp_divsd_xx),
    SIMD_CASE(fp_divpd_xm),
    SIMD_CASE(fp_minpd_xx),
    SIMD_CASE(fp_minsd_xx),
    SIMD_CASE(fp_minpd_xm),
    SIMD_CASE(fp_maxpd_xx),
    SIMD_CASE(fp_maxsd_xx),
    SIMD_CASE(fp_maxpd_xm),
    SIMD_CASE(fp_sqrtpd_xx),
    SIMD_CASE(fp_sqrtsd_xx),
    SIMD_CASE(fp_sqrtpd_xm),
    SIMD_CASE(fp_cmppd0),
    SIMD_CASE(fp_cmpsd0),
    SIMD_CASE(fp_cmppd1),
    SIMD_CASE(fp_cmpsd1),
    SIMD_CASE(fp_cmppd2),
    SIMD_CASE(fp_cmpsd2),
    SIMD_CASE(fp_cmppd3),
    SIMD_CASE(fp_cmpsd3),
    SIMD_CASE(fp_cmppd4),
    SIMD_CASE(fp_cmpsd4),
    SIMD_CASE(fp_cmppd5),
    SIMD_CASE(fp_cmpsd5),
    SIMD_CASE(fp_cmppd6),
    SIMD_CASE(fp_cmpsd6),
    SIMD_CASE(fp_cmppd7),
    SIMD_CASE(fp_cmpsd7),
    SIMD_CASE(fp_cmpsd_m),
    SIMD_CASE(fp_comisd),
    SIMD_CASE(fp_ucomisd),
    SIMD_CASE(fp_cvtsd2ss),
    SIMD_CASE(fp_cvtpd2ps),
    SIMD_CASE(fp_cvtpd2dq),
    SIMD_CASE(fp_cvttpd2dq),
    SIMD_CASE(fp_cvtsd2si32),
    SIMD_CASE(fp_cvtsd2si64),
    SIMD_CASE(fp_cvttsd2si32),
    SIMD_CASE(fp_cvttsd2si64),
    SIMD_CASE(fp_cvtsi2sd32),
    SIMD_CASE(fp_cvtsi2sd64),
    SIMD_CASE(fp_cvtdq2pd),
    SIMD_CASE(fp_shufpd),
    SIMD_CASE(fp_movmskpd_fp),
};

const uint32_t kFloats[] = {
    0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x80800000, 0x3f800000, 0xbf800000,
    0x3fc00000, 0x40200000, 0xc0200000, 0x3f800001, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00001, 0x7f800001, 0xff812345, 0x3eaaaaab, 0x4f000000, 0xcf000000, 0xcf000001,
    0x5f000000, 0xdf000000, 0x3f000000, 0xbf000000, 0x4b800001, 0x00400000, 0x1e000000, 0x60000000};
const uint64_t kDoubles[] = {
    0x0000000000000000, 0x8000000000000000, 0x0000000000000001, 0x800fffffffffffff, 0x0010000000000000,
    0x3ff0000000000000, 0xbff0000000000000, 0x3ff8000000000000, 0x4004000000000000, 0xc004000000000000,
    0x3ff0000000000001, 0x7fefffffffffffff, 0xffefffffffffffff, 0x7ff0000000000000, 0xfff0000000000000,
    0x7ff8000000000000, 0xfff8000000000001, 0x7ff0000000000001, 0xfff0000000012345, 0x3fd5555555555555,
    0x41e0000000000000, 0xc1e0000000000000, 0xc1e0000000200000, 0x43e0000000000000, 0xc3e0000000000000,
    0x3fe0000000000000, 0x36a0000000000000, 0x47efffffe0000000, 0x47effffff0000000, 0x3810000000000000,
    0x4340000000000001, 0x0008000000000000, 0x7e00000000000000, 0x2000000000000000};
const uint64_t kIntegers[] = {0, 1, ~0ull, 0x7fffffff, 0x80000000, 0x7fffffffffffffff, 0x8000000000000000,
                              0x1000001, 0x20000000000001, 0xffffffff, 0x12345678};

uint64_t float_pair(std::mt19937_64& rng) {
  return kFloats[rng() % std::size(kFloats)] | uint64_t{kFloats[rng() % std::size(kFloats)]} << 32;
}
uint64_t a_double(std::mt19937_64& rng) {
  return rng() % 8 ? kDoubles[rng() % std::size(kDoubles)] : rng();
}

// RC 0-3, each with and without FTZ+DAZ; some runs start with flags set (sticky).
uint32_t an_mxcsr(unsigned k, std::mt19937_64& rng) {
  return 0x1f80 | ((k & 3) << 13) | ((k & 4) ? 0x8040 : 0) | (rng() % 4 == 0 ? (rng() & 0x3f) : 0);
}

void run_cases(const SimdCase* cases, size_t count, bool doubles) {
  SimdHarness h;
  std::mt19937_64 rng(7);
  for (size_t n = 0; n < count; ++n) {
    for (unsigned it = 0; it < 96; ++it) {
      SimdRegs in{};
      for (uint64_t* v : {&in.xmm0[0], &in.xmm0[1], &in.xmm1[0], &in.xmm1[1], &in.mem[0], &in.mem[1]})
        *v = doubles ? a_double(rng) : float_pair(rng);
      in.rax = kIntegers[rng() % std::size(kIntegers)];
      in.rcx = kIntegers[rng() % std::size(kIntegers)];
      if (doubles && rng() % 2) in.mem[0] = in.rax;  // CVTSI2SD from memory
      in.mm1 = rng() % 2 ? in.rax : in.rcx | in.rax << 32;
      in.mxcsr = an_mxcsr(it, rng);
      in.flags = 0x2 | (rng() & rflags::kArith);
      if (!h.compare(cases[n], in)) return;
    }
  }
}

TEST(CpuSseFp, SingleMatchesHost) { run_cases(kFloatCases, std::size(kFloatCases), false); }
TEST(CpuSseFp, DoubleMatchesHost) { run_cases(kDoubleCases, std::size(kDoubleCases), true); }

GUEST_CODE(divss_xmm1, "  divss xmm0, xmm1\n")
GUEST_CODE(addps_xmm1, "  addps xmm0, xmm1\n")

// Vol. 1 §11.5.1: an unmasked exception leaves the destination alone and
// raises #XM with CR4.OSXMMEXCPT = 1, #UD without; the flag is set either way.
TEST(CpuSseFp, UnmaskedExceptionRaisesXmOrUd) {
  for (bool osxmmexcpt : {true, false}) {
    SimdHarness h;
    if (!osxmmexcpt) h.s().cr4 &= ~(1ull << 10);
    h.s().xmm[0][0] = 0x3f800000;  // 1.0f
    h.s().xmm[1][0] = 0;           // 0.0f
    h.s().mxcsr = 0x1f80 & ~(1u << 9);  // ZM clear
    h.load(GUEST_BYTES(divss_xmm1));
    h.run(100);
    EXPECT_EQ(h.delivered_vector(), osxmmexcpt ? 19 : vec::kUD);
    EXPECT_EQ(h.s().xmm[0][0], 0x3f800000u);  // not written
    EXPECT_EQ(h.s().mxcsr & 0x3f, 0x4u);      // ZE
  }
}

// An unmasked invalid operation in one element records only the
// pre-computation flags, though another element overflows (masked).
TEST(CpuSseFp, UnmaskedPreComputationExceptionDropsPostComputationFlags) {
  SimdHarness h;
  h.s().xmm[0][0] = 0x7f7fffff7f800000;  // elements: +inf, max
  h.s().xmm[1][0] = 0x7f7fffffff800000;  // elements: -inf, max: inf + -inf is invalid, max + max overflows
  h.s().mxcsr = 0x1f80 & ~(1u << 7);     // IM clear
  h.load(GUEST_BYTES(addps_xmm1));
  h.run(100);
  EXPECT_EQ(h.delivered_vector(), 19);
  EXPECT_EQ(h.s().mxcsr & 0x3f, 0x1u);
  EXPECT_EQ(h.s().xmm[0][0], 0x7f7fffff7f800000u);

  // Masked, both are recorded and the results written.
  SimdHarness m;
  m.s().xmm[0][0] = 0x7f7fffff7f800000;
  m.s().xmm[1][0] = 0x7f7fffffff800000;
  m.load(GUEST_BYTES(addps_xmm1));
  ASSERT_EQ(m.run(100), Cpu::Exit::halted);
  EXPECT_EQ(m.delivered_vector(), -1);
  EXPECT_EQ(m.s().mxcsr & 0x3f, 0x29u);  // IE | OE | PE
  EXPECT_EQ(m.s().xmm[0][0], 0x7f800000ffc00000u);
}

}  // namespace
}  // namespace nv::test
