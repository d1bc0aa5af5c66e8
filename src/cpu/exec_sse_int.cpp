// Packed integer and bitwise instructions of MMX, SSE, SSE2, SSSE3 and SSE4.1/4.2
// on MMX (64-bit) and XMM (128-bit) registers, and their VEX forms (SDM Vol. 1
// §9.4, §10.4.4, §11.4.3, ch. 12, ch. 14; Vol. 2 per instruction). One
// lane-wise definition serves every register width and both encodings; the
// legacy 128-bit packed memory forms #GP unless 16-byte aligned (Vol. 1
// §11.4.1; Vol. 2A §2.5 exception types 1, 2 and 4), the VEX ones take any
// address, and the element-sized or half-register memory operands of
// PMOVZX/PMOVSX, PINSR*, PEXTR*, EXTRACTPS and INSERTPS (type 5) any too.
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

// The #UD rule of an MMX form: MMX's own (CR0.EM), or also CR4.OSFXSR = 0 for
// the SSSE3 ones (Vol. 3A §13.1.4 exempts only PSHUFW and MOVNTQ of the SSE
// instructions on MMX registers).
enum class MmxRule { mmx, ssse3 };

template <PackedOp OP, Enc E = Enc::legacy, VexForm F = VexForm::nds, MmxRule M = MmxRule::mmx>
void packed(Cpu& c, const DecodedInsn& i) {
  const unsigned imm = static_cast<unsigned>(i.imm & 0xff);
  if (E == Enc::legacy && mmx_form(i)) {
    if (M == MmxRule::ssse3 && !(c.state().cr4 & simd::kCr4OsFxsr)) throw_fault(vec::kUD);
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

// ---- SSSE3 (also on MMX registers), SSE4.1 and SSE4.2 (Vol. 2 per instruction) ----
// PSHUFB: each byte is the destination byte the source byte indexes, or 0 when its bit 7 is set.
Vec shufb(const Vec& a, const Vec& b, unsigned w, unsigned) {
  Vec r;
  for (unsigned k = 0; k < w; ++k) r.b[k] = b.b[k] & 0x80 ? 0 : a.b[b.b[k] & (w - 1)];
  return r;
}
// PALIGNR: destination:source (destination high) shifted right by imm8 bytes.
Vec alignr(const Vec& a, const Vec& b, unsigned w, unsigned imm) {
  uint8_t cat[32];
  std::memcpy(cat, b.b, w);
  std::memcpy(cat + w, a.b, w);
  Vec r;
  for (unsigned k = 0; k < w; ++k) r.b[k] = imm + k < 2 * w ? cat[imm + k] : 0;
  return r;
}
// Two's-complement negation as the lanes do it: -(-2^(n-1)) wraps to itself
// (in unsigned arithmetic: negating INT32_MIN as an int is undefined in C++).
template <class T>
T wrapping_negate(T x) {
  return static_cast<T>(0u - static_cast<std::make_unsigned_t<T>>(x));
}
// PABSB/W/D: |source|, as unsigned (|-2^(n-1)| stays 2^(n-1)).
template <class T>
Vec abs_(const Vec&, const Vec& b, unsigned w, unsigned) {
  return map2<T>(b, b, w, [](T x, T) { return x < 0 ? wrapping_negate(x) : x; });
}
// PSIGNB/W/D: the destination negated, zeroed or kept by the source's sign.
template <class T>
Vec sign(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<T>(a, b, w, [](T x, T y) { return y < 0 ? wrapping_negate(x) : y == 0 ? T(0) : x; });
}
// PHADD*/PHSUB*: pairs of adjacent destination elements, then of source elements.
template <class T, bool SUB, bool SAT>
Vec horizontal(const Vec& a, const Vec& b, unsigned w, unsigned) {
  Vec r;
  unsigned half = w / sizeof(T) / 2;
  for (unsigned k = 0; k < 2 * half; ++k) {
    const Vec& v = k < half ? a : b;
    unsigned j = 2 * (k % half);
    int64_t x = v.get<T>(j), y = v.get<T>(j + 1), sum = SUB ? x - y : x + y;
    r.set<T>(k, SAT ? saturate<T>(sum) : static_cast<T>(sum));
  }
  return r;
}
// PMADDUBSW: unsigned destination bytes times signed source bytes, pairs summed with signed saturation.
Vec maddubsw(const Vec& a, const Vec& b, unsigned w, unsigned) {
  Vec r;
  for (unsigned k = 0; k < w / 2; ++k)
    r.set<int16_t>(k, saturate<int16_t>(int32_t{a.b[2 * k]} * b.get<int8_t>(2 * k) +
                                        int32_t{a.b[2 * k + 1]} * b.get<int8_t>(2 * k + 1)));
  return r;
}
// PMULHRSW: the product's bits 30:15 rounded.
Vec mulhrsw(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<int16_t>(a, b, w, [](int16_t x, int16_t y) { return ((int32_t{x} * y >> 14) + 1) >> 1; });
}
// PBLENDW: word k from the source when imm8 bit k is set.
Vec blendw(const Vec& a, const Vec& b, unsigned w, unsigned imm) {
  Vec r;
  for (unsigned k = 0; k < w / 2; ++k) r.set<uint16_t>(k, ((imm >> k) & 1 ? b : a).get<uint16_t>(k));
  return r;
}
// PMULLD: the low 32 bits of the product; PMULDQ: the signed 64-bit product of the even dwords.
Vec mulld(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<uint32_t>(a, b, w, [](uint32_t x, uint32_t y) { return x * y; });
}
Vec muldq(const Vec& a, const Vec& b, unsigned w, unsigned) {
  return map2<uint64_t>(a, b, w, [](uint64_t x, uint64_t y) {
    return static_cast<uint64_t>(int64_t{static_cast<int32_t>(x)} * static_cast<int32_t>(y));
  });
}
// PHMINPOSUW: the smallest unsigned source word and its index (the lowest on ties), the rest zero.
Vec phminposuw(const Vec&, const Vec& b, unsigned, unsigned) {
  unsigned at = 0;
  for (unsigned k = 1; k < 8; ++k)
    if (b.get<uint16_t>(k) < b.get<uint16_t>(at)) at = k;
  Vec r;
  r.set<uint16_t>(0, b.get<uint16_t>(at));
  r.set<uint16_t>(1, static_cast<uint16_t>(at));
  return r;
}
// MPSADBW: eight sums of absolute differences of 4 bytes: destination bytes
// from imm8[2] * 4 + k, against source bytes imm8[1:0] * 4.
Vec mpsadbw(const Vec& a, const Vec& b, unsigned, unsigned imm) {
  Vec r;
  unsigned da = (imm >> 2 & 1) * 4, sb = (imm & 3) * 4;
  for (unsigned k = 0; k < 8; ++k) {
    unsigned sum = 0;
    for (unsigned j = 0; j < 4; ++j) {
      int d = int{a.b[da + k + j]} - b.b[sb + j];
      sum += d < 0 ? -d : d;
    }
    r.set<uint16_t>(k, static_cast<uint16_t>(sum));
  }
  return r;
}
// INSERTPS: source element imm8[7:6] (of a register; an m32 is the element)
// into destination element imm8[5:4], then the elements imm8[3:0] names zeroed.
template <Enc E>
void insertps(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  const bool mem = i.op[kSrc2<E>].kind == OpKind::mem;
  const unsigned imm = static_cast<unsigned>(i.imm & 0xff);
  Vec b = read_ymm(c, i, kSrc2<E>, mem ? 4 : 16, false).lane[0];
  Ymm r = read_ymm(c, i, kSrc1<E>, 16, false);
  r.lane[0].set<uint32_t>(imm >> 4 & 3, b.get<uint32_t>(mem ? 0 : imm >> 6 & 3));
  for (unsigned k = 0; k < 4; ++k)
    if (imm >> k & 1) r.lane[0].set<uint32_t>(k, 0);
  write_dest<E>(c, i, r, 16);
}

// BLENDPS/BLENDPD: element k from src2 when imm8 bit k is set (VEX.256: the
// upper lane's elements take the next bits).
template <class T, Enc E>
void blendp(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  const unsigned width = simd_width<E>(i);
  Ymm b = read_ymm(c, i, kSrc2<E>, width, E == Enc::legacy);
  Ymm a = read_ymm(c, i, kSrc1<E>, width, false);
  constexpr unsigned n = 16 / sizeof(T);
  Ymm r;
  for (unsigned e = 0; e < width / sizeof(T); ++e)
    r.lane[e / n].set<T>(e % n, ((i.imm >> e) & 1 ? b : a).lane[e / n].template get<T>(e % n));
  write_dest<E>(c, i, r, width);
}

// PBLENDVB/BLENDVPS/BLENDVPD: element k from src2 when the mask element's
// sign bit is set; the mask is XMM0 (legacy) or the register in imm8[7:4] (VEX).
template <class T, Enc E>
void blendv(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  const unsigned width = simd_width<E>(i);
  if (width == 32 && sizeof(T) == 1) throw_fault(vec::kUD);  // VPBLENDVB ymm is AVX2
  Ymm b = read_ymm(c, i, kSrc2<E>, width, E == Enc::legacy);
  Ymm a = read_ymm(c, i, kSrc1<E>, width, false);
  VcpuState& s = c.state();
  const unsigned m = E == Enc::legacy ? 0 : static_cast<unsigned>(i.imm >> 4 & 15);
  Ymm mask;
  std::memcpy(mask.lane[0].b, s.xmm[m], 16);
  std::memcpy(mask.lane[1].b, s.ymm_hi[m], 16);
  Ymm r;
  for (unsigned lane = 0; lane < width / 16; ++lane)
    for (unsigned k = 0; k < 16 / sizeof(T); ++k) {
      bool take = mask.lane[lane].get<T>(k) >> (8 * sizeof(T) - 1);
      r.lane[lane].set<T>(k, (take ? b : a).lane[lane].template get<T>(k));
    }
  write_dest<E>(c, i, r, width);
}

// PMOVZX/PMOVSX: the low 16 * sizeof(From) / sizeof(To) source bytes (a
// register, or memory of that size at any alignment) extended element-wise.
template <class From, class To, Enc E>
void pmovx(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  if (i.op[0].kind == OpKind::ymm) throw_fault(vec::kUD);  // AVX2
  constexpr unsigned n = 16 / sizeof(To);
  Vec v = read_ymm(c, i, 1, n * sizeof(From), false).lane[0];
  Ymm r;
  for (unsigned k = 0; k < n; ++k) r.lane[0].set<To>(k, static_cast<To>(v.get<From>(k)));
  write_dest<E>(c, i, r, 16);
}

// PEXTRB/PEXTRW/PEXTRD/PEXTRQ/EXTRACTPS r/m, xmm, imm8: the element imm8
// selects, zero-extended into a register.
template <class T, Enc E>
void pextr(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  Vec v = read_vec(c, i, 1, 16, false);
  c.write_op(i, 0, v.get<T>(i.imm & (16 / sizeof(T) - 1)));
}
// PINSRB/PINSRD/PINSRQ xmm, r/m, imm8 (VEX: xmm1, xmm2, r/m, imm8).
template <class T, Enc E>
void pinsr(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  T v = static_cast<T>(c.read_op(i, kSrc2<E>));
  Ymm r = read_ymm(c, i, kSrc1<E>, 16, false);
  r.lane[0].set<T>(i.imm & (16 / sizeof(T) - 1), v);
  write_dest<E>(c, i, r, 16);
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
// PEXTRW r32, mm/xmm, imm8 (and SSE4.1's PEXTRW m16, xmm, imm8): the selected
// word, zero-extended.
template <Enc E>
void pextrw(Cpu& c, const DecodedInsn& i) {
  bool mmx = mmx_form(i);
  if (mmx) check_mmx(c);
  else check_simd<E>(c);
  Vec v = read_vec(c, i, 1, mmx ? 8 : 16, false);
  if (mmx) enter_mmx_state(c.state());
  c.write_op(i, 0, v.get<uint16_t>(i.imm & (mmx ? 3 : 7)));
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
// SSSE3: also on MMX registers, under the SSE #UD rule.
template <PackedOp OP, VexForm F = VexForm::nds>
constexpr Forms ssse3_forms() {
  return {packed<OP, Enc::legacy, F, MmxRule::ssse3>, packed<OP, Enc::vex, F>};
}

}  // namespace

void add_sse_int_handlers(HandlerTable& t) {
  struct Entry {
    // ZYDIS_MNEMONIC_INVALID: no VEX form (MMX only)
    ZydisMnemonic legacy, vex;
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
      {ZYDIS_MNEMONIC_PSHUFB, ZYDIS_MNEMONIC_VPSHUFB, ssse3_forms<shufb>()},
      {ZYDIS_MNEMONIC_PALIGNR, ZYDIS_MNEMONIC_VPALIGNR, ssse3_forms<alignr>()},
      {ZYDIS_MNEMONIC_PABSB, ZYDIS_MNEMONIC_VPABSB, ssse3_forms<abs_<int8_t>, VexForm::unary>()},
      {ZYDIS_MNEMONIC_PABSW, ZYDIS_MNEMONIC_VPABSW, ssse3_forms<abs_<int16_t>, VexForm::unary>()},
      {ZYDIS_MNEMONIC_PABSD, ZYDIS_MNEMONIC_VPABSD, ssse3_forms<abs_<int32_t>, VexForm::unary>()},
      {ZYDIS_MNEMONIC_PSIGNB, ZYDIS_MNEMONIC_VPSIGNB, ssse3_forms<sign<int8_t>>()},
      {ZYDIS_MNEMONIC_PSIGNW, ZYDIS_MNEMONIC_VPSIGNW, ssse3_forms<sign<int16_t>>()},
      {ZYDIS_MNEMONIC_PSIGND, ZYDIS_MNEMONIC_VPSIGND, ssse3_forms<sign<int32_t>>()},
      {ZYDIS_MNEMONIC_PHADDW, ZYDIS_MNEMONIC_VPHADDW, ssse3_forms<horizontal<int16_t, false, false>>()},
      {ZYDIS_MNEMONIC_PHADDD, ZYDIS_MNEMONIC_VPHADDD, ssse3_forms<horizontal<int32_t, false, false>>()},
      {ZYDIS_MNEMONIC_PHADDSW, ZYDIS_MNEMONIC_VPHADDSW, ssse3_forms<horizontal<int16_t, false, true>>()},
      {ZYDIS_MNEMONIC_PHSUBW, ZYDIS_MNEMONIC_VPHSUBW, ssse3_forms<horizontal<int16_t, true, false>>()},
      {ZYDIS_MNEMONIC_PHSUBD, ZYDIS_MNEMONIC_VPHSUBD, ssse3_forms<horizontal<int32_t, true, false>>()},
      {ZYDIS_MNEMONIC_PHSUBSW, ZYDIS_MNEMONIC_VPHSUBSW, ssse3_forms<horizontal<int16_t, true, true>>()},
      {ZYDIS_MNEMONIC_PMADDUBSW, ZYDIS_MNEMONIC_VPMADDUBSW, ssse3_forms<maddubsw>()},
      {ZYDIS_MNEMONIC_PMULHRSW, ZYDIS_MNEMONIC_VPMULHRSW, ssse3_forms<mulhrsw>()},
      {ZYDIS_MNEMONIC_PBLENDW, ZYDIS_MNEMONIC_VPBLENDW, forms<blendw>()},
      {ZYDIS_MNEMONIC_PMINSB, ZYDIS_MNEMONIC_VPMINSB, forms<pmin<int8_t>>()},
      {ZYDIS_MNEMONIC_PMINSD, ZYDIS_MNEMONIC_VPMINSD, forms<pmin<int32_t>>()},
      {ZYDIS_MNEMONIC_PMINUW, ZYDIS_MNEMONIC_VPMINUW, forms<pmin<uint16_t>>()},
      {ZYDIS_MNEMONIC_PMINUD, ZYDIS_MNEMONIC_VPMINUD, forms<pmin<uint32_t>>()},
      {ZYDIS_MNEMONIC_PMAXSB, ZYDIS_MNEMONIC_VPMAXSB, forms<pmax<int8_t>>()},
      {ZYDIS_MNEMONIC_PMAXSD, ZYDIS_MNEMONIC_VPMAXSD, forms<pmax<int32_t>>()},
      {ZYDIS_MNEMONIC_PMAXUW, ZYDIS_MNEMONIC_VPMAXUW, forms<pmax<uint16_t>>()},
      {ZYDIS_MNEMONIC_PMAXUD, ZYDIS_MNEMONIC_VPMAXUD, forms<pmax<uint32_t>>()},
      {ZYDIS_MNEMONIC_PMULLD, ZYDIS_MNEMONIC_VPMULLD, forms<mulld>()},
      {ZYDIS_MNEMONIC_PMULDQ, ZYDIS_MNEMONIC_VPMULDQ, forms<muldq>()},
      {ZYDIS_MNEMONIC_PCMPEQQ, ZYDIS_MNEMONIC_VPCMPEQQ, forms<cmpeq<uint64_t>>()},
      {ZYDIS_MNEMONIC_PCMPGTQ, ZYDIS_MNEMONIC_VPCMPGTQ, forms<cmpgt<int64_t>>()},
      {ZYDIS_MNEMONIC_PACKUSDW, ZYDIS_MNEMONIC_VPACKUSDW, forms<pack<int32_t, uint16_t>>()},
      {ZYDIS_MNEMONIC_PHMINPOSUW, ZYDIS_MNEMONIC_VPHMINPOSUW, forms<phminposuw, VexForm::unary>()},
      {ZYDIS_MNEMONIC_MPSADBW, ZYDIS_MNEMONIC_VMPSADBW, forms<mpsadbw>()},
      {ZYDIS_MNEMONIC_PBLENDVB, ZYDIS_MNEMONIC_VPBLENDVB, {blendv<uint8_t, Enc::legacy>, blendv<uint8_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_BLENDVPS, ZYDIS_MNEMONIC_VBLENDVPS, {blendv<uint32_t, Enc::legacy>, blendv<uint32_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_BLENDVPD, ZYDIS_MNEMONIC_VBLENDVPD, {blendv<uint64_t, Enc::legacy>, blendv<uint64_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_BLENDPS, ZYDIS_MNEMONIC_VBLENDPS, {blendp<uint32_t, Enc::legacy>, blendp<uint32_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_BLENDPD, ZYDIS_MNEMONIC_VBLENDPD, {blendp<uint64_t, Enc::legacy>, blendp<uint64_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVZXBW, ZYDIS_MNEMONIC_VPMOVZXBW,
       {pmovx<uint8_t, uint16_t, Enc::legacy>, pmovx<uint8_t, uint16_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVZXBD, ZYDIS_MNEMONIC_VPMOVZXBD,
       {pmovx<uint8_t, uint32_t, Enc::legacy>, pmovx<uint8_t, uint32_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVZXBQ, ZYDIS_MNEMONIC_VPMOVZXBQ,
       {pmovx<uint8_t, uint64_t, Enc::legacy>, pmovx<uint8_t, uint64_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVZXWD, ZYDIS_MNEMONIC_VPMOVZXWD,
       {pmovx<uint16_t, uint32_t, Enc::legacy>, pmovx<uint16_t, uint32_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVZXWQ, ZYDIS_MNEMONIC_VPMOVZXWQ,
       {pmovx<uint16_t, uint64_t, Enc::legacy>, pmovx<uint16_t, uint64_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVZXDQ, ZYDIS_MNEMONIC_VPMOVZXDQ,
       {pmovx<uint32_t, uint64_t, Enc::legacy>, pmovx<uint32_t, uint64_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVSXBW, ZYDIS_MNEMONIC_VPMOVSXBW,
       {pmovx<int8_t, int16_t, Enc::legacy>, pmovx<int8_t, int16_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVSXBD, ZYDIS_MNEMONIC_VPMOVSXBD,
       {pmovx<int8_t, int32_t, Enc::legacy>, pmovx<int8_t, int32_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVSXBQ, ZYDIS_MNEMONIC_VPMOVSXBQ,
       {pmovx<int8_t, int64_t, Enc::legacy>, pmovx<int8_t, int64_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVSXWD, ZYDIS_MNEMONIC_VPMOVSXWD,
       {pmovx<int16_t, int32_t, Enc::legacy>, pmovx<int16_t, int32_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVSXWQ, ZYDIS_MNEMONIC_VPMOVSXWQ,
       {pmovx<int16_t, int64_t, Enc::legacy>, pmovx<int16_t, int64_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PMOVSXDQ, ZYDIS_MNEMONIC_VPMOVSXDQ,
       {pmovx<int32_t, int64_t, Enc::legacy>, pmovx<int32_t, int64_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PEXTRB, ZYDIS_MNEMONIC_VPEXTRB, {pextr<uint8_t, Enc::legacy>, pextr<uint8_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PEXTRD, ZYDIS_MNEMONIC_VPEXTRD, {pextr<uint32_t, Enc::legacy>, pextr<uint32_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PEXTRQ, ZYDIS_MNEMONIC_VPEXTRQ, {pextr<uint64_t, Enc::legacy>, pextr<uint64_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_EXTRACTPS, ZYDIS_MNEMONIC_VEXTRACTPS, {pextr<uint32_t, Enc::legacy>, pextr<uint32_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PINSRB, ZYDIS_MNEMONIC_VPINSRB, {pinsr<uint8_t, Enc::legacy>, pinsr<uint8_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PINSRD, ZYDIS_MNEMONIC_VPINSRD, {pinsr<uint32_t, Enc::legacy>, pinsr<uint32_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_PINSRQ, ZYDIS_MNEMONIC_VPINSRQ, {pinsr<uint64_t, Enc::legacy>, pinsr<uint64_t, Enc::vex>}},
      {ZYDIS_MNEMONIC_INSERTPS, ZYDIS_MNEMONIC_VINSERTPS, {insertps<Enc::legacy>, insertps<Enc::vex>}},
  };
  for (const Entry& e : entries) {
    if (e.legacy != ZYDIS_MNEMONIC_INVALID) t.add(e.legacy, e.forms.legacy);
    if (e.vex != ZYDIS_MNEMONIC_INVALID) t.add(e.vex, e.forms.vex);
  }
}

}  // namespace nv
