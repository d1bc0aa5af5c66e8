// Packed integer and bitwise instructions of MMX, SSE and SSE2 on MMX (64-bit)
// and XMM (128-bit) registers, and their VEX forms (SDM Vol. 1 §9.4, §10.4.4,
// §11.4.3, ch. 14; Vol. 2 per instruction). One lane-wise definition serves
// every register width and both encodings; the legacy 128-bit memory forms
// #GP unless 16-byte aligned (Vol. 1 §11.4.1), the VEX ones take any address.
#include "cpu/handler_table.h"
#include "cpu/simd_operands.h"

#include <algorithm>
#include <limits>
#include <type_traits>

namespace nv {

namespace {

// r = OP(src1, src2, width in bytes, imm8), on one register or one 128-bit
// lane. A shift or an imm8-only form gets the immediate as `b`'s low quadword.
using PackedOp = Vec (*)(const Vec& a, const Vec& b, unsigned width, unsigned imm);

bool mmx_form(const DecodedInsn& i) { return i.op[0].kind == OpKind::mmx || i.op[1].kind == OpKind::mmx; }

// How a VEX form names its sources: `nds` is dst, VEX.vvvv, r/m-or-imm8 with
// only a 128-bit form (the 256-bit integer forms are AVX2, not offered: #UD);
// `nds256` also has the AVX 256-bit form (the FP logic and unpack
// instructions), applied to each 128-bit lane (Vol. 1 §14.2); `unary` is dst,
// r/m, imm8 (VPSHUFD).
enum class VexForm { nds, nds256, unary };

template <PackedOp OP, Enc E = Enc::legacy, VexForm F = VexForm::nds>
void packed(Cpu& c, const DecodedInsn& i) {
  const unsigned imm = static_cast<unsigned>(i.imm & 0xff);
  if (E == Enc::legacy && mmx_form(i)) {
    check_mmx(c);
    Vec b;
    if (i.op[1].kind == OpKind::imm) b.set<uint64_t>(0, imm);
    else b = read_vec(c, i, 1, 8, false);
    Vec r = OP(read_vec(c, i, 0, 8, false), b, 8, imm);
    enter_mmx_state(c.state());
    return write_vec(c, i, 0, r, 8, false);
  }
  check_simd<E>(c);
  const unsigned width = simd_width<E>(i);
  if (width == 32 && F != VexForm::nds256) throw_fault(vec::kUD);
  constexpr unsigned s1 = kSrc1<E>, s2 = E == Enc::vex && F == VexForm::unary ? 1 : kSrc2<E>;
  Ymm b;
  if (i.op[s2].kind == OpKind::imm) b.lane[0].set<uint64_t>(0, imm), b.lane[1] = b.lane[0];
  else b = read_ymm(c, i, s2, width, E == Enc::legacy);
  Ymm a = s1 == s2 ? b : read_ymm(c, i, s1, width, false);
  Ymm r;
  for (unsigned k = 0; k < width / 16; ++k) r.lane[k] = OP(a.lane[k], b.lane[k], 16, imm);
  write_dest<E>(c, i, r, width);
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
template <Enc E>
void pmovmskb(Cpu& c, const DecodedInsn& i) {
  bool mmx = mmx_form(i);
  if (mmx) check_mmx(c);
  else check_simd<E>(c);
  if (i.op[1].kind == OpKind::ymm) throw_fault(vec::kUD);  // AVX2
  unsigned width = mmx ? 8 : 16;
  Vec v = read_vec(c, i, 1, width, false);
  uint32_t mask = 0;
  for (unsigned k = 0; k < width; ++k) mask |= static_cast<uint32_t>(v.b[k] >> 7) << k;
  if (mmx) enter_mmx_state(c.state());
  c.set_reg(i.op[0].reg, i.op[0].size, mask);
}
// PEXTRW r32, mm/xmm, imm8: the selected word, zero-extended.
template <Enc E>
void pextrw(Cpu& c, const DecodedInsn& i) {
  if (i.op[0].kind != OpKind::reg) throw_fault(vec::kUD);  // the memory form is SSE4.1
  bool mmx = mmx_form(i);
  if (mmx) check_mmx(c);
  else check_simd<E>(c);
  Vec v = read_vec(c, i, 1, mmx ? 8 : 16, false);
  if (mmx) enter_mmx_state(c.state());
  c.set_reg(i.op[0].reg, i.op[0].size, v.get<uint16_t>(i.imm & (mmx ? 3 : 7)));
}
// PINSRW mm/xmm, r32/m16, imm8; VPINSRW xmm1, xmm2, r32/m16, imm8.
template <Enc E>
void pinsrw(Cpu& c, const DecodedInsn& i) {
  bool mmx = mmx_form(i);
  if (mmx) check_mmx(c);
  else check_simd<E>(c);
  uint16_t word = static_cast<uint16_t>(c.read_op(i, kSrc2<E>));
  Ymm v = read_ymm(c, i, kSrc1<E>, mmx ? 8 : 16, false);
  v.lane[0].set<uint16_t>(i.imm & (mmx ? 3 : 7), word);
  if (mmx) {
    enter_mmx_state(c.state());
    return write_vec(c, i, 0, v.lane[0], 8, false);
  }
  write_dest<E>(c, i, v, 16);
}

// MASKMOVQ/MASKMOVDQU (Vol. 2B): the bytes of the first operand whose mask
// byte (second operand) has its top bit set are stored at seg:rDI; every
// such byte's page is checked before any is written.
template <Enc E>
void maskmov(Cpu& c, const DecodedInsn& i) {
  bool mmx = mmx_form(i);
  if (mmx) check_mmx(c);
  else check_simd<E>(c);
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

// The legacy handler and the VEX one of each instruction.
struct Forms {
  Handler legacy, vex;
};
template <PackedOp OP, VexForm F = VexForm::nds>
constexpr Forms forms() {
  return {packed<OP>, packed<OP, Enc::vex, F>};
}

}  // namespace

void add_sse_int_handlers(HandlerTable& t) {
  struct Entry {
    ZydisMnemonic legacy, vex;  // ZYDIS_MNEMONIC_INVALID: no VEX form (MMX only)
    Forms forms;
  };
  static constexpr Entry entries[] = {
      {ZYDIS_MNEMONIC_PADDB, ZYDIS_MNEMONIC_VPADDB, forms<add<uint8_t>>()},
      {ZYDIS_MNEMONIC_PADDW, ZYDIS_MNEMONIC_VPADDW, forms<add<uint16_t>>()},
      {ZYDIS_MNEMONIC_PADDD, ZYDIS_MNEMONIC_VPADDD, forms<add<uint32_t>>()},
      {ZYDIS_MNEMONIC_PADDQ, ZYDIS_MNEMONIC_VPADDQ, forms<add<uint64_t>>()},
      {ZYDIS_MNEMONIC_PSUBB, ZYDIS_MNEMONIC_VPSUBB, forms<sub<uint8_t>>()},
      {ZYDIS_MNEMONIC_PSUBW, ZYDIS_MNEMONIC_VPSUBW, forms<sub<uint16_t>>()},
      {ZYDIS_MNEMONIC_PSUBD, ZYDIS_MNEMONIC_VPSUBD, forms<sub<uint32_t>>()},
      {ZYDIS_MNEMONIC_PSUBQ, ZYDIS_MNEMONIC_VPSUBQ, forms<sub<uint64_t>>()},
      {ZYDIS_MNEMONIC_PADDSB, ZYDIS_MNEMONIC_VPADDSB, forms<add_sat<int8_t>>()},
      {ZYDIS_MNEMONIC_PADDSW, ZYDIS_MNEMONIC_VPADDSW, forms<add_sat<int16_t>>()},
      {ZYDIS_MNEMONIC_PADDUSB, ZYDIS_MNEMONIC_VPADDUSB, forms<add_sat<uint8_t>>()},
      {ZYDIS_MNEMONIC_PADDUSW, ZYDIS_MNEMONIC_VPADDUSW, forms<add_sat<uint16_t>>()},
      {ZYDIS_MNEMONIC_PSUBSB, ZYDIS_MNEMONIC_VPSUBSB, forms<sub_sat<int8_t>>()},
      {ZYDIS_MNEMONIC_PSUBSW, ZYDIS_MNEMONIC_VPSUBSW, forms<sub_sat<int16_t>>()},
      {ZYDIS_MNEMONIC_PSUBUSB, ZYDIS_MNEMONIC_VPSUBUSB, forms<sub_sat<uint8_t>>()},
      {ZYDIS_MNEMONIC_PSUBUSW, ZYDIS_MNEMONIC_VPSUBUSW, forms<sub_sat<uint16_t>>()},
      {ZYDIS_MNEMONIC_PMULLW, ZYDIS_MNEMONIC_VPMULLW, forms<mullw>()},
      {ZYDIS_MNEMONIC_PMULHW, ZYDIS_MNEMONIC_VPMULHW, forms<mulh<int16_t>>()},
      {ZYDIS_MNEMONIC_PMULHUW, ZYDIS_MNEMONIC_VPMULHUW, forms<mulh<uint16_t>>()},
      {ZYDIS_MNEMONIC_PMULUDQ, ZYDIS_MNEMONIC_VPMULUDQ, forms<muludq>()},
      {ZYDIS_MNEMONIC_PMADDWD, ZYDIS_MNEMONIC_VPMADDWD, forms<maddwd>()},
      {ZYDIS_MNEMONIC_PAVGB, ZYDIS_MNEMONIC_VPAVGB, forms<avg<uint8_t>>()},
      {ZYDIS_MNEMONIC_PAVGW, ZYDIS_MNEMONIC_VPAVGW, forms<avg<uint16_t>>()},
      {ZYDIS_MNEMONIC_PMINUB, ZYDIS_MNEMONIC_VPMINUB, forms<pmin<uint8_t>>()},
      {ZYDIS_MNEMONIC_PMAXUB, ZYDIS_MNEMONIC_VPMAXUB, forms<pmax<uint8_t>>()},
      {ZYDIS_MNEMONIC_PMINSW, ZYDIS_MNEMONIC_VPMINSW, forms<pmin<int16_t>>()},
      {ZYDIS_MNEMONIC_PMAXSW, ZYDIS_MNEMONIC_VPMAXSW, forms<pmax<int16_t>>()},
      {ZYDIS_MNEMONIC_PSADBW, ZYDIS_MNEMONIC_VPSADBW, forms<sadbw>()},
      {ZYDIS_MNEMONIC_PCMPEQB, ZYDIS_MNEMONIC_VPCMPEQB, forms<cmpeq<uint8_t>>()},
      {ZYDIS_MNEMONIC_PCMPEQW, ZYDIS_MNEMONIC_VPCMPEQW, forms<cmpeq<uint16_t>>()},
      {ZYDIS_MNEMONIC_PCMPEQD, ZYDIS_MNEMONIC_VPCMPEQD, forms<cmpeq<uint32_t>>()},
      {ZYDIS_MNEMONIC_PCMPGTB, ZYDIS_MNEMONIC_VPCMPGTB, forms<cmpgt<int8_t>>()},
      {ZYDIS_MNEMONIC_PCMPGTW, ZYDIS_MNEMONIC_VPCMPGTW, forms<cmpgt<int16_t>>()},
      {ZYDIS_MNEMONIC_PCMPGTD, ZYDIS_MNEMONIC_VPCMPGTD, forms<cmpgt<int32_t>>()},
      {ZYDIS_MNEMONIC_PAND, ZYDIS_MNEMONIC_VPAND, forms<and_>()},
      {ZYDIS_MNEMONIC_ANDPS, ZYDIS_MNEMONIC_VANDPS, forms<and_, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_ANDPD, ZYDIS_MNEMONIC_VANDPD, forms<and_, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_PANDN, ZYDIS_MNEMONIC_VPANDN, forms<andn>()},
      {ZYDIS_MNEMONIC_ANDNPS, ZYDIS_MNEMONIC_VANDNPS, forms<andn, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_ANDNPD, ZYDIS_MNEMONIC_VANDNPD, forms<andn, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_POR, ZYDIS_MNEMONIC_VPOR, forms<or_>()},
      {ZYDIS_MNEMONIC_ORPS, ZYDIS_MNEMONIC_VORPS, forms<or_, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_ORPD, ZYDIS_MNEMONIC_VORPD, forms<or_, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_PXOR, ZYDIS_MNEMONIC_VPXOR, forms<xor_>()},
      {ZYDIS_MNEMONIC_XORPS, ZYDIS_MNEMONIC_VXORPS, forms<xor_, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_XORPD, ZYDIS_MNEMONIC_VXORPD, forms<xor_, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_PSLLW, ZYDIS_MNEMONIC_VPSLLW, forms<shift<uint16_t, Shift::left>>()},
      {ZYDIS_MNEMONIC_PSLLD, ZYDIS_MNEMONIC_VPSLLD, forms<shift<uint32_t, Shift::left>>()},
      {ZYDIS_MNEMONIC_PSLLQ, ZYDIS_MNEMONIC_VPSLLQ, forms<shift<uint64_t, Shift::left>>()},
      {ZYDIS_MNEMONIC_PSRLW, ZYDIS_MNEMONIC_VPSRLW, forms<shift<uint16_t, Shift::right>>()},
      {ZYDIS_MNEMONIC_PSRLD, ZYDIS_MNEMONIC_VPSRLD, forms<shift<uint32_t, Shift::right>>()},
      {ZYDIS_MNEMONIC_PSRLQ, ZYDIS_MNEMONIC_VPSRLQ, forms<shift<uint64_t, Shift::right>>()},
      {ZYDIS_MNEMONIC_PSRAW, ZYDIS_MNEMONIC_VPSRAW, forms<shift<uint16_t, Shift::arith>>()},
      {ZYDIS_MNEMONIC_PSRAD, ZYDIS_MNEMONIC_VPSRAD, forms<shift<uint32_t, Shift::arith>>()},
      {ZYDIS_MNEMONIC_PSLLDQ, ZYDIS_MNEMONIC_VPSLLDQ, forms<shift_bytes<true>>()},
      {ZYDIS_MNEMONIC_PSRLDQ, ZYDIS_MNEMONIC_VPSRLDQ, forms<shift_bytes<false>>()},
      {ZYDIS_MNEMONIC_PUNPCKLBW, ZYDIS_MNEMONIC_VPUNPCKLBW, forms<unpack<uint8_t, false>>()},
      {ZYDIS_MNEMONIC_PUNPCKLWD, ZYDIS_MNEMONIC_VPUNPCKLWD, forms<unpack<uint16_t, false>>()},
      {ZYDIS_MNEMONIC_PUNPCKLDQ, ZYDIS_MNEMONIC_VPUNPCKLDQ, forms<unpack<uint32_t, false>>()},
      {ZYDIS_MNEMONIC_PUNPCKLQDQ, ZYDIS_MNEMONIC_VPUNPCKLQDQ, forms<unpack<uint64_t, false>>()},
      {ZYDIS_MNEMONIC_PUNPCKHBW, ZYDIS_MNEMONIC_VPUNPCKHBW, forms<unpack<uint8_t, true>>()},
      {ZYDIS_MNEMONIC_PUNPCKHWD, ZYDIS_MNEMONIC_VPUNPCKHWD, forms<unpack<uint16_t, true>>()},
      {ZYDIS_MNEMONIC_PUNPCKHDQ, ZYDIS_MNEMONIC_VPUNPCKHDQ, forms<unpack<uint32_t, true>>()},
      {ZYDIS_MNEMONIC_PUNPCKHQDQ, ZYDIS_MNEMONIC_VPUNPCKHQDQ, forms<unpack<uint64_t, true>>()},
      {ZYDIS_MNEMONIC_UNPCKLPS, ZYDIS_MNEMONIC_VUNPCKLPS, forms<unpack<uint32_t, false>, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_UNPCKHPS, ZYDIS_MNEMONIC_VUNPCKHPS, forms<unpack<uint32_t, true>, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_UNPCKLPD, ZYDIS_MNEMONIC_VUNPCKLPD, forms<unpack<uint64_t, false>, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_UNPCKHPD, ZYDIS_MNEMONIC_VUNPCKHPD, forms<unpack<uint64_t, true>, VexForm::nds256>()},
      {ZYDIS_MNEMONIC_PACKSSWB, ZYDIS_MNEMONIC_VPACKSSWB, forms<pack<int16_t, int8_t>>()},
      {ZYDIS_MNEMONIC_PACKSSDW, ZYDIS_MNEMONIC_VPACKSSDW, forms<pack<int32_t, int16_t>>()},
      {ZYDIS_MNEMONIC_PACKUSWB, ZYDIS_MNEMONIC_VPACKUSWB, forms<pack<int16_t, uint8_t>>()},
      {ZYDIS_MNEMONIC_PSHUFD, ZYDIS_MNEMONIC_VPSHUFD, forms<shuffle<uint32_t, 0>, VexForm::unary>()},
      {ZYDIS_MNEMONIC_PSHUFW, ZYDIS_MNEMONIC_INVALID, forms<shuffle<uint16_t, 0>>()},
      {ZYDIS_MNEMONIC_PSHUFLW, ZYDIS_MNEMONIC_VPSHUFLW, forms<shuffle<uint16_t, 0>, VexForm::unary>()},
      {ZYDIS_MNEMONIC_PSHUFHW, ZYDIS_MNEMONIC_VPSHUFHW, forms<shuffle<uint16_t, 4>, VexForm::unary>()},
      {ZYDIS_MNEMONIC_PMOVMSKB, ZYDIS_MNEMONIC_VPMOVMSKB, {pmovmskb<Enc::legacy>, pmovmskb<Enc::vex>}},
      {ZYDIS_MNEMONIC_PEXTRW, ZYDIS_MNEMONIC_VPEXTRW, {pextrw<Enc::legacy>, pextrw<Enc::vex>}},
      {ZYDIS_MNEMONIC_PINSRW, ZYDIS_MNEMONIC_VPINSRW, {pinsrw<Enc::legacy>, pinsrw<Enc::vex>}},
      {ZYDIS_MNEMONIC_MASKMOVQ, ZYDIS_MNEMONIC_INVALID, {maskmov<Enc::legacy>, maskmov<Enc::vex>}},
      {ZYDIS_MNEMONIC_MASKMOVDQU, ZYDIS_MNEMONIC_VMASKMOVDQU, {maskmov<Enc::legacy>, maskmov<Enc::vex>}},
  };
  for (const Entry& e : entries) {
    t.add(e.legacy, e.forms.legacy);
    if (e.vex != ZYDIS_MNEMONIC_INVALID) t.add(e.vex, e.forms.vex);
  }
}

}  // namespace nv
