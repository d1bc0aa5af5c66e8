// SSE/SSE2 floating point, scalar and packed, single and double, SSE3's
// horizontal and alternating add/subtract and SSE4.1's ROUND*/DPP*, and the VEX
// forms of the same operations including AVX's 256-bit ones (SDM Vol. 1
// §10.4.2, §11.4.1, §11.5, ch. 12, ch. 14; Vol. 2 per instruction). Each operation runs on the
// host's own SSE unit with the host MXCSR loaded from the guest's rounding
// control, DAZ and FTZ and every exception masked, inside one asm statement
// (so the compiler can neither fold the operation nor move it across the
// MXCSR loads); the flags it raises are read back. Results are therefore
// bit-exact with the host CPU, including NaN propagation and RCPPS/RSQRTPS.
#include "cpu/handler_table.h"
#include "cpu/simd_operands.h"

namespace nv {

namespace {

using Xmm = long long __attribute__((vector_size(16)));

// The host MXCSR for a guest operation: the guest's RC, FTZ and DAZ, all
// exceptions masked, no flags (Vol. 1 §10.2.3).
uint32_t host_mxcsr(uint32_t guest) { return (guest & 0xffc0) | 0x1f80; }

// dst = OP(dst, src); returns the exception flags raised.
using XxOp = uint32_t (*)(Xmm& a, Xmm b, uint32_t mxcsr);

#define SSE_HOST_XX(name, insn)                                                                          \
  uint32_t name(Xmm& a, Xmm b, uint32_t mxcsr) {                                                         \
    uint32_t saved = 0, m = host_mxcsr(mxcsr);                                                           \
    asm volatile("stmxcsr %[saved]\n\tldmxcsr %[m]\n\t" insn " %[b], %[a]\n\tstmxcsr %[m]\n\tldmxcsr %[saved]" \
                 : [a] "+x"(a), [saved] "+m"(saved), [m] "+m"(m)                                         \
                 : [b] "x"(b));                                                                          \
    return m & 0x3f;                                                                                     \
  }
SSE_HOST_XX(host_addps, "addps")
SSE_HOST_XX(host_addpd, "addpd")
SSE_HOST_XX(host_addss, "addss")
SSE_HOST_XX(host_addsd, "addsd")
SSE_HOST_XX(host_subps, "subps")
SSE_HOST_XX(host_subpd, "subpd")
SSE_HOST_XX(host_subss, "subss")
SSE_HOST_XX(host_subsd, "subsd")
SSE_HOST_XX(host_mulps, "mulps")
SSE_HOST_XX(host_mulpd, "mulpd")
SSE_HOST_XX(host_mulss, "mulss")
SSE_HOST_XX(host_mulsd, "mulsd")
SSE_HOST_XX(host_divps, "divps")
SSE_HOST_XX(host_divpd, "divpd")
SSE_HOST_XX(host_divss, "divss")
SSE_HOST_XX(host_divsd, "divsd")
SSE_HOST_XX(host_minps, "minps")
SSE_HOST_XX(host_minpd, "minpd")
SSE_HOST_XX(host_minss, "minss")
SSE_HOST_XX(host_minsd, "minsd")
SSE_HOST_XX(host_maxps, "maxps")
SSE_HOST_XX(host_maxpd, "maxpd")
SSE_HOST_XX(host_maxss, "maxss")
SSE_HOST_XX(host_maxsd, "maxsd")
SSE_HOST_XX(host_sqrtps, "sqrtps")
SSE_HOST_XX(host_sqrtpd, "sqrtpd")
SSE_HOST_XX(host_sqrtss, "sqrtss")
SSE_HOST_XX(host_sqrtsd, "sqrtsd")
SSE_HOST_XX(host_rcpps, "rcpps")
SSE_HOST_XX(host_rcpss, "rcpss")
SSE_HOST_XX(host_rsqrtps, "rsqrtps")
SSE_HOST_XX(host_rsqrtss, "rsqrtss")
SSE_HOST_XX(host_cvtss2sd, "cvtss2sd")
SSE_HOST_XX(host_cvtsd2ss, "cvtsd2ss")
SSE_HOST_XX(host_cvtps2pd, "cvtps2pd")
SSE_HOST_XX(host_cvtpd2ps, "cvtpd2ps")
SSE_HOST_XX(host_cvtdq2ps, "cvtdq2ps")
SSE_HOST_XX(host_cvtps2dq, "cvtps2dq")
SSE_HOST_XX(host_cvttps2dq, "cvttps2dq")
SSE_HOST_XX(host_cvtdq2pd, "cvtdq2pd")
SSE_HOST_XX(host_cvtpd2dq, "cvtpd2dq")
SSE_HOST_XX(host_cvttpd2dq, "cvttpd2dq")
SSE_HOST_XX(host_addsubps, "addsubps")
SSE_HOST_XX(host_addsubpd, "addsubpd")
SSE_HOST_XX(host_haddps, "haddps")
SSE_HOST_XX(host_haddpd, "haddpd")
SSE_HOST_XX(host_hsubps, "hsubps")
SSE_HOST_XX(host_hsubpd, "hsubpd")
#undef SSE_HOST_XX

// CMPPS/CMPPD/CMPSS/CMPSD with predicate P (Vol. 2A Table 3-1, predicates 0-7).
#define SSE_HOST_CMP(name, insn)                                                                           \
  template <int P>                                                                                         \
  uint32_t name(Xmm& a, Xmm b, uint32_t mxcsr) {                                                           \
    uint32_t saved = 0, m = host_mxcsr(mxcsr);                                                             \
    asm volatile("stmxcsr %[saved]\n\tldmxcsr %[m]\n\t" insn " %[p], %[b], %[a]\n\tstmxcsr %[m]\n\tldmxcsr %[saved]" \
                 : [a] "+x"(a), [saved] "+m"(saved), [m] "+m"(m)                                           \
                 : [b] "x"(b), [p] "i"(P));                                                                \
    return m & 0x3f;                                                                                       \
  }
SSE_HOST_CMP(host_cmpps, "cmpps")
SSE_HOST_CMP(host_cmppd, "cmppd")
SSE_HOST_CMP(host_cmpss, "cmpss")
SSE_HOST_CMP(host_cmpsd, "cmpsd")
// ROUNDPS/ROUNDPD/ROUNDSS/ROUNDSD with imm8[3:0] (Vol. 2B ROUNDPS: RC or
// MXCSR.RC, and the precision-exception mask).
SSE_HOST_CMP(host_roundps, "roundps")
SSE_HOST_CMP(host_roundpd, "roundpd")
SSE_HOST_CMP(host_roundss, "roundss")
SSE_HOST_CMP(host_roundsd, "roundsd")
// DPPS/DPPD with imm8 (Vol. 2A DPPS: which products, which result elements).
SSE_HOST_CMP(host_dpps, "dpps")
SSE_HOST_CMP(host_dppd, "dppd")
#undef SSE_HOST_CMP

// COMISS/UCOMISS/COMISD/UCOMISD: ZF, PF, CF as the host sets them.
struct CompareResult {
  uint32_t flags;  // MXCSR exception flags
  uint32_t eflags;
};
using ComiOp = CompareResult (*)(Xmm a, Xmm b, uint32_t mxcsr);
#define SSE_HOST_COMI(name, insn)                                                                         \
  CompareResult name(Xmm a, Xmm b, uint32_t mxcsr) {                                                      \
    uint32_t saved = 0, m = host_mxcsr(mxcsr);                                                            \
    bool zf, pf, cf;                                                                                      \
    asm volatile("stmxcsr %[saved]\n\tldmxcsr %[m]\n\t" insn " %[b], %[a]\n\tstmxcsr %[m]\n\tldmxcsr %[saved]" \
                 : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf), [saved] "+m"(saved), [m] "+m"(m)                \
                 : [a] "x"(a), [b] "x"(b));                                                               \
    return {m & 0x3f, (zf ? rflags::kZF : 0) | (pf ? rflags::kPF : 0) | (cf ? rflags::kCF : 0)};          \
  }
SSE_HOST_COMI(host_comiss, "comiss")
SSE_HOST_COMI(host_ucomiss, "ucomiss")
SSE_HOST_COMI(host_comisd, "comisd")
SSE_HOST_COMI(host_ucomisd, "ucomisd")
#undef SSE_HOST_COMI

// CVT(T)SS2SI/CVT(T)SD2SI to a 32- or 64-bit register (out of range: the
// integer indefinite value and #I).
using ToIntOp = uint32_t (*)(uint64_t& g, Xmm b, uint32_t mxcsr);
#define SSE_HOST_TO_INT(name, insn, mod, type)                                                          \
  uint32_t name(uint64_t& g, Xmm b, uint32_t mxcsr) {                                                   \
    uint32_t saved = 0, m = host_mxcsr(mxcsr);                                                          \
    type r;                                                                                             \
    asm volatile("stmxcsr %[saved]\n\tldmxcsr %[m]\n\t" insn " %[b], %" mod "[r]\n\tstmxcsr %[m]\n\tldmxcsr %[saved]" \
                 : [r] "=r"(r), [saved] "+m"(saved), [m] "+m"(m)                                        \
                 : [b] "x"(b));                                                                         \
    g = static_cast<uint64_t>(r);                                                                       \
    return m & 0x3f;                                                                                    \
  }
SSE_HOST_TO_INT(host_cvtss2si32, "cvtss2si", "k", uint32_t)
SSE_HOST_TO_INT(host_cvtss2si64, "cvtss2si", "q", uint64_t)
SSE_HOST_TO_INT(host_cvttss2si32, "cvttss2si", "k", uint32_t)
SSE_HOST_TO_INT(host_cvttss2si64, "cvttss2si", "q", uint64_t)
SSE_HOST_TO_INT(host_cvtsd2si32, "cvtsd2si", "k", uint32_t)
SSE_HOST_TO_INT(host_cvtsd2si64, "cvtsd2si", "q", uint64_t)
SSE_HOST_TO_INT(host_cvttsd2si32, "cvttsd2si", "k", uint32_t)
SSE_HOST_TO_INT(host_cvttsd2si64, "cvttsd2si", "q", uint64_t)
#undef SSE_HOST_TO_INT

// CVTSI2SS/CVTSI2SD from a 32- or 64-bit integer (rounded per MXCSR.RC).
using FromIntOp = uint32_t (*)(Xmm& a, uint64_t g, uint32_t mxcsr);
#define SSE_HOST_FROM_INT(name, insn, mod)                                                              \
  uint32_t name(Xmm& a, uint64_t g, uint32_t mxcsr) {                                                   \
    uint32_t saved = 0, m = host_mxcsr(mxcsr);                                                          \
    asm volatile("stmxcsr %[saved]\n\tldmxcsr %[m]\n\t" insn " %" mod "[g], %[a]\n\tstmxcsr %[m]\n\tldmxcsr %[saved]" \
                 : [a] "+x"(a), [saved] "+m"(saved), [m] "+m"(m)                                        \
                 : [g] "r"(g));                                                                         \
    return m & 0x3f;                                                                                    \
  }
SSE_HOST_FROM_INT(host_cvtsi2ss32, "cvtsi2ssl", "k")
SSE_HOST_FROM_INT(host_cvtsi2ss64, "cvtsi2ssq", "q")
SSE_HOST_FROM_INT(host_cvtsi2sd32, "cvtsi2sdl", "k")
SSE_HOST_FROM_INT(host_cvtsi2sd64, "cvtsi2sdq", "q")
#undef SSE_HOST_FROM_INT

Xmm to_xmm(const Vec& v) {
  Xmm x;
  std::memcpy(&x, v.b, 16);
  return x;
}
Vec from_xmm(const Xmm& x) {
  Vec v;
  std::memcpy(v.b, &x, 16);
  return v;
}

// Vol. 1 §11.5.1-11.5.2: every flag the operation raised is recorded in MXCSR;
// if one is unmasked the destination is not written and #XM (CR4.OSXMMEXCPT =
// 1) or #UD is raised. An unmasked invalid, denormal or divide-by-zero
// condition is found before the computation, so only those flags are recorded
// then (the post-computation ones are never reached).
void take_exceptions(Cpu& c, uint32_t raised) {
  constexpr uint32_t kPreComputation = 0x7;  // IE, DE, ZE
  VcpuState& s = c.state();
  uint32_t unmasked = raised & ~(s.mxcsr >> 7) & 0x3f;
  if (unmasked & kPreComputation) raised &= kPreComputation;
  s.mxcsr |= raised;
  if (unmasked) throw_fault((s.cr4 & simd::kCr4OsXmmExcpt) ? simd::kXM : vec::kUD);
}

// How the VEX form of an operation names its operands (Vol. 2A §2.3.5): `nds`
// is dst, VEX.vvvv, r/m (legacy: dst = src1, r/m); `unary` is dst, r/m with
// the whole result from the source (VSQRTPS, VCVTDQ2PS); `widen` is a
// conversion to twice the element size whose 256-bit form reads 128 bits
// (VCVTPS2PD, VCVTDQ2PD); `narrow` the reverse, a 128-bit result from 128 or
// 256 source bits (VCVTPD2PS, VCVT(T)PD2DQ).
enum class Shape { nds, unary, widen, narrow };

// dst = OP(src1, src2) on each 128-bit lane (Vol. 1 §14.2: AVX arithmetic is
// lane-wise, so the 256-bit forms run the host's SSE operation twice; the
// flags of both lanes are recorded, and no lane is written if either raises
// an unmasked exception). MEM is the size of a memory source: 16 for a whole
// vector (legacy: 16-byte aligned; VEX: any alignment), 4 or 8 for a scalar
// or half register.
template <unsigned MEM, Enc E, Shape S>
void run_xx(Cpu& c, const DecodedInsn& i, XxOp op) {
  check_simd<E>(c);
  const unsigned width = S == Shape::narrow ? 16 : simd_width<E>(i);
  constexpr bool Unary = E == Enc::vex && S != Shape::nds;
  constexpr unsigned src2 = Unary ? 1 : kSrc2<E>;
  unsigned src_bytes = MEM == 16 ? width : MEM;
  if (S == Shape::widen && width == 32) src_bytes = 16;
  if (S == Shape::narrow && E == Enc::vex && (i.op[1].kind == OpKind::ymm || i.op[1].size == 32)) src_bytes = 32;
  Ymm b = read_ymm(c, i, src2, src_bytes, E == Enc::legacy && MEM == 16);
  Ymm a = Unary ? Ymm{} : read_ymm(c, i, kSrc1<E>, width, false);
  if (S == Shape::widen && width == 32) b.lane[1].set<uint64_t>(0, b.lane[0].q(1));  // elements 2-3 feed lane 1
  const unsigned lanes = src_bytes == 32 || width == 32 ? 2 : 1;
  Xmm r[2];
  uint32_t raised = 0;
  for (unsigned k = 0; k < lanes; ++k) {
    r[k] = to_xmm(a.lane[k]);
    raised |= op(r[k], to_xmm(b.lane[k]), c.state().mxcsr);
  }
  take_exceptions(c, raised);
  Ymm out;
  for (unsigned k = 0; k < lanes; ++k) out.lane[k] = from_xmm(r[k]);
  if (S == Shape::narrow && lanes == 2) out.lane[0].set<uint64_t>(1, out.lane[1].q(0)), out.lane[1] = Vec{};
  write_dest<E>(c, i, out, width);
}
template <XxOp OP, unsigned MEM, Enc E = Enc::legacy, Shape S = Shape::nds>
void sse_xx(Cpu& c, const DecodedInsn& i) {
  run_xx<MEM, E, S>(c, i, OP);
}
// The same with the operation chosen by imm8 (ROUNDPS, DPPS).
using ImmTable = XxOp (*)(unsigned);
template <ImmTable TABLE, unsigned MEM, Enc E = Enc::legacy, Shape S = Shape::nds>
void sse_xx_imm(Cpu& c, const DecodedInsn& i) {
  run_xx<MEM, E, S>(c, i, TABLE(i.imm & 0xff));
}

// CMPxx with predicate imm8[2:0] (legacy) or imm8[4:0] (VEX, Vol. 2A Table
// 3-1). Predicates 8-31 are built from the host's 0-7: bit 4 only swaps
// quiet and signalling (which NaNs raise #IA), and each of 8-15 is an AND or
// OR of two of 0-7 (EQ_UQ = EQ | UNORD, GE = NLT & ORD, ...); in a scalar
// compare both keep src1's upper elements, so combining them keeps those too.
template <ImmTable TABLE>
uint32_t compare(Xmm& a, Xmm b, uint32_t mxcsr, unsigned p) {
  if (p < 8) return TABLE(p)(a, b, mxcsr);
  struct Combine {
    uint8_t x, y;
    bool or_;
  };
  static constexpr Combine kHigh[8] = {{0, 3, true},  {1, 3, true},  {2, 3, true},  {3, 7, false},
                                       {4, 7, false}, {5, 7, false}, {6, 7, false}, {3, 7, true}};
  const Combine& k = p & 8 ? kHigh[p & 7] : Combine{static_cast<uint8_t>(p & 7), static_cast<uint8_t>(p & 7), false};
  Xmm x = a, y = a, probe = a;
  TABLE(k.x)(x, b, mxcsr);
  TABLE(k.y)(y, b, mxcsr);
  // LT_OS (1) signals on any NaN, EQ_OQ (0) only on an SNaN; both report denormals.
  const bool signalling = (((p & 3) == 1 || (p & 3) == 2) != ((p >> 4) & 1));
  uint32_t flags = TABLE(signalling ? 1 : 0)(probe, b, mxcsr);
  a = k.or_ ? (x | y) : (x & y);
  return flags;
}

template <ImmTable TABLE, unsigned MEM, Enc E = Enc::legacy>
void sse_cmp(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  const unsigned width = simd_width<E>(i);
  Ymm b = read_ymm(c, i, kSrc2<E>, MEM == 16 ? width : MEM, E == Enc::legacy && MEM == 16);
  Ymm a = read_ymm(c, i, kSrc1<E>, width, false);
  const unsigned p = static_cast<unsigned>(i.imm) & (E == Enc::legacy ? 7 : 31);
  Xmm r[2];
  uint32_t raised = 0;
  for (unsigned k = 0; k < width / 16; ++k) {
    r[k] = to_xmm(a.lane[k]);
    raised |= compare<TABLE>(r[k], to_xmm(b.lane[k]), c.state().mxcsr, p);
  }
  take_exceptions(c, raised);
  for (unsigned k = 0; k < width / 16; ++k) a.lane[k] = from_xmm(r[k]);
  write_dest<E>(c, i, a, width);
}
// The host operation for each value of imm8[BITS-1:0] (ROUNDxx ignore bits 7:4).
#define SSE_IMM_TABLE(name, op, bits)                                \
  template <int P>                                                   \
  struct name##_op {                                                 \
    static constexpr XxOp run = op<P>;                               \
  };                                                                 \
  XxOp name(unsigned imm) { return pick_by_imm<name##_op, bits>(imm); }
SSE_IMM_TABLE(cmpps_table, host_cmpps, 3)
SSE_IMM_TABLE(cmppd_table, host_cmppd, 3)
SSE_IMM_TABLE(cmpss_table, host_cmpss, 3)
SSE_IMM_TABLE(cmpsd_table, host_cmpsd, 3)
SSE_IMM_TABLE(roundps_table, host_roundps, 4)
SSE_IMM_TABLE(roundpd_table, host_roundpd, 4)
SSE_IMM_TABLE(roundss_table, host_roundss, 4)
SSE_IMM_TABLE(roundsd_table, host_roundsd, 4)
SSE_IMM_TABLE(dpps_table, host_dpps, 8)
SSE_IMM_TABLE(dppd_table, host_dppd, 8)
#undef SSE_IMM_TABLE

// COMIS*/UCOMIS*: ZF, PF, CF from the comparison; OF, SF, AF cleared (Vol. 2A COMISS).
template <ComiOp OP, unsigned MEM, Enc E = Enc::legacy>
void sse_comi(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  Xmm b = to_xmm(read_vec(c, i, 1, MEM, false));
  Xmm a = to_xmm(read_vec(c, i, 0, 16, false));
  CompareResult r = OP(a, b, c.state().mxcsr);
  take_exceptions(c, r.flags);
  c.set_arith_flags(rflags::kArith, r.eflags);
}

template <ToIntOp OP32, ToIntOp OP64, unsigned MEM, Enc E = Enc::legacy>
void sse_to_int(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  Xmm b = to_xmm(read_vec(c, i, 1, MEM, false));
  uint64_t g;
  take_exceptions(c, (i.op[0].size == 8 ? OP64 : OP32)(g, b, c.state().mxcsr));
  c.set_reg(i.op[0].reg, i.op[0].size, g);
}

template <FromIntOp OP32, FromIntOp OP64, Enc E = Enc::legacy>
void sse_from_int(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  uint64_t g = c.read_op(i, kSrc2<E>);
  Ymm a = read_ymm(c, i, kSrc1<E>, 16, false);
  Xmm r = to_xmm(a.lane[0]);
  take_exceptions(c, (i.op[kSrc2<E>].size == 8 ? OP64 : OP32)(r, g, c.state().mxcsr));
  a.lane[0] = from_xmm(r);
  write_dest<E>(c, i, a, 16);
}

// The MMX-register conversions (Vol. 2A CVTPI2PS, CVTPS2PI, CVTTPS2PI,
// CVTPI2PD, CVTPD2PI, CVTTPD2PI) through their XMM counterparts: the source
// is the MMX register or MEM bytes (unused high lanes zero, so they raise
// nothing); TO_MMX writes the low quadword to the MMX destination, else the
// result's low quadword (LOW) or all of it goes to the XMM destination. An MMX
// operand enters MMX state and reports a pending x87 exception first.
template <XxOp OP, unsigned MEM, bool TO_MMX, bool LOW>
void sse_mmx_cvt(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  bool mmx = TO_MMX || i.op[1].kind == OpKind::mmx;
  if (mmx) check_pending_x87(c);
  Vec src = read_vec(c, i, 1, MEM, MEM == 16);
  if (MEM == 8) src.set<uint64_t>(1, 0);
  Xmm r{};
  take_exceptions(c, OP(r, to_xmm(src), c.state().mxcsr));
  Vec out = from_xmm(r);
  if (mmx) enter_mmx_state(c.state());
  if (TO_MMX) return write_vec(c, i, 0, out, 8, false);
  if (LOW) {
    Vec dst = read_vec(c, i, 0, 16, false);
    dst.set<uint64_t>(0, out.q(0));
    out = dst;
  }
  write_vec(c, i, 0, out, 16, false);
}

// SHUFPS/SHUFPD (Vol. 2B): in each 128-bit lane the low half of the result
// from src1, the high half from src2, each element chosen by imm8 (VSHUFPD
// uses a fresh pair of imm8 bits per lane, VSHUFPS the same four).
template <class T, Enc E = Enc::legacy>
void shufp(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  const unsigned width = simd_width<E>(i);
  Ymm b = read_ymm(c, i, kSrc2<E>, width, E == Enc::legacy);
  Ymm a = read_ymm(c, i, kSrc1<E>, width, false);
  constexpr unsigned n = 16 / sizeof(T), bits = n == 4 ? 2 : 1;
  Ymm r;
  for (unsigned lane = 0; lane < width / 16; ++lane) {
    unsigned imm = static_cast<unsigned>(i.imm >> (n == 2 ? 2 * lane : 0));
    for (unsigned k = 0; k < n; ++k) {
      unsigned sel = (imm >> (k * bits)) & (n - 1);
      r.lane[lane].set<T>(k, (k < n / 2 ? a : b).lane[lane].template get<T>(sel));
    }
  }
  write_dest<E>(c, i, r, width);
}

}  // namespace

