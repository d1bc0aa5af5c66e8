// PCMPESTRI, PCMPESTRM, PCMPISTRI and PCMPISTRM: the SSE4.2 string compares
// and their VEX forms, which AVX includes (SDM Vol. 2B PCMPESTRI etc., Vol. 2A
// §4.1 "Imm8 control byte operation"). The imm8 control byte has 256
// meanings, so each runs the host's own instruction with the same immediate,
// as the SSE floating point does (the host needs SSE4.2).
#include "cpu/handler_table.h"
#include "cpu/simd_operands.h"

namespace nv {

namespace {

using Xmm = long long __attribute__((vector_size(16)));

// What the host instruction leaves: ECX (the index forms), XMM0 (the mask
// forms) and CF, ZF, SF, OF (AF and PF are cleared).
struct StrResult {
  uint32_t index;
  Xmm mask;
  uint32_t flags;
};
using StrOp = StrResult (*)(Xmm a, Xmm b, int32_t la, int32_t ld);

uint32_t str_flags(bool cf, bool zf, bool sf, bool of) {
  return (cf ? rflags::kCF : 0) | (zf ? rflags::kZF : 0) | (sf ? rflags::kSF : 0) | (of ? rflags::kOF : 0);
}

template <int P>
struct Istri {
  static StrResult call(Xmm a, Xmm b, int32_t, int32_t) {
    StrResult r{};
    bool cf, zf, sf, of;
    asm("pcmpistri %[p], %[b], %[a]"
        : "=c"(r.index), "=@ccc"(cf), "=@ccz"(zf), "=@ccs"(sf), "=@cco"(of)
        : [a] "x"(a), [b] "x"(b), [p] "i"(P));
    r.flags = str_flags(cf, zf, sf, of);
    return r;
  }
  static constexpr StrOp run = call;
};
template <int P>
struct Istrm {
  static StrResult call(Xmm a, Xmm b, int32_t, int32_t) {
    StrResult r{};
    bool cf, zf, sf, of;
    asm("pcmpistrm %[p], %[b], %[a]"
        : "=Yz"(r.mask), "=@ccc"(cf), "=@ccz"(zf), "=@ccs"(sf), "=@cco"(of)
        : [a] "x"(a), [b] "x"(b), [p] "i"(P));
    r.flags = str_flags(cf, zf, sf, of);
    return r;
  }
  static constexpr StrOp run = call;
};
template <int P>
struct Estri {
  static StrResult call(Xmm a, Xmm b, int32_t la, int32_t ld) {
    StrResult r{};
    bool cf, zf, sf, of;
    asm("pcmpestri %[p], %[b], %[a]"
        : "=c"(r.index), "=@ccc"(cf), "=@ccz"(zf), "=@ccs"(sf), "=@cco"(of)
        : [a] "x"(a), [b] "x"(b), [p] "i"(P), "a"(la), "d"(ld));
    r.flags = str_flags(cf, zf, sf, of);
    return r;
  }
  static constexpr StrOp run = call;
};
template <int P>
struct Estrm {
  static StrResult call(Xmm a, Xmm b, int32_t la, int32_t ld) {
    StrResult r{};
    bool cf, zf, sf, of;
    asm("pcmpestrm %[p], %[b], %[a]"
        : "=Yz"(r.mask), "=@ccc"(cf), "=@ccz"(zf), "=@ccs"(sf), "=@cco"(of)
        : [a] "x"(a), [b] "x"(b), [p] "i"(P), "a"(la), "d"(ld));
    r.flags = str_flags(cf, zf, sf, of);
    return r;
  }
  static constexpr StrOp run = call;
};

// An explicit length (EAX/EDX, RAX/RDX with VEX.W = 1) counts as its absolute
// value saturated to the element count (Vol. 2A §4.1.2), so clamping the
// 64-bit value to 32 bits keeps its meaning for the host's 32-bit form.
int32_t explicit_length(uint64_t v, bool wide) {
  int64_t n = wide ? static_cast<int64_t>(v) : static_cast<int32_t>(v);
  return static_cast<int32_t>(n < -17 ? -17 : n > 17 ? 17 : n);
}

// xmm1, xmm2/m128 (any alignment, even in the legacy form: Vol. 2B PCMPESTRI
// "Other Exceptions"), imm8; the index to ECX or the mask to XMM0, and the
// flags. VEX.128 zeroes bits 255:128 of YMM0, the legacy form keeps them.
template <template <int> class OP, bool EXPLICIT, bool MASK, Enc E>
void pcmpstr(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  Xmm b, a;
  Vec vb = read_ymm(c, i, 1, 16, false).lane[0], va = read_ymm(c, i, 0, 16, false).lane[0];
  std::memcpy(&b, vb.b, 16);
  std::memcpy(&a, va.b, 16);
  const bool wide = i.osize == 8;
  int32_t la = EXPLICIT ? explicit_length(c.state().gpr[kRax], wide) : 0;
  int32_t ld = EXPLICIT ? explicit_length(c.state().gpr[kRdx], wide) : 0;
  StrResult r = pick_by_imm<OP, 8>(static_cast<unsigned>(i.imm))(a, b, la, ld);
  if (MASK) {
    VcpuState& s = c.state();
    std::memcpy(s.xmm[0], &r.mask, 16);
    if (E == Enc::vex) std::memset(s.ymm_hi[0], 0, 16);
  } else {
    c.set_reg(kRcx, 4, r.index);
  }
  c.set_arith_flags(rflags::kArith, r.flags);
}

}  // namespace

void add_avx_pcmpstr_handlers(HandlerTable& t) {
  t.add(ZYDIS_MNEMONIC_VPCMPISTRI, pcmpstr<Istri, false, false, Enc::vex>);
  t.add(ZYDIS_MNEMONIC_VPCMPISTRM, pcmpstr<Istrm, false, true, Enc::vex>);
  t.add(ZYDIS_MNEMONIC_VPCMPESTRI, pcmpstr<Estri, true, false, Enc::vex>);
  t.add(ZYDIS_MNEMONIC_VPCMPESTRM, pcmpstr<Estrm, true, true, Enc::vex>);
  t.add(ZYDIS_MNEMONIC_PCMPISTRI, pcmpstr<Istri, false, false, Enc::legacy>);
  t.add(ZYDIS_MNEMONIC_PCMPISTRM, pcmpstr<Istrm, false, true, Enc::legacy>);
  t.add(ZYDIS_MNEMONIC_PCMPESTRI, pcmpstr<Estri, true, false, Enc::legacy>);
  t.add(ZYDIS_MNEMONIC_PCMPESTRM, pcmpstr<Estrm, true, true, Enc::legacy>);
}

}  // namespace nv
