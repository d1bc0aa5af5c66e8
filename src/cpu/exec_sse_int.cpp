// Packed integer and bitwise instructions of MMX, SSE and SSE2 on MMX (64-bit)
// and XMM (128-bit) registers (SDM Vol. 1 §9.4, §10.4.4, §11.4.3; Vol. 2
// per instruction). One lane-wise definition serves both register widths;
// the 128-bit memory forms #GP unless 16-byte aligned (Vol. 1 §11.4.1).
#include "cpu/handler_table.h"
#include "cpu/simd_operands.h"

#include <algorithm>
#include <limits>
#include <type_traits>

namespace nv {

namespace {

// dst = OP(dst, src, width in bytes, imm8). A shift or an imm8-only form gets
// the immediate as `b`'s low quadword.
using PackedOp = Vec (*)(const Vec& a, const Vec& b, unsigned width, unsigned imm);

bool mmx_form(const DecodedInsn& i) { return i.op[0].kind == OpKind::mmx || i.op[1].kind == OpKind::mmx; }

template <PackedOp OP>
void packed(Cpu& c, const DecodedInsn& i) {
  bool mmx = mmx_form(i);
  if (mmx) check_mmx(c);
  else check_sse(c);
  unsigned width = mmx ? 8 : 16;
  Vec b;
  if (i.op[1].kind == OpKind::imm) b.set<uint64_t>(0, i.imm & 0xff);
  else b = read_vec(c, i, 1, width, !mmx);
  Vec a = read_vec(c, i, 0, width, false);
  Vec r = OP(a, b, width, static_cast<unsigned>(i.imm & 0xff));
  if (mmx) enter_mmx_state(c.state());
  write_vec(c, i, 0, r, width, false);
}

template <class T, class F>
Vec map2(const Vec& a, const Vec& b, unsigned width, F f) {
  Vec r;
  for (unsigned k = 0; k < width / sizeof(T); ++k) r.set<T>(k, static_cast<T>(f(a.get<T>(k), b.get<T>(k))));
  return r;
}

template <class T>
T saturate(int64_t v) {
  return static_cast<T>(std::clamp<int64_t>(v, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
}

// ---- arithmetic (Vol. 2B PADD*, PSUB*, PMUL*, PMADDWD, PAVG*, PMIN*/PMAX*, PSADBW) ----
template <class T>
Vec add(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<T>(a, b, w, [](T x, T y) { return x + y; });
}
template <class T>
Vec sub(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<T>(a, b, w, [](T x, T y) { return x - y; });
}
template <class T>
Vec add_sat(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<T>(a, b, w, [](T x, T y) { return saturate<T>(int64_t{x} + y); });
}
template <class T>
Vec sub_sat(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<T>(a, b, w, [](T x, T y) { return saturate<T>(int64_t{x} - y); });
}
Vec mullw(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<int16_t>(a, b, w, [](int16_t x, int16_t y) { return int32_t{x} * y; });
}
// PMULHW/PMULHUW: the high 16 bits of the 32-bit product.
template <class T>
Vec mulh(const Vec& a, const Vec& b, unsigned w, unsigned) {
  using Wide = std::conditional_t<std::is_signed_v<T>, int32_t, uint32_t>;
  return map2<T>(a, b, w, [](T x, T y) { return (Wide{x} * Wide{y}) >> 16; });
}
Vec muludq(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<uint64_t>(a, b, w, [](uint64_t x, uint64_t y) { return (x & 0xffffffff) * (y & 0xffffffff); });
}
Vec maddwd(const Vec& a, const Vec& b, unsigned w, unsigned) {
  Vec r;
  for (unsigned k = 0; k < w / 4; ++k) {
    int64_t sum = int64_t{a.get<int16_t>(2 * k)} * b.get<int16_t>(2 * k) +
                  int64_t{a.get<int16_t>(2 * k + 1)} * b.get<int16_t>(2 * k + 1);
    r.set<uint32_t>(k, static_cast<uint32_t>(sum));  // only 2 * (-32768)^2 wraps, to 80000000h
  }
  return r;
}
template <class T>
Vec avg(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<T>(a, b, w, [](T x, T y) { return (uint32_t{x} + y + 1) >> 1; });
}
template <class T>
Vec pmin(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<T>(a, b, w, [](T x, T y) { return std::min(x, y); });
}
template <class T>
Vec pmax(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<T>(a, b, w, [](T x, T y) { return std::max(x, y); });
}
Vec sadbw(const Vec& a, const Vec& b, unsigned w, unsigned) {
  Vec r;
  for (unsigned q = 0; q < w / 8; ++q) {
    uint64_t sum = 0;
    for (unsigned k = 8 * q; k < 8 * q + 8; ++k) sum += a.b[k] > b.b[k] ? a.b[k] - b.b[k] : b.b[k] - a.b[k];
    r.set<uint64_t>(q, sum);
  }
  return r;
}

// ---- compare and logic ----
template <class T>
Vec cmpeq(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<T>(a, b, w, [](T x, T y) { return x == y ? T(-1) : T(0); });
}
template <class T>
Vec cmpgt(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<T>(a, b, w, [](T x, T y) { return x > y ? T(-1) : T(0); });
}
Vec and_(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<uint64_t>(a, b, w, [](uint64_t x, uint64_t y) { return x & y; });
}
Vec andn(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<uint64_t>(a, b, w, [](uint64_t x, uint64_t y) { return ~x & y; });
}
Vec or_(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<uint64_t>(a, b, w, [](uint64_t x, uint64_t y) { return x | y; });
}
Vec xor_(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<uint64_t>(a, b, w, [](uint64_t x, uint64_t y) { return x ^ y; });
}

// ---- shifts: the count is the source's low quadword or the imm8; a count
// above the lane width gives 0, or the sign for PSRA (Vol. 2B PSLLW etc.) ----
enum class Shift { left, right, arith };
template <class T, Shift K>
Vec shift(const Vec& a, const Vec& b, unsigned w, unsigned) {
  uint64_t n = b.q(0);
  constexpr unsigned bits = 8 * sizeof(T);
  return map2<T>(a, a, w, [n](T x, T) -> T {
    if (K == Shift::arith) {
      using S = std::make_signed_t<T>;
      return static_cast<T>(static_cast<S>(x) >> (n >= bits ? bits - 1 : n));
    }
    if (n >= bits) return 0;
    return K == Shift::left ? static_cast<T>(x << n) : static_cast<T>(x >> n);
  });
}
// PSLLDQ/PSRLDQ: whole-register byte shifts by imm8 (above 15: zero).
template <bool LEFT>
Vec shift_bytes(const Vec& a, const Vec&, unsigned, unsigned imm) {
  Vec r;
  unsigned n = std::min(imm, 16u);
  if (LEFT) std::memcpy(r.b + n, a.b, 16 - n);
  else std::memcpy(r.b, a.b + n, 16 - n);
  return r;
}

// ---- interleave, pack and shuffle ----
// PUNPCKL*/PUNPCKH*: the elements of the low or high half of both operands, alternating.
template <class T, bool HIGH>
Vec unpack(const Vec& a, const Vec& b, unsigned w, unsigned) {
  Vec r;
  unsigned half = w / sizeof(T) / 2;
  for (unsigned k = 0; k < half; ++k) {
    r.set<T>(2 * k, a.get<T>(k + (HIGH ? half : 0)));
    r.set<T>(2 * k + 1, b.get<T>(k + (HIGH ? half : 0)));
  }
  return r;
}
// PACKSSWB/PACKSSDW/PACKUSWB: saturate the destination's, then the source's elements to half width.
template <class From, class To>
Vec pack(const Vec& a, const Vec& b, unsigned w, unsigned) {
  Vec r;
  unsigned n = w / sizeof(From);
  for (unsigned k = 0; k < n; ++k) {
    r.set<To>(k, saturate<To>(a.get<From>(k)));
    r.set<To>(n + k, saturate<To>(b.get<From>(k)));
  }
  return r;
}
// PSHUFD (dwords), PSHUFW (MMX words), PSHUFLW/PSHUFHW (the words of one quadword, the other copied).
template <class T, unsigned FIRST>
Vec shuffle(const Vec&, const Vec& b, unsigned w, unsigned imm) {
  Vec r = b;
  unsigned count = std::min(4u, w / unsigned{sizeof(T)});
  for (unsigned k = 0; k < count; ++k) r.set<T>(FIRST + k, b.get<T>(FIRST + ((imm >> (2 * k)) & 3)));
  return r;
}

// PMOVMSKB r32, mm/xmm: the byte sign bits.
void pmovmskb(Cpu& c, const DecodedInsn& i) {
  bool mmx = mmx_form(i);
  if (mmx) check_mmx(c);
  else check_sse(c);
  unsigned width = mmx ? 8 : 16;
  Vec v = read_vec(c, i, 1, width, false);
  uint32_t mask = 0;
  for (unsigned k = 0; k < width; ++k) mask |= static_cast<uint32_t>(v.b[k] >> 7) << k;
  if (mmx) enter_mmx_state(c.state());
  c.set_reg(i.op[0].reg, i.op[0].size, mask);
}
// PEXTRW r32, mm/xmm, imm8: the selected word, zero-extended.
void pextrw(Cpu& c, const DecodedInsn& i) {
  if (i.op[0].kind != OpKind::reg) throw_fault(vec::kUD);  // the memory form is SSE4.1
  bool mmx = mmx_form(i);
  if (mmx) check_mmx(c);
  else check_sse(c);
  Vec v = read_vec(c, i, 1, mmx ? 8 : 16, false);
  if (mmx) enter_mmx_state(c.state());
  c.set_reg(i.op[0].reg, i.op[0].size, v.get<uint16_t>(i.imm & (mmx ? 3 : 7)));
}
// PINSRW mm/xmm, r32/m16, imm8.
void pinsrw(Cpu& c, const DecodedInsn& i) {
  bool mmx = mmx_form(i);
  if (mmx) check_mmx(c);
  else check_sse(c);
  uint16_t word = static_cast<uint16_t>(c.read_op(i, 1));
  Vec v = read_vec(c, i, 0, mmx ? 8 : 16, false);
  v.set<uint16_t>(i.imm & (mmx ? 3 : 7), word);
  if (mmx) enter_mmx_state(c.state());
  write_vec(c, i, 0, v, 16, false);
}

// MASKMOVQ/MASKMOVDQU (Vol. 2B): the bytes of the first operand whose mask
// byte (second operand) has its top bit set are stored at seg:rDI; every
// such byte's page is checked before any is written.
void maskmov(Cpu& c, const DecodedInsn& i) {
  bool mmx = mmx_form(i);
  if (mmx) check_mmx(c);
  else check_sse(c);
  unsigned width = mmx ? 8 : 16;
  Vec data = read_vec(c, i, 0, width, false), mask = read_vec(c, i, 1, width, false);
  uint64_t base = c.state().gpr[kRdi] & size_mask(i.asize);
  AccessType a = c.data_access(AccessKind::write);
  uint64_t lin[16];
  for (unsigned k = 0; k < width; ++k) {
    if (!(mask.b[k] & 0x80)) continue;
    lin[k] = c.linear(i.seg, (base + k) & size_mask(i.asize), 1, true);
    c.translate(lin[k], a);
  }
  if (mmx) enter_mmx_state(c.state());
  for (unsigned k = 0; k < width; ++k)
    if (mask.b[k] & 0x80) c.write_linear(lin[k], 1, data.b[k], a);
}

}  // namespace

void add_sse_int_handlers(HandlerTable& t) {
  struct Entry {
    ZydisMnemonic m;
    Handler h;
  };
  static constexpr Entry entries[] = {
      {ZYDIS_MNEMONIC_PADDB, packed<add<uint8_t>>},
      {ZYDIS_MNEMONIC_PADDW, packed<add<uint16_t>>},
      {ZYDIS_MNEMONIC_PADDD, packed<add<uint32_t>>},
      {ZYDIS_MNEMONIC_PADDQ, packed<add<uint64_t>>},
      {ZYDIS_MNEMONIC_PSUBB, packed<sub<uint8_t>>},
      {ZYDIS_MNEMONIC_PSUBW, packed<sub<uint16_t>>},
      {ZYDIS_MNEMONIC_PSUBD, packed<sub<uint32_t>>},
      {ZYDIS_MNEMONIC_PSUBQ, packed<sub<uint64_t>>},
      {ZYDIS_MNEMONIC_PADDSB, packed<add_sat<int8_t>>},
      {ZYDIS_MNEMONIC_PADDSW, packed<add_sat<int16_t>>},
      {ZYDIS_MNEMONIC_PADDUSB, packed<add_sat<uint8_t>>},
      {ZYDIS_MNEMONIC_PADDUSW, packed<add_sat<uint16_t>>},
      {ZYDIS_MNEMONIC_PSUBSB, packed<sub_sat<int8_t>>},
      {ZYDIS_MNEMONIC_PSUBSW, packed<sub_sat<int16_t>>},
      {ZYDIS_MNEMONIC_PSUBUSB, packed<sub_sat<uint8_t>>},
      {ZYDIS_MNEMONIC_PSUBUSW, packed<sub_sat<uint16_t>>},
      {ZYDIS_MNEMONIC_PMULLW, packed<mullw>},
      {ZYDIS_MNEMONIC_PMULHW, packed<mulh<int16_t>>},
      {ZYDIS_MNEMONIC_PMULHUW, packed<mulh<uint16_t>>},
      {ZYDIS_MNEMONIC_PMULUDQ, packed<muludq>},
      {ZYDIS_MNEMONIC_PMADDWD, packed<maddwd>},
      {ZYDIS_MNEMONIC_PAVGB, packed<avg<uint8_t>>},
      {ZYDIS_MNEMONIC_PAVGW, packed<avg<uint16_t>>},
      {ZYDIS_MNEMONIC_PMINUB, packed<pmin<uint8_t>>},
      {ZYDIS_MNEMONIC_PMAXUB, packed<pmax<uint8_t>>},
      {ZYDIS_MNEMONIC_PMINSW, packed<pmin<int16_t>>},
      {ZYDIS_MNEMONIC_PMAXSW, packed<pmax<int16_t>>},
      {ZYDIS_MNEMONIC_PSADBW, packed<sadbw>},
      {ZYDIS_MNEMONIC_PCMPEQB, packed<cmpeq<uint8_t>>},
      {ZYDIS_MNEMONIC_PCMPEQW, packed<cmpeq<uint16_t>>},
      {ZYDIS_MNEMONIC_PCMPEQD, packed<cmpeq<uint32_t>>},
      {ZYDIS_MNEMONIC_PCMPGTB, packed<cmpgt<int8_t>>},
      {ZYDIS_MNEMONIC_PCMPGTW, packed<cmpgt<int16_t>>},
      {ZYDIS_MNEMONIC_PCMPGTD, packed<cmpgt<int32_t>>},
      {ZYDIS_MNEMONIC_PAND, packed<and_>},
      {ZYDIS_MNEMONIC_ANDPS, packed<and_>},
      {ZYDIS_MNEMONIC_ANDPD, packed<and_>},
      {ZYDIS_MNEMONIC_PANDN, packed<andn>},
      {ZYDIS_MNEMONIC_ANDNPS, packed<andn>},
      {ZYDIS_MNEMONIC_ANDNPD, packed<andn>},
      {ZYDIS_MNEMONIC_POR, packed<or_>},
      {ZYDIS_MNEMONIC_ORPS, packed<or_>},
      {ZYDIS_MNEMONIC_ORPD, packed<or_>},
      {ZYDIS_MNEMONIC_PXOR, packed<xor_>},
      {ZYDIS_MNEMONIC_XORPS, packed<xor_>},
      {ZYDIS_MNEMONIC_XORPD, packed<xor_>},
      {ZYDIS_MNEMONIC_PSLLW, packed<shift<uint16_t, Shift::left>>},
      {ZYDIS_MNEMONIC_PSLLD, packed<shift<uint32_t, Shift::left>>},
      {ZYDIS_MNEMONIC_PSLLQ, packed<shift<uint64_t, Shift::left>>},
      {ZYDIS_MNEMONIC_PSRLW, packed<shift<uint16_t, Shift::right>>},
      {ZYDIS_MNEMONIC_PSRLD, packed<shift<uint32_t, Shift::right>>},
      {ZYDIS_MNEMONIC_PSRLQ, packed<shift<uint64_t, Shift::right>>},
      {ZYDIS_MNEMONIC_PSRAW, packed<shift<uint16_t, Shift::arith>>},
      {ZYDIS_MNEMONIC_PSRAD, packed<shift<uint32_t, Shift::arith>>},
      {ZYDIS_MNEMONIC_PSLLDQ, packed<shift_bytes<true>>},
      {ZYDIS_MNEMONIC_PSRLDQ, packed<shift_bytes<false>>},
      {ZYDIS_MNEMONIC_PUNPCKLBW, packed<unpack<uint8_t, false>>},
      {ZYDIS_MNEMONIC_PUNPCKLWD, packed<unpack<uint16_t, false>>},
      {ZYDIS_MNEMONIC_PUNPCKLDQ, packed<unpack<uint32_t, false>>},
      {ZYDIS_MNEMONIC_PUNPCKLQDQ, packed<unpack<uint64_t, false>>},
      {ZYDIS_MNEMONIC_PUNPCKHBW, packed<unpack<uint8_t, true>>},
      {ZYDIS_MNEMONIC_PUNPCKHWD, packed<unpack<uint16_t, true>>},
      {ZYDIS_MNEMONIC_PUNPCKHDQ, packed<unpack<uint32_t, true>>},
      {ZYDIS_MNEMONIC_PUNPCKHQDQ, packed<unpack<uint64_t, true>>},
      {ZYDIS_MNEMONIC_UNPCKLPS, packed<unpack<uint32_t, false>>},
      {ZYDIS_MNEMONIC_UNPCKHPS, packed<unpack<uint32_t, true>>},
      {ZYDIS_MNEMONIC_UNPCKLPD, packed<unpack<uint64_t, false>>},
      {ZYDIS_MNEMONIC_UNPCKHPD, packed<unpack<uint64_t, true>>},
      {ZYDIS_MNEMONIC_PACKSSWB, packed<pack<int16_t, int8_t>>},
      {ZYDIS_MNEMONIC_PACKSSDW, packed<pack<int32_t, int16_t>>},
      {ZYDIS_MNEMONIC_PACKUSWB, packed<pack<int16_t, uint8_t>>},
      {ZYDIS_MNEMONIC_PSHUFD, packed<shuffle<uint32_t, 0>>},
      {ZYDIS_MNEMONIC_PSHUFW, packed<shuffle<uint16_t, 0>>},
      {ZYDIS_MNEMONIC_PSHUFLW, packed<shuffle<uint16_t, 0>>},
      {ZYDIS_MNEMONIC_PSHUFHW, packed<shuffle<uint16_t, 4>>},
      {ZYDIS_MNEMONIC_PMOVMSKB, pmovmskb},
      {ZYDIS_MNEMONIC_PEXTRW, pextrw},
      {ZYDIS_MNEMONIC_PINSRW, pinsrw},
      {ZYDIS_MNEMONIC_MASKMOVQ, maskmov},
      {ZYDIS_MNEMONIC_MASKMOVDQU, maskmov},
  };
  for (const Entry& e : entries) t.add(e.m, e.h);
}

}  // namespace nv
