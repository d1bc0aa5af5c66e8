// ALU, shifts/rotates, multiply/divide and bit instructions of the software
// CPU compared with the host CPU over random (seeded) operands, at every
// operand size, registers and memory operands, results and defined flags.
#include "cpu_host_compare.h"

#include <cpuid.h>

namespace nv::test {
namespace {

using namespace rflags;

// ---- the instructions, assembled for the host ----
#define SIZES2(name, mn) \
  HOST_INSN(name##8, mn " al, bl") HOST_INSN(name##8h, mn " ah, bh") HOST_INSN(name##16, mn " ax, bx") \
  HOST_INSN(name##32, mn " eax, ebx") HOST_INSN(name##64, mn " rax, rbx")
#define SIZES1(name, mn) \
  HOST_INSN(name##8, mn " bl") HOST_INSN(name##16, mn " bx") HOST_INSN(name##32, mn " ebx") HOST_INSN(name##64, mn " rbx")
#define SIZES_CL(name, mn) \
  HOST_INSN(name##8, mn " al, cl") HOST_INSN(name##16, mn " ax, cl") HOST_INSN(name##32, mn " eax, cl") \
  HOST_INSN(name##64, mn " rax, cl")
#define SIZES_1(name, mn) \
  HOST_INSN(name##8, mn " al, 1") HOST_INSN(name##16, mn " ax, 1") HOST_INSN(name##32, mn " eax, 1") \
  HOST_INSN(name##64, mn " rax, 1")
#define SIZES_IMM(name, mn) \
  HOST_INSN(name##8, mn " al, 0x5a") HOST_INSN(name##16, mn " ax, -3") HOST_INSN(name##32, mn " ebx, 0x12345678") \
  HOST_INSN(name##64, mn " rdx, -0x70000000")
#define SIZES2_W(name, mn) \
  HOST_INSN(name##16, mn " ax, bx") HOST_INSN(name##32, mn " eax, ebx") HOST_INSN(name##64, mn " rax, rbx")

SIZES2(add, "add") SIZES2(adc, "adc") SIZES2(sub, "sub") SIZES2(sbb, "sbb") SIZES2(cmp, "cmp")
SIZES2(andop, "and") SIZES2(orop, "or") SIZES2(xorop, "xor") SIZES2(test, "test")
SIZES_IMM(addi, "add") SIZES_IMM(subi, "sub") SIZES_IMM(andi, "and") SIZES_IMM(cmpi, "cmp") SIZES_IMM(adci, "adc")
SIZES1(inc, "inc") SIZES1(dec, "dec") SIZES1(neg, "neg") SIZES1(notop, "not")
SIZES_CL(shl, "shl") SIZES_CL(shr, "shr") SIZES_CL(sar, "sar")
SIZES_CL(rol, "rol") SIZES_CL(ror, "ror") SIZES_CL(rcl, "rcl") SIZES_CL(rcr, "rcr")
SIZES_1(shl1, "shl") SIZES_1(shr1, "shr") SIZES_1(sar1, "sar") SIZES_1(rol1, "rol") SIZES_1(rcr1, "rcr")
HOST_INSN(shl3_32, "shl eax, 3") HOST_INSN(sar7_8, "sar bl, 7") HOST_INSN(ror13_64, "ror rdx, 13")
HOST_INSN(shld16, "shld ax, bx, cl") HOST_INSN(shld32, "shld eax, ebx, cl") HOST_INSN(shld64, "shld rax, rbx, cl")
HOST_INSN(shrd16, "shrd ax, bx, cl") HOST_INSN(shrd32, "shrd eax, ebx, cl") HOST_INSN(shrd64, "shrd rax, rbx, cl")
HOST_INSN(shld64i, "shld rax, rbx, 5") HOST_INSN(shrd32i, "shrd eax, ebx, 1")
SIZES1(mul, "mul") SIZES1(imul1, "imul") SIZES1(div, "div") SIZES1(idiv, "idiv")
SIZES2_W(imul2, "imul")
HOST_INSN(imul3_16, "imul ax, bx, -7") HOST_INSN(imul3_32, "imul eax, ebx, 0x12345") HOST_INSN(imul3_64, "imul rax, rbx, -100000")
SIZES2_W(bt, "bt") SIZES2_W(bts, "bts") SIZES2_W(btr, "btr") SIZES2_W(btc, "btc")
HOST_INSN(bti32, "bt eax, 17") HOST_INSN(btsi64, "bts rax, 63") HOST_INSN(btci16, "btc ax, 9")
SIZES2_W(bsf, "bsf") SIZES2_W(bsr, "bsr") SIZES2_W(popcnt, "popcnt") SIZES2_W(tzcnt, "tzcnt") SIZES2_W(lzcnt, "lzcnt")
SIZES2(xadd, "xadd") SIZES2(cmpxchg, "cmpxchg")

// Memory operands (RSI points at a 16-byte buffer).
HOST_INSN(add_m64, "add qword ptr [rsi], rbx") HOST_INSN(sub_m8, "sub byte ptr [rsi+1], bl")
HOST_INSN(or_m32, "or dword ptr [rsi+4], ebx") HOST_INSN(adc_rm16, "adc ax, word ptr [rsi+6]")
HOST_INSN(cmp_mi8, "cmp byte ptr [rsi+15], 0x80") HOST_INSN(inc_m8, "inc byte ptr [rsi]")
HOST_INSN(neg_m64, "neg qword ptr [rsi+8]") HOST_INSN(not_m16, "not word ptr [rsi+2]")
HOST_INSN(shl_m32, "shl dword ptr [rsi], cl") HOST_INSN(rcr_m8, "rcr byte ptr [rsi+3], 1")
HOST_INSN(bts_m64, "bts qword ptr [rsi], rcx") HOST_INSN(btr_m32, "btr dword ptr [rsi+4], ecx")
HOST_INSN(imul_m64, "imul rax, qword ptr [rsi], 7") HOST_INSN(xadd_m32, "xadd dword ptr [rsi+4], ebx")
HOST_INSN(cmpxchg_m64, "cmpxchg qword ptr [rsi+8], rbx")
HOST_INSN(cmpxchg8b, "cmpxchg8b qword ptr [rsi+8]") HOST_INSN(cmpxchg16b, "cmpxchg16b xmmword ptr [rsi]")
HOST_INSN(cmpxchg16b_eq, "mov rax, [rsi]\n mov rdx, [rsi+8]\n cmpxchg16b xmmword ptr [rsi]")
HOST_INSN(cmpxchg8b_eq, "mov eax, [rsi]\n mov edx, [rsi+4]\n cmpxchg8b qword ptr [rsi]") HOST_INSN(div_m32, "or dword ptr [rsi], 1\n div dword ptr [rsi]")

// ---- undefined flags and input fixups (SDM Vol. 2, "Flags Affected") ----
uint32_t af_undefined(const HostRegs&) { return kAF; }
uint32_t mul_undefined(const HostRegs&) { return kSF | kZF | kAF | kPF; }
uint32_t all_undefined(const HostRegs&) { return kArith; }
uint32_t bt_undefined(const HostRegs&) { return kOF | kSF | kAF | kPF; }
uint32_t bsf_undefined(const HostRegs&) { return kCF | kOF | kSF | kAF | kPF; }
uint32_t shift1_undefined(const HostRegs&) { return kAF; }
uint32_t shift_imm_undefined(const HostRegs&) { return kAF | kOF; }
uint32_t rot_imm_undefined(const HostRegs&) { return kOF; }

template <unsigned S>
uint32_t shift_cl_undefined(const HostRegs& in) {
  unsigned count = in.rcx & (S == 8 ? 63 : 31);
  if (count == 0) return 0;
  uint32_t u = kAF;
  if (count != 1) u |= kOF;
  if (count > S * 8) u |= kCF;  // 8- and 16-bit SHL/SHR by more than the width
  return u;
}
template <unsigned S>
uint32_t rot_cl_undefined(const HostRegs& in) {
  unsigned count = in.rcx & (S == 8 ? 63 : 31);
  return count == 1 || count == 0 ? 0 : kOF;
}
template <unsigned S>
uint32_t shld_undefined(const HostRegs& in) {
  unsigned count = in.rcx & (S == 8 ? 63 : 31);
  if (count == 0) return 0;
  return count == 1 ? kAF : kAF | kOF;
}
void shld16_fixup(HostRegs& in) { in.rcx %= 17; }  // counts above 16 are undefined for 16-bit SHLD/SHRD

// DIV: divisor not zero and high half below it, so the quotient fits.
template <unsigned S>
void div_fixup(HostRegs& in) {
  uint64_t m = size_mask(S);
  if ((in.rbx & m) == 0) in.rbx |= 1;
  uint64_t d = in.rbx & m;
  if (S == 1) in.rax = (in.rax & ~0xff00ull) | ((((in.rax >> 8) & 0xff) % d) << 8);
  else in.rdx = (in.rdx & ~m) | ((in.rdx & m) % d);
}
// IDIV: divisor not zero; the high half is the sign of the low half, and
// not MIN / -1.
template <unsigned S>
void idiv_fixup(HostRegs& in) {
  uint64_t m = size_mask(S);
  if ((in.rbx & m) == 0 || (in.rbx & m) == m) in.rbx = (in.rbx & ~m) | 3;
  bool neg = S == 1 ? (in.rax & 0x80) : (in.rax & sign_bit(S));
  if (S == 1) in.rax = (in.rax & ~0xff00ull) | (neg ? 0xff00 : 0);
  else in.rdx = (in.rdx & ~m) | (neg ? m : 0);
}
void mem_div_fixup(HostRegs& in) { in.rdx = 0; }
void bit_string_fixup(HostRegs& in) { in.rcx &= 63; }  // stay inside the buffer

#define CASES2(name, und, fix)                                                                            \
  HOST_CASE(name##8, 1, und, fix), HOST_CASE(name##8h, 1, und, fix), HOST_CASE(name##16, 2, und, fix), \
      HOST_CASE(name##32, 4, und, fix), HOST_CASE(name##64, 8, und, fix)
#define CASES4(name, und, fix)                                                                              \
  HOST_CASE(name##8, 1, und, fix), HOST_CASE(name##16, 2, und, fix), HOST_CASE(name##32, 4, und, fix), \
      HOST_CASE(name##64, 8, und, fix)
#define CASES4T(name, und, fix)                                                                                  \
  HOST_CASE(name##8, 1, und<1>, fix), HOST_CASE(name##16, 2, und<2>, fix), HOST_CASE(name##32, 4, und<4>, fix), \
      HOST_CASE(name##64, 8, und<8>, fix)
#define CASES4F(name, und, fix)                                                                                  \
  HOST_CASE(name##8, 1, und, fix<1>), HOST_CASE(name##16, 2, und, fix<2>), HOST_CASE(name##32, 4, und, fix<4>), \
      HOST_CASE(name##64, 8, und, fix<8>)
#define CASES3(name, und, fix) \
  HOST_CASE(name##16, 2, und, fix), HOST_CASE(name##32, 4, und, fix), HOST_CASE(name##64, 8, und, fix)

constexpr unsigned kIterations = 400;

void run_cases(std::initializer_list<HostCase> cases, uint64_t seed) {
  CpuHarness h;
  for (const HostCase& c : cases) {
    SCOPED_TRACE(c.name);
    compare_with_host(h, c, kIterations, seed++);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(CpuAlu, ArithmeticAndLogicMatchHost) {
  run_cases({CASES2(add, no_undefined, no_fixup),  CASES2(adc, no_undefined, no_fixup),
             CASES2(sub, no_undefined, no_fixup),  CASES2(sbb, no_undefined, no_fixup),
             CASES2(cmp, no_undefined, no_fixup),  CASES2(andop, af_undefined, no_fixup),
             CASES2(orop, af_undefined, no_fixup), CASES2(xorop, af_undefined, no_fixup),
             CASES2(test, af_undefined, no_fixup), CASES4(addi, no_undefined, no_fixup),
             CASES4(subi, no_undefined, no_fixup), CASES4(andi, af_undefined, no_fixup),
             CASES4(cmpi, no_undefined, no_fixup), CASES4(adci, no_undefined, no_fixup),
             CASES4(inc, no_undefined, no_fixup),  CASES4(dec, no_undefined, no_fixup),
             CASES4(neg, no_undefined, no_fixup),  CASES4(notop, no_undefined, no_fixup),
             CASES2(xadd, no_undefined, no_fixup), CASES2(cmpxchg, no_undefined, no_fixup)},
            1000);
}

TEST(CpuAlu, ShiftsAndRotatesMatchHost) {
  run_cases({CASES4T(shl, shift_cl_undefined, no_fixup), CASES4T(shr, shift_cl_undefined, no_fixup),
             CASES4T(sar, shift_cl_undefined, no_fixup), CASES4T(rol, rot_cl_undefined, no_fixup),
             CASES4T(ror, rot_cl_undefined, no_fixup),   CASES4T(rcl, rot_cl_undefined, no_fixup),
             CASES4T(rcr, rot_cl_undefined, no_fixup),   CASES4(shl1, shift1_undefined, no_fixup),
             CASES4(shr1, shift1_undefined, no_fixup),   CASES4(sar1, shift1_undefined, no_fixup),
             CASES4(rol1, no_undefined, no_fixup),       CASES4(rcr1, no_undefined, no_fixup),
             HOST_CASE(shl3_32, 4, shift_imm_undefined, no_fixup),
             HOST_CASE(sar7_8, 1, shift_imm_undefined, no_fixup),
             HOST_CASE(ror13_64, 8, rot_imm_undefined, no_fixup),
             HOST_CASE(shld16, 2, shld_undefined<2>, shld16_fixup),
             HOST_CASE(shld32, 4, shld_undefined<4>, no_fixup),
             HOST_CASE(shld64, 8, shld_undefined<8>, no_fixup),
             HOST_CASE(shrd16, 2, shld_undefined<2>, shld16_fixup),
             HOST_CASE(shrd32, 4, shld_undefined<4>, no_fixup),
             HOST_CASE(shrd64, 8, shld_undefined<8>, no_fixup),
             HOST_CASE(shld64i, 8, shift_imm_undefined, no_fixup),
             HOST_CASE(shrd32i, 4, shift1_undefined, no_fixup)},
            2000);
}

TEST(CpuAlu, MultiplyAndDivideMatchHost) {
  run_cases({CASES4(mul, mul_undefined, no_fixup), CASES4(imul1, mul_undefined, no_fixup),
             CASES3(imul2, mul_undefined, no_fixup), HOST_CASE(imul3_16, 2, mul_undefined, no_fixup),
             HOST_CASE(imul3_32, 4, mul_undefined, no_fixup), HOST_CASE(imul3_64, 8, mul_undefined, no_fixup),
             CASES4F(div, all_undefined, div_fixup), CASES4F(idiv, all_undefined, idiv_fixup)},
            3000);
}

bool host_has_lzcnt_and_bmi1() {
  unsigned a, b, c, d;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 3))) return false;
  return __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 5));
}

TEST(CpuAlu, BitInstructionsMatchHost) {
  run_cases({CASES3(bt, bt_undefined, no_fixup), CASES3(bts, bt_undefined, no_fixup),
             CASES3(btr, bt_undefined, no_fixup), CASES3(btc, bt_undefined, no_fixup),
             HOST_CASE(bti32, 4, bt_undefined, no_fixup), HOST_CASE(btsi64, 8, bt_undefined, no_fixup),
             HOST_CASE(btci16, 2, bt_undefined, no_fixup), CASES3(bsf, bsf_undefined, no_fixup),
             CASES3(bsr, bsf_undefined, no_fixup), CASES3(popcnt, no_undefined, no_fixup)},
            4000);
  if (!host_has_lzcnt_and_bmi1()) GTEST_SKIP() << "host lacks LZCNT/TZCNT";
  run_cases({CASES3(tzcnt, bt_undefined, no_fixup), CASES3(lzcnt, bt_undefined, no_fixup)}, 4100);
}

TEST(CpuAlu, MemoryOperandsMatchHost) {
  run_cases({HOST_MEM_CASE(add_m64, 8, no_undefined, no_fixup), HOST_MEM_CASE(sub_m8, 1, no_undefined, no_fixup),
             HOST_MEM_CASE(or_m32, 4, af_undefined, no_fixup), HOST_MEM_CASE(adc_rm16, 2, no_undefined, no_fixup),
             HOST_MEM_CASE(cmp_mi8, 1, no_undefined, no_fixup), HOST_MEM_CASE(inc_m8, 1, no_undefined, no_fixup),
             HOST_MEM_CASE(neg_m64, 8, no_undefined, no_fixup), HOST_MEM_CASE(not_m16, 2, no_undefined, no_fixup),
             HOST_MEM_CASE(shl_m32, 4, shift_cl_undefined<4>, no_fixup),
             HOST_MEM_CASE(rcr_m8, 1, no_undefined, no_fixup),
             HOST_MEM_CASE(bts_m64, 8, bt_undefined, bit_string_fixup),
             HOST_MEM_CASE(btr_m32, 4, bt_undefined, bit_string_fixup),
             HOST_MEM_CASE(imul_m64, 8, mul_undefined, no_fixup), HOST_MEM_CASE(xadd_m32, 4, no_undefined, no_fixup),
             HOST_MEM_CASE(cmpxchg_m64, 8, no_undefined, no_fixup),
             HOST_MEM_CASE(cmpxchg8b, 8, no_undefined, no_fixup), HOST_MEM_CASE(cmpxchg16b, 16, no_undefined, no_fixup),
             HOST_MEM_CASE(cmpxchg8b_eq, 8, no_undefined, no_fixup),
             HOST_MEM_CASE(cmpxchg16b_eq, 16, no_undefined, no_fixup),
             HOST_MEM_CASE(div_m32, 4, all_undefined, mem_div_fixup)},
            5000);
}

}  // namespace
}  // namespace nv::test
