// x87 operations executed on the host's own x87 unit with the guest's
// control word (precision, rounding and exception masks), so results, the
// C1 round-up bit and the exception flags are those of real hardware by
// construction, including the unmasked responses (destination unchanged for
// invalid/denormal/divide-by-zero, bias-adjusted results for overflow and
// underflow, Vol. 1 §8.5). Each runs in one asm statement that loads the
// operands, executes the instruction, reads FSW and clears the host's
// exception state before anything could trap, then restores the host's
// control word and empties the host stack.
#pragma once

#include <cstdint>

namespace nv::x87 {

struct HostResult {
  long double r;    // ST(0) after the operation
  long double r2;   // ST(1) after the operation
  long double m80;  // an 80-bit memory result (FBSTP)
  uint64_t raw;     // the memory operand (loads read it, stores write it)
  uint16_t sw;      // the host FSW after the operation
};
// a: ST(0) operand (FBLD: the packed BCD bytes), b: ST(1) operand, raw:
// memory operand, cw: guest FCW.
using HostOp = HostResult (*)(long double a, long double b, uint64_t raw, uint16_t cw);

// ST(0) = a op b.
HostResult add(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult sub(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult mul(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult div(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult scale(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult prem(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult prem1(long double a, long double b, uint64_t raw, uint16_t cw);
// ST(0) = a op memory (single, double, 16- or 32-bit integer in raw), one
// host instruction so the operand checks combine as on hardware (an SNaN
// hides a denormal, ...); subr/divr: memory op a. com_*: FCOM/FICOM with memory.
HostResult add_m32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult add_m64(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult add_i16(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult add_i32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult sub_m32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult sub_m64(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult sub_i16(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult sub_i32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult subr_m32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult subr_m64(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult subr_i16(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult subr_i32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult mul_m32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult mul_m64(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult mul_i16(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult mul_i32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult div_m32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult div_m64(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult div_i16(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult div_i32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult divr_m32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult divr_m64(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult divr_i16(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult divr_i32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult com_m32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult com_m64(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult com_i16(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult com_i32(long double a, long double b, uint64_t raw, uint16_t cw);
// ST(0) = op a.
HostResult sqrt(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult rndint(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult f2xm1(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult sin(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult cos(long double a, long double b, uint64_t raw, uint16_t cw);
// ST(0) = f(b, a) after popping: FPATAN (atan(b / a)), FYL2X (b * log2(a)),
// FYL2XP1 (b * log2(a + 1)).
HostResult patan(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult yl2x(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult yl2xp1(long double a, long double b, uint64_t raw, uint16_t cw);
// Two results, r2 replacing a and r pushed: FPTAN (tan a, 1.0), FSINCOS
// (sin a, cos a), FXTRACT (exponent, significand).
HostResult ptan(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult sincos(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult xtract(long double a, long double b, uint64_t raw, uint16_t cw);
// FBLD (ST(0) = the packed BCD in a) and FBSTP (m80 = a as packed BCD).
HostResult bld(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult bstp(long double a, long double b, uint64_t raw, uint16_t cw);
// FSW condition codes of comparing a with b (FCOM, FUCOM) or with 0 (FTST).
HostResult com(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult ucom(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult tst(long double a, long double b, uint64_t raw, uint16_t cw);
// ST(0) = raw converted from single or double precision.
HostResult load32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult load64(long double a, long double b, uint64_t raw, uint16_t cw);
// raw = a converted to single/double precision, or to a 16/32/64-bit integer
// rounded (FIST) or truncated (FISTTP).
HostResult store32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult store64(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult ist16(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult ist32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult ist64(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult isttp16(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult isttp32(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult isttp64(long double a, long double b, uint64_t raw, uint16_t cw);
// The constants, rounded per the control word.
HostResult ld1(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult ldl2t(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult ldl2e(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult ldpi(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult ldlg2(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult ldln2(long double a, long double b, uint64_t raw, uint16_t cw);
HostResult ldz(long double a, long double b, uint64_t raw, uint16_t cw);

}  // namespace nv::x87
