// AVX data movement (SDM Vol. 1 ch. 14, Vol. 2 per instruction): the VEX
// moves between YMM/XMM registers and memory, scalar and half-register moves,
// broadcasts, 128-bit lane insert/extract/permute, VPERMILPS/PD, masked
// moves, VPTEST/VTESTPS/VTESTPD and VZEROUPPER/VZEROALL, and the SSE3
// duplicating moves and SSE4.1 PTEST in both encodings. The VEX forms of the SSE/SSE2 arithmetic, logic,
// shuffles and unpacks are registered with their legacy forms
// (exec_sse_int.cpp, exec_sse_fp.cpp). A VEX.128 register destination has
// bits 255:128 zeroed (write_ymm, Vol. 2A §2.3.10.1).
#include "cpu/handler_table.h"
#include "cpu/simd_operands.h"

#include <algorithm>
#include <cstring>

namespace nv {

namespace {

// The width of a move: 32 when either operand is a YMM register or 32 bytes of memory.
unsigned move_width(const DecodedInsn& i) {
  return i.op[0].kind == OpKind::ymm || i.op[1].kind == OpKind::ymm ? 32 : 16;
}

// VMOVAPS/VMOVAPD/VMOVDQA/VMOVNTPS/VMOVNTPD/VMOVNTDQ/VMOVNTDQA: memory #GP(0)
// unless aligned to the operand size (16 or 32); VMOVUPS/VMOVUPD/VMOVDQU/VLDDQU any.
template <bool ALIGNED>
void vmov(Cpu& c, const DecodedInsn& i) {
  check_avx(c);
  const unsigned width = move_width(i);
  write_ymm(c, i, 0, read_ymm(c, i, 1, width, ALIGNED), width, ALIGNED);
}

// VMOVSS/VMOVSD (Vol. 2B): with three registers, dst = src1 with its low
// element from src2; a load zeroes the rest of the register; a store writes
// the element.
template <unsigned SIZE>
void vmov_scalar(Cpu& c, const DecodedInsn& i) {
  check_avx(c);
  if (i.op[2].kind == OpKind::xmm) {
    Ymm r = read_ymm(c, i, 1, 16, false);
    std::memcpy(r.lane[0].b, read_ymm(c, i, 2, 16, false).lane[0].b, SIZE);
    return write_ymm(c, i, 0, r, 16, false);
  }
  Ymm v = read_ymm(c, i, 1, SIZE, false);
  if (i.op[0].kind == OpKind::mem) return write_ymm(c, i, 0, v, SIZE, false);
  Ymm r;
  std::memcpy(r.lane[0].b, v.lane[0].b, SIZE);
  write_ymm(c, i, 0, r, 16, false);
}

// VMOVD/VMOVQ (Vol. 2B MOVD/MOVQ): an XMM destination gets the value
// zero-extended to 256 bits; a GPR or memory destination the low element.
void vmovdq(Cpu& c, const DecodedInsn& i) {
  check_avx(c);
  const Operand& d = i.op[0];
  const Operand& s = i.op[1];
  const unsigned size = std::min(8u, unsigned{d.kind == OpKind::xmm ? s.size : d.size});
  if (d.kind != OpKind::xmm) return c.write_op(i, 0, c.state().xmm[s.reg][0] & size_mask(size));
  Ymm r;
  r.lane[0].set<uint64_t>(0, (s.kind == OpKind::xmm ? c.state().xmm[s.reg][0] : c.read_op(i, 1)) & size_mask(size));
  write_ymm(c, i, 0, r, 16, false);
}

// VMOVLPS/VMOVLPD/VMOVHPS/VMOVHPD xmm1, xmm2, m64 (quadword DST of src1
// replaced from memory), their stores m64, xmm (quadword SRC), and
// VMOVHLPS/VMOVLHPS xmm1, xmm2, xmm3 (quadword DST of src1 replaced by
// quadword SRC of src2).
template <unsigned DST, unsigned SRC>
void vmov_half(Cpu& c, const DecodedInsn& i) {
  check_avx(c);
  if (i.op[0].kind == OpKind::mem) {
    Ymm v;
    v.lane[0].set<uint64_t>(0, read_ymm(c, i, 1, 16, false).lane[0].q(SRC));
    return write_ymm(c, i, 0, v, 8, false);
  }
  Ymm src2 = read_ymm(c, i, 2, 8, false);
  Ymm r = read_ymm(c, i, 1, 16, false);
  r.lane[0].set<uint64_t>(DST, src2.lane[0].q(i.op[2].kind == OpKind::xmm ? SRC : 0));
  write_ymm(c, i, 0, r, 16, false);
}

// VMOVMSKPS/VMOVMSKPD r32, xmm/ymm: the sign bits of the elements.
template <class T>
void vmovmsk(Cpu& c, const DecodedInsn& i) {
  check_avx(c);
  const unsigned width = i.op[1].kind == OpKind::ymm ? 32 : 16;
  Ymm v = read_ymm(c, i, 1, width, false);
  uint32_t mask = 0;
  constexpr unsigned n = 16 / sizeof(T);
  for (unsigned k = 0; k < width / sizeof(T); ++k)
    mask |= static_cast<uint32_t>(v.lane[k / n].get<T>(k % n) >> (8 * sizeof(T) - 1)) << k;
  c.set_reg(i.op[0].reg, i.op[0].size, mask);
}

// VBROADCASTSS/VBROADCASTSD/VBROADCASTF128: a SIZE-byte memory element copied
// to every element of the destination. The register-source forms are AVX2 (#UD).
template <unsigned SIZE>
void vbroadcast(Cpu& c, const DecodedInsn& i) {
  check_avx(c);
  if (i.op[1].kind != OpKind::mem) throw_fault(vec::kUD);
  const unsigned width = vex_width(i);
  Ymm v = read_ymm(c, i, 1, SIZE, false);
  Ymm r;
  for (unsigned k = 0; k < width / SIZE; ++k) std::memcpy(r.lane[k * SIZE / 16].b + (k * SIZE) % 16, v.lane[0].b, SIZE);
  write_ymm(c, i, 0, r, width, false);
}

// VINSERTF128 ymm1, ymm2, xmm3/m128, imm8: src1 with lane imm8[0] replaced.
void vinsertf128(Cpu& c, const DecodedInsn& i) {
  check_avx(c);
  Ymm src2 = read_ymm(c, i, 2, 16, false);
  Ymm r = read_ymm(c, i, 1, 32, false);
  r.lane[i.imm & 1] = src2.lane[0];
  write_ymm(c, i, 0, r, 32, false);
}

// VEXTRACTF128 xmm1/m128, ymm2, imm8: lane imm8[0] of the source.
void vextractf128(Cpu& c, const DecodedInsn& i) {
  check_avx(c);
  Ymm r;
  r.lane[0] = read_ymm(c, i, 1, 32, false).lane[i.imm & 1];
  write_ymm(c, i, 0, r, 16, false);
}

// VPERM2F128 ymm1, ymm2, ymm3/m256, imm8: each destination lane is the lane
// of {src1, src2} that imm8[1:0] (imm8[5:4] for the upper one) names, or zero
// when imm8[3] (imm8[7]) is set.
void vperm2f128(Cpu& c, const DecodedInsn& i) {
  check_avx(c);
  Ymm src2 = read_ymm(c, i, 2, 32, false);
  Ymm src1 = read_ymm(c, i, 1, 32, false);
  const Vec* lanes[4] = {&src1.lane[0], &src1.lane[1], &src2.lane[0], &src2.lane[1]};
  Ymm r;
  for (unsigned k = 0; k < 2; ++k) {
    unsigned ctl = static_cast<unsigned>(i.imm >> (4 * k));
    if (!(ctl & 8)) r.lane[k] = *lanes[ctl & 3];
  }
  write_ymm(c, i, 0, r, 32, false);
}

// VPERMILPS/VPERMILPD: each element picks an element of the same 128-bit lane
// of the source, by a control vector (dword bits 1:0, or qword bit 1) or by
// imm8 (two bits per dword, repeating per lane; one bit per qword).
template <class T>
void vpermil(Cpu& c, const DecodedInsn& i) {
  check_avx(c);
  const unsigned width = vex_width(i);
  constexpr unsigned n = 16 / sizeof(T);
  const bool by_imm = i.op[2].kind == OpKind::imm;
  Ymm ctl = by_imm ? Ymm{} : read_ymm(c, i, 2, width, false);
  Ymm src = read_ymm(c, i, 1, width, false);
  Ymm r;
  for (unsigned e = 0; e < width / sizeof(T); ++e) {
    unsigned lane = e / n, sel;
    if (by_imm) sel = n == 4 ? (i.imm >> (2 * (e % 4))) & 3 : (i.imm >> e) & 1;
    else sel = n == 4 ? ctl.lane[lane].get<uint32_t>(e % n) & 3 : (ctl.lane[lane].get<uint64_t>(e % n) >> 1) & 1;
    r.lane[lane].set<T>(e % n, src.lane[lane].get<T>(sel));
  }
  write_ymm(c, i, 0, r, width, false);
}

// (V)MOVSLDUP/(V)MOVSHDUP (the even or odd dwords of each lane, each twice)
// and (V)MOVDDUP (the low qword of each lane twice; its 128-bit form reads m64
// at any alignment, Vol. 2A §2.5 exception type 5; legacy MOVSxDUP m128 is
// type 4: 16-byte aligned).
template <unsigned FIRST, bool QWORDS, Enc E>
void vdup(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  const unsigned width = simd_width<E>(i);
  Ymm v = read_ymm(c, i, 1, QWORDS && width == 16 ? 8 : width, E == Enc::legacy && !QWORDS);
  Ymm r;
  for (unsigned lane = 0; lane < width / 16; ++lane)
    for (unsigned k = 0; k < 4; ++k) {
      unsigned from = QWORDS ? k % 2 : (k & ~1u) + FIRST;
      r.lane[lane].set<uint32_t>(k, v.lane[lane].get<uint32_t>(from));
    }
  write_dest<E>(c, i, r, width);
}

// (V)PTEST and VTESTPS/VTESTPD (Vol. 2B PTEST, Vol. 2C VTESTPD/VTESTPS): ZF
// when src AND dst is zero, CF when src AND NOT dst is zero, over every bit or
// only the element sign bits; AF, OF, PF and SF cleared. Legacy PTEST m128 is
// exception type 4 (Vol. 2A §2.5): 16-byte aligned.
template <uint64_t MASK, Enc E = Enc::vex>
void vtest(Cpu& c, const DecodedInsn& i) {
  check_simd<E>(c);
  const unsigned width = simd_width<E>(i);
  Ymm src = read_ymm(c, i, 1, width, E == Enc::legacy);
  Ymm dst = read_ymm(c, i, 0, width, false);
  uint64_t and_ = 0, andn = 0;
  for (unsigned k = 0; k < width / 8; ++k) {
    uint64_t s = src.lane[k / 2].q(k % 2), d = dst.lane[k / 2].q(k % 2);
    and_ |= s & d & MASK;
    andn |= s & ~d & MASK;
  }
  c.set_arith_flags(rflags::kArith, (and_ ? 0 : rflags::kZF) | (andn ? 0 : rflags::kCF));
}

// VMASKMOVPS/VMASKMOVPD (Vol. 2C): only the elements whose mask (VEX.vvvv)
// sign bit is set are loaded (the others are zero) or stored, and only their
// accesses can fault; a store checks every such element before writing any.
template <class T>
void vmaskmov(Cpu& c, const DecodedInsn& i) {
  check_avx(c);
  const bool store = i.op[0].kind == OpKind::mem;
  const unsigned width = store ? (i.op[2].kind == OpKind::ymm ? 32 : 16) : vex_width(i);
  constexpr unsigned n = 16 / sizeof(T);
  Ymm mask = read_ymm(c, i, 1, width, false);
  const uint64_t ea = c.effective_address(i);
  AccessType a = c.data_access(store ? AccessKind::write : AccessKind::read);
  auto selected = [&](unsigned e) { return mask.lane[e / n].get<T>(e % n) >> (8 * sizeof(T) - 1); };
  uint64_t lin[8];
  for (unsigned e = 0; e < width / sizeof(T); ++e) {
    if (!selected(e)) continue;
    lin[e] = c.linear(i.seg, (ea + e * sizeof(T)) & size_mask(i.asize), sizeof(T), store);
    c.translate(lin[e], a);
  }
  if (store) {
    Ymm data = read_ymm(c, i, 2, width, false);
    for (unsigned e = 0; e < width / sizeof(T); ++e)
      if (selected(e)) c.write_linear(lin[e], sizeof(T), data.lane[e / n].get<T>(e % n), a);
    return;
  }
  Ymm r;
  for (unsigned e = 0; e < width / sizeof(T); ++e)
    if (selected(e)) r.lane[e / n].set<T>(e % n, static_cast<T>(c.read_linear(lin[e], sizeof(T), a)));
  write_ymm(c, i, 0, r, width, false);
}

// VZEROUPPER zeroes bits 255:128 of YMM0-15, VZEROALL the whole registers;
// outside 64-bit mode only YMM0-7 (Vol. 2C VZEROUPPER, VZEROALL).
template <bool ALL>
void vzero(Cpu& c, const DecodedInsn&) {
  check_avx(c);
  VcpuState& s = c.state();
  const unsigned count = s.mode == CpuMode::long64 ? 16 : 8;
  std::memset(s.ymm_hi, 0, 16 * count);
  if (ALL) std::memset(s.xmm, 0, 16 * count);
}

}  // namespace

void add_avx_handlers(HandlerTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_VMOVAPS, ZYDIS_MNEMONIC_VMOVAPD, ZYDIS_MNEMONIC_VMOVDQA,
                          ZYDIS_MNEMONIC_VMOVNTPS, ZYDIS_MNEMONIC_VMOVNTPD, ZYDIS_MNEMONIC_VMOVNTDQ,
                          ZYDIS_MNEMONIC_VMOVNTDQA})
    t.add(m, vmov<true>);
  for (ZydisMnemonic m :
       {ZYDIS_MNEMONIC_VMOVUPS, ZYDIS_MNEMONIC_VMOVUPD, ZYDIS_MNEMONIC_VMOVDQU, ZYDIS_MNEMONIC_VLDDQU})
    t.add(m, vmov<false>);
  t.add(ZYDIS_MNEMONIC_VMOVSS, vmov_scalar<4>);
  t.add(ZYDIS_MNEMONIC_VMOVSD, vmov_scalar<8>);
  t.add(ZYDIS_MNEMONIC_VMOVD, vmovdq);
  t.add(ZYDIS_MNEMONIC_VMOVQ, vmovdq);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_VMOVLPS, ZYDIS_MNEMONIC_VMOVLPD}) t.add(m, vmov_half<0, 0>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_VMOVHPS, ZYDIS_MNEMONIC_VMOVHPD}) t.add(m, vmov_half<1, 1>);
  t.add(ZYDIS_MNEMONIC_VMOVHLPS, vmov_half<0, 1>);
  t.add(ZYDIS_MNEMONIC_VMOVLHPS, vmov_half<1, 0>);
  t.add(ZYDIS_MNEMONIC_VMOVMSKPS, vmovmsk<uint32_t>);
  t.add(ZYDIS_MNEMONIC_VMOVMSKPD, vmovmsk<uint64_t>);
  t.add(ZYDIS_MNEMONIC_VBROADCASTSS, vbroadcast<4>);
  t.add(ZYDIS_MNEMONIC_VBROADCASTSD, vbroadcast<8>);
  t.add(ZYDIS_MNEMONIC_VBROADCASTF128, vbroadcast<16>);
  t.add(ZYDIS_MNEMONIC_VINSERTF128, vinsertf128);
  t.add(ZYDIS_MNEMONIC_VEXTRACTF128, vextractf128);
  t.add(ZYDIS_MNEMONIC_VPERM2F128, vperm2f128);
  t.add(ZYDIS_MNEMONIC_VPERMILPS, vpermil<uint32_t>);
  t.add(ZYDIS_MNEMONIC_VPERMILPD, vpermil<uint64_t>);
  t.add(ZYDIS_MNEMONIC_VMOVSLDUP, vdup<0, false, Enc::vex>);
  t.add(ZYDIS_MNEMONIC_VMOVSHDUP, vdup<1, false, Enc::vex>);
  t.add(ZYDIS_MNEMONIC_VMOVDDUP, vdup<0, true, Enc::vex>);
  t.add(ZYDIS_MNEMONIC_MOVSLDUP, vdup<0, false, Enc::legacy>);
  t.add(ZYDIS_MNEMONIC_MOVSHDUP, vdup<1, false, Enc::legacy>);
  t.add(ZYDIS_MNEMONIC_MOVDDUP, vdup<0, true, Enc::legacy>);
  t.add(ZYDIS_MNEMONIC_VPTEST, vtest<~0ull>);
  t.add(ZYDIS_MNEMONIC_PTEST, vtest<~0ull, Enc::legacy>);
  t.add(ZYDIS_MNEMONIC_VTESTPS, vtest<0x8000'0000'8000'0000ull>);
  t.add(ZYDIS_MNEMONIC_VTESTPD, vtest<0x8000'0000'0000'0000ull>);
  t.add(ZYDIS_MNEMONIC_VMASKMOVPS, vmaskmov<uint32_t>);
  t.add(ZYDIS_MNEMONIC_VMASKMOVPD, vmaskmov<uint64_t>);
  t.add(ZYDIS_MNEMONIC_VZEROUPPER, vzero<false>);
  t.add(ZYDIS_MNEMONIC_VZEROALL, vzero<true>);
}

}  // namespace nv
