// The x87 register stack over VcpuState (SDM Vol. 1 §8.1): st[] holds the
// physical registers R0-R7, FSW.TOP (bits 13:11) names the one that is ST(0),
// and the abridged tag word `ftw` has one bit per physical register (1 =
// holds a value). Values are 80-bit extended precision, the host's long double.
#pragma once

#include "cpu/vcpu_state.h"

#include <cstdint>
#include <cstring>

namespace nv::x87 {

// FSW bits (Vol. 1 §8.1.3, Figure 8-4).
inline constexpr uint16_t kIE = 1u << 0, kDE = 1u << 1, kZE = 1u << 2, kOE = 1u << 3, kUE = 1u << 4, kPE = 1u << 5;
inline constexpr uint16_t kSF = 1u << 6, kES = 1u << 7, kC0 = 1u << 8, kC1 = 1u << 9, kC2 = 1u << 10;
inline constexpr uint16_t kC3 = 1u << 14, kBusy = 1u << 15;
inline constexpr uint16_t kExceptions = 0x3f;
inline constexpr uint16_t kConditions = kC0 | kC1 | kC2 | kC3;

// The QNaN floating-point indefinite (Vol. 1 §4.8.3.7, Table 4-3).
inline long double indefinite() {
  long double v = 0;
  const uint8_t bits[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};
  std::memcpy(&v, bits, 10);
  return v;
}

inline unsigned top(const VcpuState& s) { return (s.fsw >> 11) & 7; }
inline void set_top(VcpuState& s, unsigned t) { s.fsw = static_cast<uint16_t>((s.fsw & ~0x3800) | ((t & 7) << 11)); }
inline unsigned phys(const VcpuState& s, unsigned i) { return (top(s) + i) & 7; }
inline bool empty(const VcpuState& s, unsigned i) { return !((s.ftw >> phys(s, i)) & 1); }

inline long double get(const VcpuState& s, unsigned i) {
  long double v = 0;
  std::memcpy(&v, s.st[phys(s, i)], 10);
  return v;
}
inline void set(VcpuState& s, unsigned i, long double v) {
  unsigned r = phys(s, i);
  std::memcpy(s.st[r], &v, 10);
  s.ftw |= static_cast<uint8_t>(1u << r);
}
inline void push(VcpuState& s, long double v) {
  set_top(s, top(s) - 1);
  set(s, 0, v);
}
inline void pop(VcpuState& s) {
  s.ftw &= static_cast<uint8_t>(~(1u << phys(s, 0)));
  set_top(s, top(s) + 1);
}

// The full tag of physical register r (Vol. 1 §8.1.7): 00 valid, 01 zero,
// 10 special (NaN, infinity, denormal, unsupported), 11 empty.
inline unsigned full_tag(const VcpuState& s, unsigned r) {
  if (!((s.ftw >> r) & 1)) return 3;
  uint64_t mant;
  uint16_t se;
  std::memcpy(&mant, s.st[r], 8);
  std::memcpy(&se, s.st[r] + 8, 2);
  unsigned exp = se & 0x7fff;
  if (exp == 0) return mant == 0 ? 1 : 2;
  if (exp == 0x7fff || !(mant >> 63)) return 2;
  return 0;
}

}  // namespace nv::x87
