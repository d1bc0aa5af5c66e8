#include "cpu/simd_operands.h"

namespace nv {

uint64_t simd_operand_linear(Cpu& c, const DecodedInsn& i, unsigned size, bool write, bool aligned) {
  uint64_t lin = c.linear(i.seg, c.effective_address(i), size, write);
  if (aligned && (lin & 15)) throw_fault(vec::kGP, 0);
  return lin;
}

Vec read_vec(Cpu& c, const DecodedInsn& i, unsigned n, unsigned bytes, bool aligned) {
  const Operand& o = i.op[n];
  Vec v;
  VcpuState& s = c.state();
  if (o.kind == OpKind::xmm) {
    std::memcpy(v.b, s.xmm[o.reg], 16);
  } else if (o.kind == OpKind::mmx) {
    v.set<uint64_t>(0, read_mmx(s, o.reg));
  } else {
    uint64_t lin = simd_operand_linear(c, i, bytes, false, aligned);
    AccessType a = c.data_access(AccessKind::read);
    if (bytes == 16) {
      v.set<uint64_t>(0, c.read_linear(lin, 8, a));
      v.set<uint64_t>(1, c.read_linear(lin + 8, 8, a));
    } else {
      v.set<uint64_t>(0, c.read_linear(lin, bytes, a));
    }
  }
  return v;
}

void write_vec(Cpu& c, const DecodedInsn& i, unsigned n, const Vec& v, unsigned bytes, bool aligned) {
  const Operand& o = i.op[n];
  VcpuState& s = c.state();
  if (o.kind == OpKind::xmm) {
    std::memcpy(s.xmm[o.reg], v.b, 16);
    return;
  }
  if (o.kind == OpKind::mmx) {
    write_mmx(s, o.reg, v.q(0));
    return;
  }
  uint64_t lin = simd_operand_linear(c, i, bytes, true, aligned);
  AccessType a = c.data_access(AccessKind::write);
  if (bytes == 16) {
    c.translate(lin + 8, a);  // both halves writable before either is stored
    c.write_linear(lin, 8, v.q(0), a);
    c.write_linear(lin + 8, 8, v.q(1), a);
  } else {
    c.write_linear(lin, bytes, v.q(0) & size_mask(bytes), a);
  }
}

Ymm read_ymm(Cpu& c, const DecodedInsn& i, unsigned n, unsigned bytes, bool aligned) {
  const Operand& o = i.op[n];
  Ymm v;
  VcpuState& s = c.state();
  if (o.kind == OpKind::ymm || o.kind == OpKind::xmm) {
    std::memcpy(v.lane[0].b, s.xmm[o.reg], 16);
    if (o.kind == OpKind::ymm) std::memcpy(v.lane[1].b, s.ymm_hi[o.reg], 16);
    return v;
  }
  if (bytes <= 16) {
    v.lane[0] = read_vec(c, i, n, bytes, aligned);
    return v;
  }
  uint64_t lin = simd_operand_linear(c, i, bytes, false, false);
  if (aligned && (lin & (bytes - 1))) throw_fault(vec::kGP, 0);
  AccessType a = c.data_access(AccessKind::read);
  for (unsigned k = 0; k < 4; ++k) v.lane[k / 2].set<uint64_t>(k % 2, c.read_linear(lin + 8 * k, 8, a));
  return v;
}

void write_ymm(Cpu& c, const DecodedInsn& i, unsigned n, const Ymm& v, unsigned bytes, bool aligned) {
  const Operand& o = i.op[n];
  VcpuState& s = c.state();
  if (o.kind == OpKind::ymm || o.kind == OpKind::xmm) {
    std::memcpy(s.xmm[o.reg], v.lane[0].b, 16);
    if (o.kind == OpKind::ymm) std::memcpy(s.ymm_hi[o.reg], v.lane[1].b, 16);
    else std::memset(s.ymm_hi[o.reg], 0, 16);
    return;
  }
  if (bytes <= 16) return write_vec(c, i, n, v.lane[0], bytes, aligned);
  uint64_t lin = simd_operand_linear(c, i, bytes, true, false);
  if (aligned && (lin & (bytes - 1))) throw_fault(vec::kGP, 0);
  AccessType a = c.data_access(AccessKind::write);
  c.translate(lin + bytes - 8, a);  // 32 bytes span at most two pages: both writable before any store
  for (unsigned k = 0; k < 4; ++k) c.write_linear(lin + 8 * k, 8, v.lane[k / 2].q(k % 2), a);
}

}  // namespace nv
