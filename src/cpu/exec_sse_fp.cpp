// SSE/SSE2 floating point, scalar and packed, single and double (SDM Vol. 1
// §10.4.2, §11.4.1, §11.5; Vol. 2 per instruction). Each operation runs on the
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

// XMM destination = OP(destination, source); MEM is the size of a memory
// source (16: packed, 16-byte aligned; 4 or 8: a scalar or half register).
template <XxOp OP, unsigned MEM>
void sse_xx(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  Xmm b = to_xmm(read_vec(c, i, 1, MEM, MEM == 16));
  Xmm a = to_xmm(read_vec(c, i, 0, 16, false));
  take_exceptions(c, OP(a, b, c.state().mxcsr));
  write_vec(c, i, 0, from_xmm(a), 16, false);
}

// CMPxx with the predicate in imm8[2:0].
template <XxOp (*TABLE)(unsigned), unsigned MEM>
void sse_cmp(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  Xmm b = to_xmm(read_vec(c, i, 1, MEM, MEM == 16));
  Xmm a = to_xmm(read_vec(c, i, 0, 16, false));
  take_exceptions(c, TABLE(i.imm & 7)(a, b, c.state().mxcsr));
  write_vec(c, i, 0, from_xmm(a), 16, false);
}
#define SSE_CMP_TABLE(name, op)                                                                                  \
  XxOp name(unsigned p) {                                                                                        \
    static constexpr XxOp ops[8] = {op<0>, op<1>, op<2>, op<3>, op<4>, op<5>, op<6>, op<7>};                     \
    return ops[p];                                                                                               \
  }
SSE_CMP_TABLE(cmpps_table, host_cmpps)
SSE_CMP_TABLE(cmppd_table, host_cmppd)
SSE_CMP_TABLE(cmpss_table, host_cmpss)
SSE_CMP_TABLE(cmpsd_table, host_cmpsd)
#undef SSE_CMP_TABLE

// COMIS*/UCOMIS*: ZF, PF, CF from the comparison; OF, SF, AF cleared (Vol. 2A COMISS).
template <ComiOp OP, unsigned MEM>
void sse_comi(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  Xmm b = to_xmm(read_vec(c, i, 1, MEM, false));
  Xmm a = to_xmm(read_vec(c, i, 0, 16, false));
  CompareResult r = OP(a, b, c.state().mxcsr);
  take_exceptions(c, r.flags);
  c.set_arith_flags(rflags::kArith, r.eflags);
}

template <ToIntOp OP32, ToIntOp OP64, unsigned MEM>
void sse_to_int(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  Xmm b = to_xmm(read_vec(c, i, 1, MEM, false));
  uint64_t g;
  take_exceptions(c, (i.op[0].size == 8 ? OP64 : OP32)(g, b, c.state().mxcsr));
  c.set_reg(i.op[0].reg, i.op[0].size, g);
}

template <FromIntOp OP32, FromIntOp OP64>
void sse_from_int(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  uint64_t g = c.read_op(i, 1);
  Xmm a = to_xmm(read_vec(c, i, 0, 16, false));
  take_exceptions(c, (i.op[1].size == 8 ? OP64 : OP32)(a, g, c.state().mxcsr));
  write_vec(c, i, 0, from_xmm(a), 16, false);
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

// SHUFPS/SHUFPD (Vol. 2B): the low half from the destination, the high half
// from the source, each element chosen by imm8.
template <class T>
void shufp(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  Vec b = read_vec(c, i, 1, 16, true);
  Vec a = read_vec(c, i, 0, 16, false);
  constexpr unsigned n = 16 / sizeof(T), bits = n == 4 ? 2 : 1;
  Vec r;
  for (unsigned k = 0; k < n; ++k) {
    unsigned sel = (i.imm >> (k * bits)) & (n - 1);
    r.set<T>(k, (k < n / 2 ? a : b).template get<T>(sel));
  }
  write_vec(c, i, 0, r, 16, false);
}

}  // namespace