void add_sse_fp_handlers(HandlerTable& t) {
  struct Forms {
    Handler legacy, vex;
  };
  struct Entry {
    // ZYDIS_MNEMONIC_INVALID: no VEX form (MMX operands)
    ZydisMnemonic legacy, vex;
    Forms forms;
  };
  static constexpr Entry entries[] = {
      {ZYDIS_MNEMONIC_ADDPS, ZYDIS_MNEMONIC_VADDPS, {sse_xx<host_addps, 16>, sse_xx<host_addps, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_ADDPD, ZYDIS_MNEMONIC_VADDPD, {sse_xx<host_addpd, 16>, sse_xx<host_addpd, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_ADDSS, ZYDIS_MNEMONIC_VADDSS, {sse_xx<host_addss, 4>, sse_xx<host_addss, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_ADDSD, ZYDIS_MNEMONIC_VADDSD, {sse_xx<host_addsd, 8>, sse_xx<host_addsd, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_SUBPS, ZYDIS_MNEMONIC_VSUBPS, {sse_xx<host_subps, 16>, sse_xx<host_subps, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_SUBPD, ZYDIS_MNEMONIC_VSUBPD, {sse_xx<host_subpd, 16>, sse_xx<host_subpd, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_SUBSS, ZYDIS_MNEMONIC_VSUBSS, {sse_xx<host_subss, 4>, sse_xx<host_subss, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_SUBSD, ZYDIS_MNEMONIC_VSUBSD, {sse_xx<host_subsd, 8>, sse_xx<host_subsd, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_MULPS, ZYDIS_MNEMONIC_VMULPS, {sse_xx<host_mulps, 16>, sse_xx<host_mulps, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_MULPD, ZYDIS_MNEMONIC_VMULPD, {sse_xx<host_mulpd, 16>, sse_xx<host_mulpd, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_MULSS, ZYDIS_MNEMONIC_VMULSS, {sse_xx<host_mulss, 4>, sse_xx<host_mulss, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_MULSD, ZYDIS_MNEMONIC_VMULSD, {sse_xx<host_mulsd, 8>, sse_xx<host_mulsd, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_DIVPS, ZYDIS_MNEMONIC_VDIVPS, {sse_xx<host_divps, 16>, sse_xx<host_divps, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_DIVPD, ZYDIS_MNEMONIC_VDIVPD, {sse_xx<host_divpd, 16>, sse_xx<host_divpd, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_DIVSS, ZYDIS_MNEMONIC_VDIVSS, {sse_xx<host_divss, 4>, sse_xx<host_divss, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_DIVSD, ZYDIS_MNEMONIC_VDIVSD, {sse_xx<host_divsd, 8>, sse_xx<host_divsd, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_MINPS, ZYDIS_MNEMONIC_VMINPS, {sse_xx<host_minps, 16>, sse_xx<host_minps, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_MINPD, ZYDIS_MNEMONIC_VMINPD, {sse_xx<host_minpd, 16>, sse_xx<host_minpd, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_MINSS, ZYDIS_MNEMONIC_VMINSS, {sse_xx<host_minss, 4>, sse_xx<host_minss, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_MINSD, ZYDIS_MNEMONIC_VMINSD, {sse_xx<host_minsd, 8>, sse_xx<host_minsd, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_MAXPS, ZYDIS_MNEMONIC_VMAXPS, {sse_xx<host_maxps, 16>, sse_xx<host_maxps, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_MAXPD, ZYDIS_MNEMONIC_VMAXPD, {sse_xx<host_maxpd, 16>, sse_xx<host_maxpd, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_MAXSS, ZYDIS_MNEMONIC_VMAXSS, {sse_xx<host_maxss, 4>, sse_xx<host_maxss, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_MAXSD, ZYDIS_MNEMONIC_VMAXSD, {sse_xx<host_maxsd, 8>, sse_xx<host_maxsd, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_SQRTPS, ZYDIS_MNEMONIC_VSQRTPS,
       {sse_xx<host_sqrtps, 16>, sse_xx<host_sqrtps, 16, Enc::vex, Shape::unary>}},
      {ZYDIS_MNEMONIC_SQRTPD, ZYDIS_MNEMONIC_VSQRTPD,
       {sse_xx<host_sqrtpd, 16>, sse_xx<host_sqrtpd, 16, Enc::vex, Shape::unary>}},
      {ZYDIS_MNEMONIC_SQRTSS, ZYDIS_MNEMONIC_VSQRTSS, {sse_xx<host_sqrtss, 4>, sse_xx<host_sqrtss, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_SQRTSD, ZYDIS_MNEMONIC_VSQRTSD, {sse_xx<host_sqrtsd, 8>, sse_xx<host_sqrtsd, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_RCPPS, ZYDIS_MNEMONIC_VRCPPS,
       {sse_xx<host_rcpps, 16>, sse_xx<host_rcpps, 16, Enc::vex, Shape::unary>}},
      {ZYDIS_MNEMONIC_RCPSS, ZYDIS_MNEMONIC_VRCPSS, {sse_xx<host_rcpss, 4>, sse_xx<host_rcpss, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_RSQRTPS, ZYDIS_MNEMONIC_VRSQRTPS,
       {sse_xx<host_rsqrtps, 16>, sse_xx<host_rsqrtps, 16, Enc::vex, Shape::unary>}},
      {ZYDIS_MNEMONIC_RSQRTSS, ZYDIS_MNEMONIC_VRSQRTSS, {sse_xx<host_rsqrtss, 4>, sse_xx<host_rsqrtss, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_CVTSS2SD, ZYDIS_MNEMONIC_VCVTSS2SD,
       {sse_xx<host_cvtss2sd, 4>, sse_xx<host_cvtss2sd, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_CVTSD2SS, ZYDIS_MNEMONIC_VCVTSD2SS,
       {sse_xx<host_cvtsd2ss, 8>, sse_xx<host_cvtsd2ss, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_CVTPS2PD, ZYDIS_MNEMONIC_VCVTPS2PD,
       {sse_xx<host_cvtps2pd, 8>, sse_xx<host_cvtps2pd, 8, Enc::vex, Shape::widen>}},
      {ZYDIS_MNEMONIC_CVTPD2PS, ZYDIS_MNEMONIC_VCVTPD2PS,
       {sse_xx<host_cvtpd2ps, 16>, sse_xx<host_cvtpd2ps, 16, Enc::vex, Shape::narrow>}},
      {ZYDIS_MNEMONIC_CVTDQ2PS, ZYDIS_MNEMONIC_VCVTDQ2PS,
       {sse_xx<host_cvtdq2ps, 16>, sse_xx<host_cvtdq2ps, 16, Enc::vex, Shape::unary>}},
      {ZYDIS_MNEMONIC_CVTPS2DQ, ZYDIS_MNEMONIC_VCVTPS2DQ,
       {sse_xx<host_cvtps2dq, 16>, sse_xx<host_cvtps2dq, 16, Enc::vex, Shape::unary>}},
      {ZYDIS_MNEMONIC_CVTTPS2DQ, ZYDIS_MNEMONIC_VCVTTPS2DQ,
       {sse_xx<host_cvttps2dq, 16>, sse_xx<host_cvttps2dq, 16, Enc::vex, Shape::unary>}},
      {ZYDIS_MNEMONIC_CVTDQ2PD, ZYDIS_MNEMONIC_VCVTDQ2PD,
       {sse_xx<host_cvtdq2pd, 8>, sse_xx<host_cvtdq2pd, 8, Enc::vex, Shape::widen>}},
      {ZYDIS_MNEMONIC_CVTPD2DQ, ZYDIS_MNEMONIC_VCVTPD2DQ,
       {sse_xx<host_cvtpd2dq, 16>, sse_xx<host_cvtpd2dq, 16, Enc::vex, Shape::narrow>}},
      {ZYDIS_MNEMONIC_CVTTPD2DQ, ZYDIS_MNEMONIC_VCVTTPD2DQ,
       {sse_xx<host_cvttpd2dq, 16>, sse_xx<host_cvttpd2dq, 16, Enc::vex, Shape::narrow>}},
      {ZYDIS_MNEMONIC_CMPPS, ZYDIS_MNEMONIC_VCMPPS, {sse_cmp<cmpps_table, 16>, sse_cmp<cmpps_table, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_CMPPD, ZYDIS_MNEMONIC_VCMPPD, {sse_cmp<cmppd_table, 16>, sse_cmp<cmppd_table, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_CMPSS, ZYDIS_MNEMONIC_VCMPSS, {sse_cmp<cmpss_table, 4>, sse_cmp<cmpss_table, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_COMISS, ZYDIS_MNEMONIC_VCOMISS, {sse_comi<host_comiss, 4>, sse_comi<host_comiss, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_UCOMISS, ZYDIS_MNEMONIC_VUCOMISS,
       {sse_comi<host_ucomiss, 4>, sse_comi<host_ucomiss, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_COMISD, ZYDIS_MNEMONIC_VCOMISD, {sse_comi<host_comisd, 8>, sse_comi<host_comisd, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_UCOMISD, ZYDIS_MNEMONIC_VUCOMISD,
       {sse_comi<host_ucomisd, 8>, sse_comi<host_ucomisd, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_CVTSS2SI, ZYDIS_MNEMONIC_VCVTSS2SI,
       {sse_to_int<host_cvtss2si32, host_cvtss2si64, 4>, sse_to_int<host_cvtss2si32, host_cvtss2si64, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_CVTTSS2SI, ZYDIS_MNEMONIC_VCVTTSS2SI,
       {sse_to_int<host_cvttss2si32, host_cvttss2si64, 4>,
        sse_to_int<host_cvttss2si32, host_cvttss2si64, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_CVTSD2SI, ZYDIS_MNEMONIC_VCVTSD2SI,
       {sse_to_int<host_cvtsd2si32, host_cvtsd2si64, 8>, sse_to_int<host_cvtsd2si32, host_cvtsd2si64, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_CVTTSD2SI, ZYDIS_MNEMONIC_VCVTTSD2SI,
       {sse_to_int<host_cvttsd2si32, host_cvttsd2si64, 8>,
        sse_to_int<host_cvttsd2si32, host_cvttsd2si64, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_CVTSI2SS, ZYDIS_MNEMONIC_VCVTSI2SS,
       {sse_from_int<host_cvtsi2ss32, host_cvtsi2ss64>, sse_from_int<host_cvtsi2ss32, host_cvtsi2ss64, Enc::vex>}},
      {ZYDIS_MNEMONIC_CVTSI2SD, ZYDIS_MNEMONIC_VCVTSI2SD,
       {sse_from_int<host_cvtsi2sd32, host_cvtsi2sd64>, sse_from_int<host_cvtsi2sd32, host_cvtsi2sd64, Enc::vex>}},
      {ZYDIS_MNEMONIC_CVTPI2PS, ZYDIS_MNEMONIC_INVALID, {sse_mmx_cvt<host_cvtdq2ps, 8, false, true>, nullptr}},
      {ZYDIS_MNEMONIC_CVTPS2PI, ZYDIS_MNEMONIC_INVALID, {sse_mmx_cvt<host_cvtps2dq, 8, true, false>, nullptr}},
      {ZYDIS_MNEMONIC_CVTTPS2PI, ZYDIS_MNEMONIC_INVALID, {sse_mmx_cvt<host_cvttps2dq, 8, true, false>, nullptr}},
      {ZYDIS_MNEMONIC_CVTPI2PD, ZYDIS_MNEMONIC_INVALID, {sse_mmx_cvt<host_cvtdq2pd, 8, false, false>, nullptr}},
      {ZYDIS_MNEMONIC_CVTPD2PI, ZYDIS_MNEMONIC_INVALID, {sse_mmx_cvt<host_cvtpd2dq, 16, true, false>, nullptr}},
      {ZYDIS_MNEMONIC_CVTTPD2PI, ZYDIS_MNEMONIC_INVALID, {sse_mmx_cvt<host_cvttpd2dq, 16, true, false>, nullptr}},
      {ZYDIS_MNEMONIC_ADDSUBPS, ZYDIS_MNEMONIC_VADDSUBPS,
       {sse_xx<host_addsubps, 16>, sse_xx<host_addsubps, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_ADDSUBPD, ZYDIS_MNEMONIC_VADDSUBPD,
       {sse_xx<host_addsubpd, 16>, sse_xx<host_addsubpd, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_HADDPS, ZYDIS_MNEMONIC_VHADDPS, {sse_xx<host_haddps, 16>, sse_xx<host_haddps, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_HADDPD, ZYDIS_MNEMONIC_VHADDPD, {sse_xx<host_haddpd, 16>, sse_xx<host_haddpd, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_HSUBPS, ZYDIS_MNEMONIC_VHSUBPS, {sse_xx<host_hsubps, 16>, sse_xx<host_hsubps, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_HSUBPD, ZYDIS_MNEMONIC_VHSUBPD, {sse_xx<host_hsubpd, 16>, sse_xx<host_hsubpd, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_ROUNDPS, ZYDIS_MNEMONIC_VROUNDPS,
       {sse_xx_imm<roundps_table, 16>, sse_xx_imm<roundps_table, 16, Enc::vex, Shape::unary>}},
      {ZYDIS_MNEMONIC_ROUNDPD, ZYDIS_MNEMONIC_VROUNDPD,
       {sse_xx_imm<roundpd_table, 16>, sse_xx_imm<roundpd_table, 16, Enc::vex, Shape::unary>}},
      {ZYDIS_MNEMONIC_ROUNDSS, ZYDIS_MNEMONIC_VROUNDSS,
       {sse_xx_imm<roundss_table, 4>, sse_xx_imm<roundss_table, 4, Enc::vex>}},
      {ZYDIS_MNEMONIC_ROUNDSD, ZYDIS_MNEMONIC_VROUNDSD,
       {sse_xx_imm<roundsd_table, 8>, sse_xx_imm<roundsd_table, 8, Enc::vex>}},
      {ZYDIS_MNEMONIC_DPPS, ZYDIS_MNEMONIC_VDPPS, {sse_xx_imm<dpps_table, 16>, sse_xx_imm<dpps_table, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_DPPD, ZYDIS_MNEMONIC_VDPPD, {sse_xx_imm<dppd_table, 16>, sse_xx_imm<dppd_table, 16, Enc::vex>}},
      {ZYDIS_MNEMONIC_SHUFPS, ZYDIS_MNEMONIC_VSHUFPS, {shufp<uint32_t>, shufp<uint32_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_SHUFPD, ZYDIS_MNEMONIC_VSHUFPD, {shufp<uint64_t>, shufp<uint64_t, Enc::vex>}},
  };
  for (const Entry& e : entries) {
    if (e.legacy != ZYDIS_MNEMONIC_INVALID) t.add(e.legacy, e.forms.legacy);
    if (e.vex != ZYDIS_MNEMONIC_INVALID) t.add(e.vex, e.forms.vex);
  }
  t.add_simd(ZYDIS_MNEMONIC_CMPSD, sse_cmp<cmpsd_table, 8>);  // shares its mnemonic with the string CMPSD
  t.add(ZYDIS_MNEMONIC_VCMPSD, sse_cmp<cmpsd_table, 8, Enc::vex>);
}

}  // namespace nv
