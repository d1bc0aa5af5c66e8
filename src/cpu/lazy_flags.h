// Lazy arithmetic flags: ALU instructions record their operands and result
// (VcpuState::lazy); CF/PF/AF/ZF/SF/OF are derived only when read (Jcc,
// PUSHF, ADC, ...). Flag definitions: SDM Vol. 1 §3.4.3.1 and each
// instruction's "Flags Affected" in Vol. 2.
#pragma once

#include "cpu/vcpu_state.h"
#include "devices/device.h"  // size_mask

#include <bit>
#include <cstdint>

namespace nv {

constexpr uint64_t sign_bit(unsigned size) { return 1ull << (size * 8 - 1); }
constexpr int64_t sign_extend(uint64_t v, unsigned size) {
  unsigned shift = 64 - size * 8;
  return static_cast<int64_t>(v << shift) >> shift;
}

inline bool lazy_cf(const LazyFlags& f, uint32_t rflags) {
  uint64_t m = size_mask(f.size);
  switch (f.op) {
    case FlagOp::none:
    case FlagOp::inc:
    case FlagOp::dec:
      return rflags & rflags::kCF;
    case FlagOp::add:
      return (f.res & m) < (f.src1 & m);
    case FlagOp::adc:
      return f.carry_in ? (f.res & m) <= (f.src1 & m) : (f.res & m) < (f.src1 & m);
    case FlagOp::sub:
      return (f.src1 & m) < (f.src2 & m);
    case FlagOp::sbb:
      return f.carry_in ? (f.src1 & m) <= (f.src2 & m) : (f.src1 & m) < (f.src2 & m);
    case FlagOp::logic:
      return false;
    case FlagOp::shl: {
      // CF = last bit shifted out: bit (size*8 - count) of the source.
      unsigned bits = f.size * 8;
      return f.src2 <= bits && ((f.src1 >> (bits - f.src2)) & 1);
    }
    case FlagOp::shr:
      return f.src2 <= 64 && (((f.src1 & m) >> (f.src2 - 1)) & 1);
    case FlagOp::sar: {
      unsigned c = f.src2 > 63 ? 63 : static_cast<unsigned>(f.src2 - 1);
      return (sign_extend(f.src1 & m, f.size) >> c) & 1;
    }
  }
  return false;
}

inline bool lazy_zf(const LazyFlags& f, uint32_t rflags) {
  if (f.op == FlagOp::none) return rflags & rflags::kZF;
  return (f.res & size_mask(f.size)) == 0;
}

inline bool lazy_sf(const LazyFlags& f, uint32_t rflags) {
  if (f.op == FlagOp::none) return rflags & rflags::kSF;
  return f.res & sign_bit(f.size);
}

inline bool lazy_pf(const LazyFlags& f, uint32_t rflags) {
  if (f.op == FlagOp::none) return rflags & rflags::kPF;
  return !(std::popcount(static_cast<uint8_t>(f.res)) & 1);
}

inline bool lazy_af(const LazyFlags& f, uint32_t rflags) {
  switch (f.op) {
    case FlagOp::none:
      return rflags & rflags::kAF;
    case FlagOp::logic:
    case FlagOp::shl:
    case FlagOp::shr:
    case FlagOp::sar:
      return false;  // undefined for logic and shifts; Intel CPUs leave 0
    default:
      return (f.src1 ^ f.src2 ^ f.res) & 0x10;
  }
}

inline bool lazy_of(const LazyFlags& f, uint32_t rflags) {
  uint64_t sb = sign_bit(f.size);
  switch (f.op) {
    case FlagOp::none:
      return rflags & rflags::kOF;
    case FlagOp::add:
    case FlagOp::adc:
    case FlagOp::inc:
      return ((f.src1 ^ f.res) & (f.src2 ^ f.res)) & sb;
    case FlagOp::sub:
    case FlagOp::sbb:
    case FlagOp::dec:
      return ((f.src1 ^ f.src2) & (f.src1 ^ f.res)) & sb;
    case FlagOp::logic:
    case FlagOp::sar:
      return false;
    case FlagOp::shl:
      return ((f.res & sb) != 0) != lazy_cf(f, rflags);
    case FlagOp::shr:
      return f.src1 & sb;  // the source's sign (count 1)
  }
  return false;
}

// Full RFLAGS with the arithmetic bits computed.
inline uint32_t materialize_flags(const LazyFlags& f, uint32_t rflags) {
  if (f.op == FlagOp::none) return rflags;
  uint32_t r = rflags & ~rflags::kArith;
  if (lazy_cf(f, rflags)) r |= rflags::kCF;
  if (lazy_pf(f, rflags)) r |= rflags::kPF;
  if (lazy_af(f, rflags)) r |= rflags::kAF;
  if (lazy_zf(f, rflags)) r |= rflags::kZF;
  if (lazy_sf(f, rflags)) r |= rflags::kSF;
  if (lazy_of(f, rflags)) r |= rflags::kOF;
  return r;
}

// Condition codes tttn (SDM Vol. 2A Appendix B.1.4.7), 0 = O .. 15 = G.
[[gnu::always_inline]] inline bool eval_condition(unsigned cc, const LazyFlags& f, uint32_t rflags) {
  bool r;
  if (f.op == FlagOp::sub) {
    // After CMP/SUB the unsigned and signed orders of the operands are the
    // conditions B, Z, BE, L and LE (Vol. 1 Appendix B, Table B-1), with no
    // flag computed: the loop-closing Jcc of nearly every loop.
    const uint64_t m = size_mask(f.size);
    const uint64_t a = f.src1 & m, b = f.src2 & m;
    switch (cc >> 1) {
      case 1: return (a < b) != (cc & 1);
      case 2: return (a == b) != (cc & 1);
      case 3: return (a <= b) != (cc & 1);
      case 6: return (sign_extend(a, f.size) < sign_extend(b, f.size)) != (cc & 1);
      case 7: return (sign_extend(a, f.size) <= sign_extend(b, f.size)) != (cc & 1);
      default: break;
    }
  }
  switch (cc >> 1) {
    case 0: r = lazy_of(f, rflags); break;
    case 1: r = lazy_cf(f, rflags); break;
    case 2: r = lazy_zf(f, rflags); break;
    case 3: r = lazy_cf(f, rflags) || lazy_zf(f, rflags); break;
    case 4: r = lazy_sf(f, rflags); break;
    case 5: r = lazy_pf(f, rflags); break;
    case 6: r = lazy_sf(f, rflags) != lazy_of(f, rflags); break;
    default: r = lazy_zf(f, rflags) || (lazy_sf(f, rflags) != lazy_of(f, rflags)); break;
  }
  return (cc & 1) ? !r : r;
}

}  // namespace nv