void add_sse_fp_handlers(HandlerTable& t) {
  struct Entry {
    ZydisMnemonic m;
    Handler h;
  };
  static constexpr Entry entries[] = {
      {ZYDIS_MNEMONIC_ADDPS, sse_xx<host_addps, 16>},
      {ZYDIS_MNEMONIC_ADDPD, sse_xx<host_addpd, 16>},
      {ZYDIS_MNEMONIC_ADDSS, sse_xx<host_addss, 4>},
      {ZYDIS_MNEMONIC_ADDSD, sse_xx<host_addsd, 8>},
      {ZYDIS_MNEMONIC_SUBPS, sse_xx<host_subps, 16>},
      {ZYDIS_MNEMONIC_SUBPD, sse_xx<host_subpd, 16>},
      {ZYDIS_MNEMONIC_SUBSS, sse_xx<host_subss, 4>},
      {ZYDIS_MNEMONIC_SUBSD, sse_xx<host_subsd, 8>},
      {ZYDIS_MNEMONIC_MULPS, sse_xx<host_mulps, 16>},
      {ZYDIS_MNEMONIC_MULPD, sse_xx<host_mulpd, 16>},
      {ZYDIS_MNEMONIC_MULSS, sse_xx<host_mulss, 4>},
      {ZYDIS_MNEMONIC_MULSD, sse_xx<host_mulsd, 8>},
      {ZYDIS_MNEMONIC_DIVPS, sse_xx<host_divps, 16>},
      {ZYDIS_MNEMONIC_DIVPD, sse_xx<host_divpd, 16>},
      {ZYDIS_MNEMONIC_DIVSS, sse_xx<host_divss, 4>},
      {ZYDIS_MNEMONIC_DIVSD, sse_xx<host_divsd, 8>},
      {ZYDIS_MNEMONIC_MINPS, sse_xx<host_minps, 16>},
      {ZYDIS_MNEMONIC_MINPD, sse_xx<host_minpd, 16>},
      {ZYDIS_MNEMONIC_MINSS, sse_xx<host_minss, 4>},
      {ZYDIS_MNEMONIC_MINSD, sse_xx<host_minsd, 8>},
      {ZYDIS_MNEMONIC_MAXPS, sse_xx<host_maxps, 16>},
      {ZYDIS_MNEMONIC_MAXPD, sse_xx<host_maxpd, 16>},
      {ZYDIS_MNEMONIC_MAXSS, sse_xx<host_maxss, 4>},
      {ZYDIS_MNEMONIC_MAXSD, sse_xx<host_maxsd, 8>},
      {ZYDIS_MNEMONIC_SQRTPS, sse_xx<host_sqrtps, 16>},
      {ZYDIS_MNEMONIC_SQRTPD, sse_xx<host_sqrtpd, 16>},
      {ZYDIS_MNEMONIC_SQRTSS, sse_xx<host_sqrtss, 4>},
      {ZYDIS_MNEMONIC_SQRTSD, sse_xx<host_sqrtsd, 8>},
      {ZYDIS_MNEMONIC_RCPPS, sse_xx<host_rcpps, 16>},
      {ZYDIS_MNEMONIC_RCPSS, sse_xx<host_rcpss, 4>},
      {ZYDIS_MNEMONIC_RSQRTPS, sse_xx<host_rsqrtps, 16>},
      {ZYDIS_MNEMONIC_RSQRTSS, sse_xx<host_rsqrtss, 4>},
      {ZYDIS_MNEMONIC_CVTSS2SD, sse_xx<host_cvtss2sd, 4>},
      {ZYDIS_MNEMONIC_CVTSD2SS, sse_xx<host_cvtsd2ss, 8>},
      {ZYDIS_MNEMONIC_CVTPS2PD, sse_xx<host_cvtps2pd, 8>},
      {ZYDIS_MNEMONIC_CVTPD2PS, sse_xx<host_cvtpd2ps, 16>},
      {ZYDIS_MNEMONIC_CVTDQ2PS, sse_xx<host_cvtdq2ps, 16>},
      {ZYDIS_MNEMONIC_CVTPS2DQ, sse_xx<host_cvtps2dq, 16>},
      {ZYDIS_MNEMONIC_CVTTPS2DQ, sse_xx<host_cvttps2dq, 16>},
      {ZYDIS_MNEMONIC_CVTDQ2PD, sse_xx<host_cvtdq2pd, 8>},
      {ZYDIS_MNEMONIC_CVTPD2DQ, sse_xx<host_cvtpd2dq, 16>},
      {ZYDIS_MNEMONIC_CVTTPD2DQ, sse_xx<host_cvttpd2dq, 16>},
      {ZYDIS_MNEMONIC_CMPPS, sse_cmp<cmpps_table, 16>},
      {ZYDIS_MNEMONIC_CMPPD, sse_cmp<cmppd_table, 16>},
      {ZYDIS_MNEMONIC_CMPSS, sse_cmp<cmpss_table, 4>},
      {ZYDIS_MNEMONIC_COMISS, sse_comi<host_comiss, 4>},
      {ZYDIS_MNEMONIC_UCOMISS, sse_comi<host_ucomiss, 4>},
      {ZYDIS_MNEMONIC_COMISD, sse_comi<host_comisd, 8>},
      {ZYDIS_MNEMONIC_UCOMISD, sse_comi<host_ucomisd, 8>},
      {ZYDIS_MNEMONIC_CVTSS2SI, sse_to_int<host_cvtss2si32, host_cvtss2si64, 4>},
      {ZYDIS_MNEMONIC_CVTTSS2SI, sse_to_int<host_cvttss2si32, host_cvttss2si64, 4>},
      {ZYDIS_MNEMONIC_CVTSD2SI, sse_to_int<host_cvtsd2si32, host_cvtsd2si64, 8>},
      {ZYDIS_MNEMONIC_CVTTSD2SI, sse_to_int<host_cvttsd2si32, host_cvttsd2si64, 8>},
      {ZYDIS_MNEMONIC_CVTSI2SS, sse_from_int<host_cvtsi2ss32, host_cvtsi2ss64>},
      {ZYDIS_MNEMONIC_CVTSI2SD, sse_from_int<host_cvtsi2sd32, host_cvtsi2sd64>},
      {ZYDIS_MNEMONIC_CVTPI2PS, sse_mmx_cvt<host_cvtdq2ps, 8, false, true>},
      {ZYDIS_MNEMONIC_CVTPS2PI, sse_mmx_cvt<host_cvtps2dq, 8, true, false>},
      {ZYDIS_MNEMONIC_CVTTPS2PI, sse_mmx_cvt<host_cvttps2dq, 8, true, false>},
      {ZYDIS_MNEMONIC_CVTPI2PD, sse_mmx_cvt<host_cvtdq2pd, 8, false, false>},
      {ZYDIS_MNEMONIC_CVTPD2PI, sse_mmx_cvt<host_cvtpd2dq, 16, true, false>},
      {ZYDIS_MNEMONIC_CVTTPD2PI, sse_mmx_cvt<host_cvttpd2dq, 16, true, false>},
      {ZYDIS_MNEMONIC_SHUFPS, shufp<uint32_t>},
      {ZYDIS_MNEMONIC_SHUFPD, shufp<uint64_t>},
  };
  for (const Entry& e : entries) t.add(e.m, e.h);
  t.add_simd(ZYDIS_MNEMONIC_CMPSD, sse_cmp<cmpsd_table, 8>);  // shares its mnemonic with the string CMPSD
}

}  // namespace nv
