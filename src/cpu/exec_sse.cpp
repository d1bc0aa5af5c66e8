// SSE data movement: XMM register and memory moves, MOVD/MOVQ (also MMX),
// scalar and half-register moves, sign masks, MXCSR (also VLDMXCSR/VSTMXCSR)
// and FXSAVE/FXRSTOR. The VEX moves are in exec_avx.cpp.
// Packed integer and logic: exec_sse_int.cpp; floating point: exec_sse_fp.cpp.
#include "cpu/cpu.h"
#include "cpu/handler_table.h"
#include "cpu/legacy_fp_area.h"
#include "cpu/simd_operands.h"

#include <cstring>

namespace nv {

namespace {

// MOVAPS/MOVAPD/MOVDQA/MOVNT* and SSE4.1 MOVNTDQA (aligned: exception type
// 1, Vol. 2A §2.5), and MOVUPS/MOVUPD/MOVDQU and SSE3 LDDQU (any alignment,
// Vol. 2A LDDQU).
template <bool ALIGNED>
void mov128(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  write_vec(c, i, 0, read_vec(c, i, 1, 16, ALIGNED), 16, ALIGNED);
}

// MOVD/MOVQ/MOVNTQ between MMX registers and GPR/memory/MMX.
void movdq_mmx(Cpu& c, const DecodedInsn& i) {
  check_mmx(c);
  VcpuState& st = c.state();
  const Operand& d = i.op[0];
  const Operand& s = i.op[1];
  uint64_t v = s.kind == OpKind::mmx ? read_mmx(st, s.reg) : c.read_op(i, 1);
  enter_mmx_state(st);
  if (d.kind == OpKind::mmx) write_mmx(st, d.reg, v & size_mask(s.size > 8 ? 8 : s.size));
  else c.write_op(i, 0, v & size_mask(d.size));
}

// MOVD/MOVQ between XMM and GPR/memory, and MOVQ xmm, xmm/m64: a write to an
// XMM register zeroes the bits above the operand (Vol. 2B MOVD/MOVQ).
void movdq(Cpu& c, const DecodedInsn& i) {
  if (i.op[0].kind == OpKind::mmx || i.op[1].kind == OpKind::mmx) return movdq_mmx(c, i);
  check_sse(c);
  const Operand& d = i.op[0];
  const Operand& s = i.op[1];
  unsigned size = d.kind == OpKind::xmm ? s.size : d.size;
  if (size > 8) size = 8;
  if (d.kind == OpKind::xmm) {
    uint64_t v = s.kind == OpKind::xmm ? c.state().xmm[s.reg][0] : c.read_op(i, 1);
    c.state().xmm[d.reg][0] = v & size_mask(size);
    c.state().xmm[d.reg][1] = 0;
  } else {
    c.write_op(i, 0, c.state().xmm[s.reg][0] & size_mask(size));
  }
}

// MOVSS/MOVSD (Vol. 2B): register to register merges the low element; a load
// from memory zeroes the rest of the register; a store writes the element.
template <unsigned SIZE>
void mov_scalar(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  Vec src = read_vec(c, i, 1, SIZE, false);
  if (i.op[0].kind != OpKind::xmm) return write_vec(c, i, 0, src, SIZE, false);
  Vec dst = i.op[1].kind == OpKind::xmm ? read_vec(c, i, 0, 16, false) : Vec{};
  std::memcpy(dst.b, src.b, SIZE);
  write_vec(c, i, 0, dst, 16, false);
}

// MOVLPS/MOVLPD/MOVHPS/MOVHPD (one quadword to or from memory, the other kept),
// MOVHLPS and MOVLHPS (register forms of MOVLPS/MOVHPS): quadword `DST` of the
// destination gets quadword `SRC` of the source (Vol. 2B).
template <unsigned DST, unsigned SRC>
void mov_half(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  Vec src = read_vec(c, i, 1, 8, false);
  if (i.op[0].kind != OpKind::xmm) {
    Vec out;
    out.set<uint64_t>(0, src.q(SRC));
    return write_vec(c, i, 0, out, 8, false);
  }
  Vec dst = read_vec(c, i, 0, 16, false);
  dst.set<uint64_t>(DST, src.q(i.op[1].kind == OpKind::xmm ? SRC : 0));
  write_vec(c, i, 0, dst, 16, false);
}

// MOVQ2DQ xmm, mm and MOVDQ2Q mm, xmm (Vol. 2B): both enter MMX state.
void movq2dq(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  check_pending_x87(c);
  VcpuState& s = c.state();
  enter_mmx_state(s);
  if (i.op[0].kind == OpKind::xmm) {
    s.xmm[i.op[0].reg][0] = read_mmx(s, i.op[1].reg);
    s.xmm[i.op[0].reg][1] = 0;
  } else {
    write_mmx(s, i.op[0].reg, s.xmm[i.op[1].reg][0]);
  }
}

// MOVMSKPS/MOVMSKPD r32, xmm: the sign bits of the elements (Vol. 2B).
template <class T>
void movmsk(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  Vec v = read_vec(c, i, 1, 16, false);
  uint32_t mask = 0;
  for (unsigned k = 0; k < 16 / sizeof(T); ++k) mask |= static_cast<uint32_t>(v.get<T>(k) >> (8 * sizeof(T) - 1)) << k;
  c.set_reg(i.op[0].reg, i.op[0].size, mask);
}

// LDMXCSR/STMXCSR and VLDMXCSR/VSTMXCSR: reserved MXCSR bits (31:16, and DAZ
// without support) #GP.
template <Enc E>
void ldmxcsr(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  uint32_t v = static_cast<uint32_t>(c.read_op(i, 0));
  if (v & ~kMxcsrMask) throw_fault(vec::kGP, 0);
  c.state().mxcsr = v;
}
template <Enc E>
void stmxcsr(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  c.write_op(i, 0, c.state().mxcsr);
}

// FXSAVE/FXRSTOR (Vol. 1 §10.5.1, Table 10-2): 512 bytes, 16-byte aligned.
void fxsave(Cpu& c, const DecodedInsn& i) {
  check_x87_nowait(c);
  uint64_t lin = simd_operand_linear(c, i, kLegacyAreaSize, true, true);
  uint8_t img[kLegacyAreaSize] = {};
  store_x87(c.state(), img);
  store_sse(c.state(), img);
  write_linear_area(c, lin, img, kLegacyAreaSize);
}
void fxrstor(Cpu& c, const DecodedInsn& i) {
  check_x87_nowait(c);
  uint64_t lin = simd_operand_linear(c, i, kLegacyAreaSize, false, true);
  uint8_t img[kLegacyAreaSize];
  read_linear_area(c, lin, img, kLegacyAreaSize);
  uint32_t mxcsr = area_mxcsr(img);
  if (mxcsr & ~kMxcsrMask) throw_fault(vec::kGP, 0);
  load_x87(c.state(), img);
  load_xmm(c.state(), img);
  c.state().mxcsr = mxcsr;
}

// MOVNTI m, r: a plain store.
void movnti(Cpu& c, const DecodedInsn& i) { c.write_op(i, 0, c.read_op(i, 1)); }

}  // namespace

void add_sse_handlers(HandlerTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVAPS, ZYDIS_MNEMONIC_MOVAPD, ZYDIS_MNEMONIC_MOVDQA, ZYDIS_MNEMONIC_MOVNTPS,
                          ZYDIS_MNEMONIC_MOVNTPD, ZYDIS_MNEMONIC_MOVNTDQ, ZYDIS_MNEMONIC_MOVNTDQA})
    t.add(m, mov128<true>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVUPS, ZYDIS_MNEMONIC_MOVUPD, ZYDIS_MNEMONIC_MOVDQU, ZYDIS_MNEMONIC_LDDQU})
    t.add(m, mov128<false>);
  t.add(ZYDIS_MNEMONIC_MOVD, movdq);
  t.add(ZYDIS_MNEMONIC_MOVQ, movdq);
  t.add(ZYDIS_MNEMONIC_MOVNTQ, movdq_mmx);
  t.add(ZYDIS_MNEMONIC_MOVSS, mov_scalar<4>);
  t.add_simd(ZYDIS_MNEMONIC_MOVSD, mov_scalar<8>);  // shares its mnemonic with the string MOVSD
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVLPS, ZYDIS_MNEMONIC_MOVLPD}) t.add(m, mov_half<0, 0>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVHPS, ZYDIS_MNEMONIC_MOVHPD}) t.add(m, mov_half<1, 1>);
  t.add(ZYDIS_MNEMONIC_MOVHLPS, mov_half<0, 1>);
  t.add(ZYDIS_MNEMONIC_MOVLHPS, mov_half<1, 0>);
  t.add(ZYDIS_MNEMONIC_MOVQ2DQ, movq2dq);
  t.add(ZYDIS_MNEMONIC_MOVDQ2Q, movq2dq);
  t.add(ZYDIS_MNEMONIC_MOVMSKPS, movmsk<uint32_t>);
  t.add(ZYDIS_MNEMONIC_MOVMSKPD, movmsk<uint64_t>);
  t.add(ZYDIS_MNEMONIC_LDMXCSR, ldmxcsr<Enc::legacy>);
  t.add(ZYDIS_MNEMONIC_STMXCSR, stmxcsr<Enc::legacy>);
  t.add(ZYDIS_MNEMONIC_VLDMXCSR, ldmxcsr<Enc::vex>);
  t.add(ZYDIS_MNEMONIC_VSTMXCSR, stmxcsr<Enc::vex>);
  t.add(ZYDIS_MNEMONIC_FXSAVE, fxsave);
  t.add(ZYDIS_MNEMONIC_FXSAVE64, fxsave);
  t.add(ZYDIS_MNEMONIC_FXRSTOR, fxrstor);
  t.add(ZYDIS_MNEMONIC_FXRSTOR64, fxrstor);
  t.add(ZYDIS_MNEMONIC_MOVNTI, movnti);
}

}  // namespace nv
