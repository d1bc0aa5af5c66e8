// Integer arithmetic and logic with lazy flags: ADD..CMP, TEST, INC/DEC,
// NEG/NOT, shifts and rotates, SHLD/SHRD, MUL/IMUL/DIV/IDIV, bit tests and
// scans, XADD, CMPXCHG (SDM Vol. 2, "Flags Affected" of each instruction).
#include "cpu/cpu.h"
#include "cpu/handler_table.h"

#include <bit>

namespace nv {

namespace {

using rflags::kAF, rflags::kCF, rflags::kOF, rflags::kPF, rflags::kSF, rflags::kZF;

enum class Alu { add, adc, sub, sbb, and_, or_, xor_, cmp, test };

template <Alu OP>
inline uint64_t alu(Cpu& c, uint64_t a, uint64_t b, unsigned size) {
  const uint64_t m = size_mask(size);
  uint64_t r = 0;
  if constexpr (OP == Alu::add) {
    r = (a + b) & m;
    c.set_lazy(FlagOp::add, size, a, b, r);
  } else if constexpr (OP == Alu::sub || OP == Alu::cmp) {
    r = (a - b) & m;
    c.set_lazy(FlagOp::sub, size, a, b, r);
  } else if constexpr (OP == Alu::adc || OP == Alu::sbb) {
    uint8_t cin = c.cf();
    r = (OP == Alu::adc ? a + b + cin : a - b - cin) & m;
    c.set_lazy(OP == Alu::adc ? FlagOp::adc : FlagOp::sbb, size, a, b, r);
    c.state().lazy.carry_in = cin;
  } else {
    r = OP == Alu::or_ ? a | b : OP == Alu::xor_ ? a ^ b : a & b;
    c.set_lazy(FlagOp::logic, size, a, b, r);
  }
  return r;
}

constexpr bool writes_back(Alu op) { return op != Alu::cmp && op != Alu::test; }

template <Alu OP>
void alu_rr(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size;
  uint64_t r = alu<OP>(c, c.reg(i.op[0].reg, sz), c.reg(i.op[1].reg, sz), sz);
  if constexpr (writes_back(OP)) c.set_reg(i.op[0].reg, sz, r);
}
template <Alu OP>
void alu_ri(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size;
  uint64_t r = alu<OP>(c, c.reg(i.op[0].reg, sz), i.imm & size_mask(sz), sz);
  if constexpr (writes_back(OP)) c.set_reg(i.op[0].reg, sz, r);
}
template <Alu OP>
void alu_generic(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size;
  uint64_t a = c.read_op(i, 0);
  uint64_t b = i.op[1].kind == OpKind::imm ? i.imm & size_mask(sz) : c.read_op(i, 1);
  uint64_t r = alu<OP>(c, a, b, sz);
  if constexpr (writes_back(OP)) c.write_op(i, 0, r);
}
template <Alu OP>
Handler select_alu(const DecodedInsn& i) {
  if (i.op[0].kind == OpKind::reg && i.op[1].kind == OpKind::reg) return alu_rr<OP>;
  if (i.op[0].kind == OpKind::reg && i.op[1].kind == OpKind::imm) return alu_ri<OP>;
  return alu_generic<OP>;
}

// INC/DEC keep CF (Vol. 2A INC): it is fixed in rflags before the lazy record changes.
inline void keep_cf(Cpu& c) {
  VcpuState& s = c.state();
  if (s.lazy.op != FlagOp::none && s.lazy.op != FlagOp::inc && s.lazy.op != FlagOp::dec)
    s.rflags = (s.rflags & ~kCF) | (c.cf() ? kCF : 0);
}
template <bool INC>
void incdec(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size;
  keep_cf(c);
  uint64_t a = c.read_op(i, 0);
  uint64_t r = (INC ? a + 1 : a - 1) & size_mask(sz);
  c.write_op(i, 0, r);
  c.set_lazy(INC ? FlagOp::inc : FlagOp::dec, sz, a, 1, r);
}
template <bool INC>
void incdec_r(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size;
  keep_cf(c);
  uint64_t a = c.reg(i.op[0].reg, sz);
  uint64_t r = (INC ? a + 1 : a - 1) & size_mask(sz);
  c.set_reg(i.op[0].reg, sz, r);
  c.set_lazy(INC ? FlagOp::inc : FlagOp::dec, sz, a, 1, r);
}
template <bool INC>
Handler select_incdec(const DecodedInsn& i) {
  return i.op[0].kind == OpKind::reg ? incdec_r<INC> : incdec<INC>;
}

void neg(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size;
  uint64_t a = c.read_op(i, 0);
  uint64_t r = (0 - a) & size_mask(sz);
  c.write_op(i, 0, r);
  c.set_lazy(FlagOp::sub, sz, 0, a, r);
}
void not_(Cpu& c, const DecodedInsn& i) { c.write_op(i, 0, ~c.read_op(i, 0) & size_mask(i.op[0].size)); }

// ---- shifts and rotates (Vol. 2B SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR) ----

unsigned shift_count(Cpu& c, const DecodedInsn& i, unsigned n) {
  uint64_t v = i.op[n].kind == OpKind::imm ? i.imm : c.read_op(i, n);
  return static_cast<unsigned>(v) & (i.op[0].size == 8 ? 63 : 31);
}

enum class Shift { shl, shr, sar };
template <Shift K>
void shift(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size;
  unsigned count = shift_count(c, i, 1);
  uint64_t a = c.read_op(i, 0);
  if (count == 0) {  // flags unaffected; a 32-bit register is still written (zero-extended)
    c.write_op(i, 0, a);
    return;
  }
  uint64_t m = size_mask(sz), r;
  if constexpr (K == Shift::shl) r = (a << count) & m;
  else if constexpr (K == Shift::shr) r = (a & m) >> count;
  else r = static_cast<uint64_t>(sign_extend(a, sz) >> (count > 63 ? 63 : count)) & m;
  c.write_op(i, 0, r);
  c.set_lazy(K == Shift::shl ? FlagOp::shl : K == Shift::shr ? FlagOp::shr : FlagOp::sar, sz, a, count, r);
}

enum class Rot { rol, ror, rcl, rcr };
template <Rot K>
void rotate(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size, bits = sz * 8;
  unsigned count = shift_count(c, i, 1);
  uint64_t a = c.read_op(i, 0), m = size_mask(sz);
  if (count == 0) {
    c.write_op(i, 0, a);
    return;
  }
  uint64_t r = a;
  bool cf;
  if constexpr (K == Rot::rol || K == Rot::ror) {
    unsigned n = count % bits;
    if (n) r = K == Rot::rol ? ((a << n) | (a >> (bits - n))) & m : ((a >> n) | (a << (bits - n))) & m;
    cf = K == Rot::rol ? (r & 1) : (r >> (bits - 1)) & 1;
  } else {
    cf = c.cf();
    unsigned n = count % (bits + 1);
    for (unsigned k = 0; k < n; ++k) {
      if constexpr (K == Rot::rcl) {
        bool out = (r >> (bits - 1)) & 1;
        r = ((r << 1) | cf) & m;
        cf = out;
      } else {
        bool out = r & 1;
        r = (r >> 1) | (static_cast<uint64_t>(cf) << (bits - 1));
        cf = out;
      }
    }
  }
  bool msb = (r >> (bits - 1)) & 1;
  // OF is defined for 1-bit rotates: ROL/RCL: MSB(r) XOR CF; ROR/RCR: XOR of the two top bits of r.
  bool of = (K == Rot::rol || K == Rot::rcl) ? msb != cf : msb != static_cast<bool>((r >> (bits - 2)) & 1);
  c.write_op(i, 0, r);
  c.set_arith_flags(kCF | kOF, (cf ? kCF : 0) | (of ? kOF : 0));
}

template <bool LEFT>
void shld(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size, bits = sz * 8;
  unsigned count = shift_count(c, i, 2);
  uint64_t a = c.read_op(i, 0), b = c.read_op(i, 1), m = size_mask(sz);
  if (count == 0) {
    c.write_op(i, 0, a);
    return;
  }
  // 16-bit operands shift through the 32-bit concatenation; counts above 16
  // give undefined results (Vol. 2B SHLD).
  unsigned n = count;
  uint64_t r;
  bool cf;
  if (bits == 16) {
    uint64_t x = LEFT ? (a << 16) | b : (b << 16) | a;
    r = LEFT ? ((x << n) >> 16) & m : (x >> n) & m;
    cf = LEFT ? (x >> (32 - n)) & 1 : (x >> (n - 1)) & 1;
  } else if (LEFT) {
    r = ((a << n) | (b >> (bits - n))) & m;
    cf = (a >> (bits - n)) & 1;
  } else {
    r = ((a >> n) | (b << (bits - n))) & m;
    cf = (a >> (n - 1)) & 1;
  }
  bool of = ((r ^ a) >> (bits - 1)) & 1;  // sign change (defined for count 1)
  c.write_op(i, 0, r);
  uint32_t f = (cf ? kCF : 0) | (of ? kOF : 0) | ((r & sign_bit(sz)) ? kSF : 0) | (r == 0 ? kZF : 0) |
               ((std::popcount(static_cast<uint8_t>(r)) & 1) ? 0 : kPF);
  c.set_arith_flags(kCF | kOF | kSF | kZF | kPF | kAF, f);
}

// ---- multiply and divide (Vol. 2A MUL, IMUL, DIV, IDIV) ----

inline uint32_t result_flags(uint64_t low, unsigned sz, bool overflow) {
  // CF = OF = overflow; SF, ZF, PF from the low half as Intel CPUs leave them
  // (architecturally undefined).
  return (overflow ? kCF | kOF : 0) | ((low & sign_bit(sz)) ? kSF : 0) | ((low & size_mask(sz)) == 0 ? kZF : 0) |
         ((std::popcount(static_cast<uint8_t>(low)) & 1) ? 0 : kPF);
}

template <bool SIGNED>
void mul1(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size, bits = sz * 8;
  uint64_t src = c.read_op(i, 0);
  uint64_t acc = c.reg(kRax, sz);
  unsigned __int128 p;
  bool overflow;
  uint64_t lo, hi;
  if (SIGNED) {
    __int128 sp = static_cast<__int128>(sign_extend(acc, sz)) * sign_extend(src, sz);
    p = static_cast<unsigned __int128>(sp);
    lo = static_cast<uint64_t>(p) & size_mask(sz);
    hi = static_cast<uint64_t>(p >> bits) & size_mask(sz);
    overflow = sp != static_cast<__int128>(sign_extend(lo, sz));
  } else {
    p = static_cast<unsigned __int128>(acc) * src;
    lo = static_cast<uint64_t>(p) & size_mask(sz);
    hi = static_cast<uint64_t>(p >> bits) & size_mask(sz);
    overflow = hi != 0;
  }
  if (sz == 1) {
    c.set_reg(kRax, 2, (hi << 8) | lo);
  } else {
    c.set_reg(kRax, sz, lo);
    c.set_reg(kRdx, sz, hi);
  }
  c.set_arith_flags(rflags::kArith, result_flags(lo, sz, overflow));
}

// IMUL r, r/m and IMUL r, r/m, imm.
void imul_n(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size;
  int64_t a, b;
  if (i.op[2].kind == OpKind::imm) {
    a = sign_extend(c.read_op(i, 1), sz);
    b = sign_extend(i.imm & size_mask(sz), sz);
  } else {
    a = sign_extend(c.read_op(i, 0), sz);
    b = sign_extend(c.read_op(i, 1), sz);
  }
  __int128 p = static_cast<__int128>(a) * b;
  uint64_t lo = static_cast<uint64_t>(p) & size_mask(sz);
  bool overflow = p != static_cast<__int128>(sign_extend(lo, sz));
  c.write_op(i, 0, lo);
  c.set_arith_flags(rflags::kArith, result_flags(lo, sz, overflow));
}

Handler select_imul(const DecodedInsn& i) { return i.op[1].kind == OpKind::none ? mul1<true> : imul_n; }

template <bool SIGNED>
void div(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size, bits = sz * 8;
  uint64_t divisor = c.read_op(i, 0);
  if (divisor == 0) throw_fault(vec::kDE);
  unsigned __int128 dividend = sz == 1 ? c.reg(kRax, 2)
                                       : (static_cast<unsigned __int128>(c.reg(kRdx, sz)) << bits) | c.reg(kRax, sz);
  uint64_t q, r;
  if (SIGNED) {
    // Sign-extend the 2*size-bit dividend.
    __int128 sd = static_cast<__int128>(dividend << (128 - 2 * bits)) >> (128 - 2 * bits);
    __int128 sv = sign_extend(divisor, sz);
    __int128 sq = sd / sv, sr = sd % sv;
    __int128 lim = static_cast<__int128>(1) << (bits - 1);
    if (sq >= lim || sq < -lim) throw_fault(vec::kDE);  // quotient does not fit (Vol. 2A IDIV)
    q = static_cast<uint64_t>(sq) & size_mask(sz);
    r = static_cast<uint64_t>(sr) & size_mask(sz);
  } else {
    unsigned __int128 uq = dividend / divisor;
    if (uq >> bits) throw_fault(vec::kDE);
    q = static_cast<uint64_t>(uq);
    r = static_cast<uint64_t>(dividend % divisor);
  }
  if (sz == 1) {
    c.set_reg(kRax, 2, (r << 8) | q);
  } else {
    c.set_reg(kRax, sz, q);
    c.set_reg(kRdx, sz, r);
  }
}

// ---- bit test and scan ----

enum class Bt { test, set, reset, complement };
template <Bt K>
void bt(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size, bits = sz * 8;
  uint64_t bit;
  uint64_t ea = 0;
  bool mem = i.op[0].kind == OpKind::mem;
  if (i.op[1].kind == OpKind::imm) {
    bit = i.imm & (bits - 1);
    if (mem) ea = c.effective_address(i);
  } else {
    uint64_t off = c.read_op(i, 1);
    if (mem) {
      // Vol. 2A BT: a register bit offset addresses a bit string at the memory operand.
      int64_t soff = sign_extend(off, sz);
      ea = (c.effective_address(i) + static_cast<uint64_t>((soff >> (sz == 2 ? 4 : sz == 4 ? 5 : 6)) * sz)) &
           size_mask(i.asize);
      bit = off & (bits - 1);
    } else {
      bit = off & (bits - 1);
    }
  }
  uint64_t v = !mem ? c.read_op(i, 0) : K == Bt::test ? c.read(i.seg, ea, sz) : c.read_for_write(i.seg, ea, sz);
  bool old = (v >> bit) & 1;
  if constexpr (K != Bt::test) {
    if (K == Bt::set) v |= 1ull << bit;
    else if (K == Bt::reset) v &= ~(1ull << bit);
    else v ^= 1ull << bit;
    if (mem) c.write(i.seg, ea, sz, v);
    else c.write_op(i, 0, v);
  }
  c.set_arith_flags(kCF, old ? kCF : 0);
}

template <bool FORWARD>
void bsf(Cpu& c, const DecodedInsn& i) {
  uint64_t v = c.read_op(i, 1);
  if (v == 0) {  // ZF = 1, destination unchanged (Vol. 2A BSF)
    c.set_arith_flags(kZF, kZF);
    return;
  }
  uint64_t idx = FORWARD ? std::countr_zero(v) : 63 - std::countl_zero(v);
  c.write_op(i, 0, idx);
  c.set_arith_flags(kZF, 0);
}

template <bool TRAILING>
void tzcnt(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size, bits = sz * 8;
  uint64_t v = c.read_op(i, 1);
  uint64_t n = v == 0 ? bits : TRAILING ? std::countr_zero(v) : std::countl_zero(v) - (64 - bits);
  c.write_op(i, 0, n);
  c.set_arith_flags(kCF | kZF, (v == 0 ? kCF : 0) | (n == 0 ? kZF : 0));
}

void popcnt(Cpu& c, const DecodedInsn& i) {
  uint64_t v = c.read_op(i, 1);
  c.write_op(i, 0, std::popcount(v));
  c.set_arith_flags(rflags::kArith, v == 0 ? kZF : 0);
}

// CRC32 r32/r64, r/m8/16/32/64 (SSE4.2, Vol. 2A CRC32): the CRC-32C
// (Castagnoli, polynomial 11EDC6F41h) of the source bytes, least significant
// bit first, continuing from the destination's low 32 bits, with no final
// inversion; a 64-bit destination gets bits 63:32 zero. No flags change.
void crc32(Cpu& c, const DecodedInsn& i) {
  constexpr uint32_t kReflectedPolynomial = 0x82f63b78;
  uint32_t crc = static_cast<uint32_t>(c.read_op(i, 0));
  uint64_t data = c.read_op(i, 1);
  for (unsigned bit = 0; bit < 8u * i.op[1].size; ++bit, data >>= 1) {
    bool out = (crc ^ data) & 1;
    crc = (crc >> 1) ^ (out ? kReflectedPolynomial : 0);
  }
  c.write_op(i, 0, crc);
}

// XADD and CMPXCHG store to a memory destination before they change a
// register or the flags: when that store faults, nothing has changed.
void xadd(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size;
  uint64_t a = c.read_op(i, 0), b = c.read_op(i, 1);
  const bool mem = i.op[0].kind == OpKind::mem;
  if (mem) c.write_op(i, 0, (a + b) & size_mask(sz));
  uint64_t r = alu<Alu::add>(c, a, b, sz);
  c.write_op(i, 1, a);
  if (!mem) c.write_op(i, 0, r);  // last: XADD r, r with one register keeps the sum (Vol. 2B XADD)
}

void cmpxchg(Cpu& c, const DecodedInsn& i) {
  unsigned sz = i.op[0].size;
  uint64_t dst = c.read_op(i, 0), acc = c.reg(kRax, sz);
  // Vol. 2A CMPXCHG: the destination is written either way (with itself on failure).
  const bool equal = (acc & size_mask(sz)) == (dst & size_mask(sz));
  c.write_op(i, 0, equal ? c.read_op(i, 1) : dst);
  alu<Alu::cmp>(c, acc, dst, sz);
  if (!equal) c.set_reg(kRax, sz, dst);
}

// ---- decimal arithmetic (Vol. 2A DAA, DAS, AAA, AAS, AAM, AAD; legacy modes) ----

inline uint32_t szp_flags(uint8_t v) {
  return ((v & 0x80) ? kSF : 0) | (v == 0 ? kZF : 0) | ((std::popcount(v) & 1) ? 0 : kPF);
}

template <bool ADD>
void daa(Cpu& c, const DecodedInsn&) {
  uint32_t f = c.rflags();
  uint8_t al = static_cast<uint8_t>(c.reg(kRax, 1)), old_al = al;
  bool old_cf = f & kCF, cf = false, af = false;
  if ((al & 0xf) > 9 || (f & kAF)) {
    cf = old_cf || (ADD ? al > 0xf9 : al < 6);
    al = static_cast<uint8_t>(ADD ? al + 6 : al - 6);
    af = true;
  }
  if (old_al > 0x99 || old_cf) {
    al = static_cast<uint8_t>(ADD ? al + 0x60 : al - 0x60);
    cf = true;
  }
  c.set_reg(kRax, 1, al);
  c.set_arith_flags(rflags::kArith, szp_flags(al) | (cf ? kCF : 0) | (af ? kAF : 0));
}

template <bool ADD>
void aaa(Cpu& c, const DecodedInsn&) {
  uint32_t f = c.rflags();
  uint64_t ax = c.reg(kRax, 2);
  bool adjust = (ax & 0xf) > 9 || (f & kAF);
  if (adjust) ax = ADD ? ax + 0x106 : ((ax - 6) & 0xff) | (((ax >> 8) - 1) << 8);
  c.set_reg(kRax, 2, ax & 0xff0f);
  c.set_arith_flags(kCF | kAF, adjust ? kCF | kAF : 0);
}

void aam(Cpu& c, const DecodedInsn& i) {
  uint8_t base = static_cast<uint8_t>(i.imm), al = static_cast<uint8_t>(c.reg(kRax, 1));
  if (base == 0) throw_fault(vec::kDE);
  uint8_t q = al / base, r = al % base;
  c.set_reg(kRax, 2, (q << 8) | r);
  c.set_arith_flags(rflags::kArith, szp_flags(r));
}

void aad(Cpu& c, const DecodedInsn& i) {
  uint64_t ax = c.reg(kRax, 2);
  uint8_t al = static_cast<uint8_t>((ax & 0xff) + ((ax >> 8) & 0xff) * (i.imm & 0xff));
  c.set_reg(kRax, 2, al);
  c.set_arith_flags(rflags::kArith, szp_flags(al));
}

// CMPXCHG8B m64 / CMPXCHG16B m128 (Vol. 2A): compare rDX:rAX with the
// operand; equal: store rCX:rBX, ZF = 1; else load it into rDX:rAX, ZF = 0.
// The destination is written either way.
void cmpxchg_wide(Cpu& c, const DecodedInsn& i) {
  const unsigned half = i.op[0].size / 2;
  uint64_t ea = c.effective_address(i);
  if (half == 8 && (c.linear(i.seg, ea, 16, true) & 15)) throw_fault(vec::kGP, 0);  // CMPXCHG16B alignment
  uint64_t ea_hi = (ea + half) & size_mask(i.asize);
  uint64_t lo = c.read_for_write(i.seg, ea, half), hi = c.read_for_write(i.seg, ea_hi, half);
  bool equal = lo == c.reg(kRax, half) && hi == c.reg(kRdx, half);
  if (equal) {
    lo = c.reg(kRbx, half);
    hi = c.reg(kRcx, half);
  }
  c.write(i.seg, ea, half, lo);
  c.write(i.seg, ea_hi, half, hi);
  if (!equal) {
    c.set_reg(kRax, half, lo);
    c.set_reg(kRdx, half, hi);
  }
  c.set_arith_flags(kZF, equal ? kZF : 0);
}

}  // namespace

void add_alu_handlers(HandlerTable& t) {
  t.add(ZYDIS_MNEMONIC_CMPXCHG8B, cmpxchg_wide);
  t.add(ZYDIS_MNEMONIC_CMPXCHG16B, cmpxchg_wide);
  t.add(ZYDIS_MNEMONIC_DAA, daa<true>);
  t.add(ZYDIS_MNEMONIC_DAS, daa<false>);
  t.add(ZYDIS_MNEMONIC_AAA, aaa<true>);
  t.add(ZYDIS_MNEMONIC_AAS, aaa<false>);
  t.add(ZYDIS_MNEMONIC_AAM, aam);
  t.add(ZYDIS_MNEMONIC_AAD, aad);
  t.add(ZYDIS_MNEMONIC_ADD, select_alu<Alu::add>);
  t.add(ZYDIS_MNEMONIC_ADC, select_alu<Alu::adc>);
  t.add(ZYDIS_MNEMONIC_SUB, select_alu<Alu::sub>);
  t.add(ZYDIS_MNEMONIC_SBB, select_alu<Alu::sbb>);
  t.add(ZYDIS_MNEMONIC_AND, select_alu<Alu::and_>);
  t.add(ZYDIS_MNEMONIC_OR, select_alu<Alu::or_>);
  t.add(ZYDIS_MNEMONIC_XOR, select_alu<Alu::xor_>);
  t.add(ZYDIS_MNEMONIC_CMP, select_alu<Alu::cmp>);
  t.add(ZYDIS_MNEMONIC_TEST, select_alu<Alu::test>);
  t.add(ZYDIS_MNEMONIC_INC, select_incdec<true>);
  t.add(ZYDIS_MNEMONIC_DEC, select_incdec<false>);
  t.add(ZYDIS_MNEMONIC_NEG, neg);
  t.add(ZYDIS_MNEMONIC_NOT, not_);
  t.add(ZYDIS_MNEMONIC_SHL, shift<Shift::shl>);
  t.add(ZYDIS_MNEMONIC_SHR, shift<Shift::shr>);
  t.add(ZYDIS_MNEMONIC_SAR, shift<Shift::sar>);
  t.add(ZYDIS_MNEMONIC_ROL, rotate<Rot::rol>);
  t.add(ZYDIS_MNEMONIC_ROR, rotate<Rot::ror>);
  t.add(ZYDIS_MNEMONIC_RCL, rotate<Rot::rcl>);
  t.add(ZYDIS_MNEMONIC_RCR, rotate<Rot::rcr>);
  t.add(ZYDIS_MNEMONIC_SHLD, shld<true>);
  t.add(ZYDIS_MNEMONIC_SHRD, shld<false>);
  t.add(ZYDIS_MNEMONIC_MUL, mul1<false>);
  t.add(ZYDIS_MNEMONIC_IMUL, select_imul);
  t.add(ZYDIS_MNEMONIC_DIV, div<false>);
  t.add(ZYDIS_MNEMONIC_IDIV, div<true>);
  t.add(ZYDIS_MNEMONIC_BT, bt<Bt::test>);
  t.add(ZYDIS_MNEMONIC_BTS, bt<Bt::set>);
  t.add(ZYDIS_MNEMONIC_BTR, bt<Bt::reset>);
  t.add(ZYDIS_MNEMONIC_BTC, bt<Bt::complement>);
  t.add(ZYDIS_MNEMONIC_BSF, bsf<true>);
  t.add(ZYDIS_MNEMONIC_BSR, bsf<false>);
  t.add(ZYDIS_MNEMONIC_TZCNT, tzcnt<true>);
  t.add(ZYDIS_MNEMONIC_LZCNT, tzcnt<false>);
  t.add(ZYDIS_MNEMONIC_POPCNT, popcnt);
  t.add(ZYDIS_MNEMONIC_CRC32, crc32);
  t.add(ZYDIS_MNEMONIC_XADD, xadd);
  t.add(ZYDIS_MNEMONIC_CMPXCHG, cmpxchg);
}

}  // namespace nv
