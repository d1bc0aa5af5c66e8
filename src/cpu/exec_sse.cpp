// SSE data movement and logic on XMM registers, MXCSR, FXSAVE/FXRSTOR and
// the x87 control instructions that need no arithmetic (FNINIT, FNSTSW,
// FNSTCW, FLDCW, FWAIT). No SSE or x87 arithmetic yet: those raise #UD as
// unimplemented. CPUID does not offer sse/fxsr until the arithmetic exists.
#include "cpu/cpu.h"
#include "cpu/handler_table.h"
#include "cpu/legacy_fp_area.h"

#include <cstring>

namespace nv {

namespace {

constexpr uint64_t kCr0Mp = 1ull << 1, kCr0Em = 1ull << 2, kCr0Ts = 1ull << 3;
constexpr uint64_t kCr4OsFxsr = 1ull << 9;

// Vol. 1 §13.1.4 / Vol. 2 "SIMD Floating-Point Exceptions": SSE instructions
// #UD with CR0.EM = 1 or CR4.OSFXSR = 0, and #NM with CR0.TS = 1.
void check_sse(Cpu& c) {
  const VcpuState& s = c.state();
  if ((s.cr0 & kCr0Em) || !(s.cr4 & kCr4OsFxsr)) throw_fault(vec::kUD);
  if (s.cr0 & kCr0Ts) throw_fault(vec::kNM);
}
// x87 instructions: #NM with CR0.EM or CR0.TS (Vol. 3A §2.5, Table 2-2).
void check_x87(Cpu& c) {
  if (c.state().cr0 & (kCr0Em | kCr0Ts)) throw_fault(vec::kNM);
}

struct V128 {
  uint64_t lo, hi;
};

// A 16-byte memory operand; `aligned` instructions #GP(0) on a misaligned
// address (Vol. 2 MOVAPS/MOVDQA).
uint64_t operand_linear(Cpu& c, const DecodedInsn& i, unsigned size, bool write, bool aligned) {
  uint64_t lin = c.linear(i.seg, c.effective_address(i), size, write);
  if (aligned && (lin & 15)) throw_fault(vec::kGP, 0);
  return lin;
}

V128 read128(Cpu& c, const DecodedInsn& i, unsigned n, bool aligned) {
  const Operand& o = i.op[n];
  if (o.kind == OpKind::xmm) return {c.state().xmm[o.reg][0], c.state().xmm[o.reg][1]};
  uint64_t lin = operand_linear(c, i, 16, false, aligned);
  AccessType a = c.data_access(AccessKind::read);
  return {c.read_linear(lin, 8, a), c.read_linear(lin + 8, 8, a)};
}

void write128(Cpu& c, const DecodedInsn& i, unsigned n, V128 v, bool aligned) {
  const Operand& o = i.op[n];
  if (o.kind == OpKind::xmm) {
    c.state().xmm[o.reg][0] = v.lo;
    c.state().xmm[o.reg][1] = v.hi;
    return;
  }
  uint64_t lin = operand_linear(c, i, 16, true, aligned);
  AccessType a = c.data_access(AccessKind::write);
  c.translate(lin + 8, a);  // both halves writable before either is stored
  c.write_linear(lin, 8, v.lo, a);
  c.write_linear(lin + 8, 8, v.hi, a);
}

// MOVAPS/MOVAPD/MOVDQA/MOVNT* (aligned) and MOVUPS/MOVUPD/MOVDQU.
template <bool ALIGNED>
void mov128(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  write128(c, i, 0, read128(c, i, 1, ALIGNED), ALIGNED);
}

// MMX registers are the low 64 bits of the x87 registers; an MMX write sets
// the exponent bits to all ones, TOP to 0 and every tag valid (Vol. 1 §9.5.1).
uint64_t read_mmx(Cpu& c, unsigned r) {
  uint64_t v;
  std::memcpy(&v, c.state().st[r], 8);
  return v;
}
void write_mmx(Cpu& c, unsigned r, uint64_t v) {
  VcpuState& s = c.state();
  std::memcpy(s.st[r], &v, 8);
  s.st[r][8] = s.st[r][9] = 0xff;
  s.fsw &= ~0x3800;
  s.ftw = 0xff;
}
// MMX instructions: #UD with CR0.EM, #NM with CR0.TS (Vol. 1 §9.6.2).
void check_mmx(Cpu& c) {
  if (c.state().cr0 & kCr0Em) throw_fault(vec::kUD);
  if (c.state().cr0 & kCr0Ts) throw_fault(vec::kNM);
}

// MOVD/MOVQ between MMX registers and GPR/memory/MMX.
void movdq_mmx(Cpu& c, const DecodedInsn& i) {
  check_mmx(c);
  const Operand& d = i.op[0];
  const Operand& s = i.op[1];
  if (d.kind == OpKind::mmx) {
    uint64_t v = s.kind == OpKind::mmx ? read_mmx(c, s.reg) : c.read_op(i, 1);
    write_mmx(c, d.reg, v & size_mask(s.size > 8 ? 8 : s.size));
  } else {
    uint64_t v = read_mmx(c, s.reg);
    write_mmx(c, s.reg, v);  // any MMX instruction enters MMX state
    c.write_op(i, 0, v & size_mask(d.size));
  }
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

enum class Logic { and_, andn, or_, xor_ };
template <Logic K>
void logic128(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  V128 a = read128(c, i, 0, true), b = read128(c, i, 1, true);
  auto op = [](uint64_t x, uint64_t y) {
    switch (K) {
      case Logic::and_: return x & y;
      case Logic::andn: return ~x & y;
      case Logic::or_: return x | y;
      default: return x ^ y;
    }
  };
  write128(c, i, 0, {op(a.lo, b.lo), op(a.hi, b.hi)}, true);
}

// LDMXCSR/STMXCSR: reserved MXCSR bits (31:16, and DAZ without support) #GP.
void ldmxcsr(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  uint32_t v = static_cast<uint32_t>(c.read_op(i, 0));
  if (v & ~kMxcsrMask) throw_fault(vec::kGP, 0);
  c.state().mxcsr = v;
}
void stmxcsr(Cpu& c, const DecodedInsn& i) {
  check_sse(c);
  c.write_op(i, 0, c.state().mxcsr);
}

// FXSAVE/FXRSTOR (Vol. 1 §10.5.1, Table 10-2): 512 bytes, 16-byte aligned.
void fxsave(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  uint64_t lin = operand_linear(c, i, kLegacyAreaSize, true, true);
  uint8_t img[kLegacyAreaSize] = {};
  store_x87(c.state(), img);
  store_sse(c.state(), img);
  write_linear_area(c, lin, img, kLegacyAreaSize);
}
void fxrstor(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  uint64_t lin = operand_linear(c, i, kLegacyAreaSize, false, true);
  uint8_t img[kLegacyAreaSize];
  read_linear_area(c, lin, img, kLegacyAreaSize);
  uint32_t mxcsr = area_mxcsr(img);
  if (mxcsr & ~kMxcsrMask) throw_fault(vec::kGP, 0);
  load_x87(c.state(), img);
  load_xmm(c.state(), img);
  c.state().mxcsr = mxcsr;
}

// FNINIT (Vol. 2A FINIT/FNINIT): FCW = 37Fh, FSW = 0, all registers empty.
void fninit(Cpu& c, const DecodedInsn&) {
  check_x87(c);
  c.state().fcw = 0x37f;
  c.state().fsw = 0;
  c.state().ftw = 0;
}
void fnstsw(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  c.write_op(i, 0, c.state().fsw);
}
void fnstcw(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  c.write_op(i, 0, c.state().fcw);
}
void fldcw(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  c.state().fcw = static_cast<uint16_t>(c.read_op(i, 0));
}
// WAIT/FWAIT: #NM only when both CR0.MP and CR0.TS are set (Vol. 3A Table 2-2).
void fwait(Cpu& c, const DecodedInsn&) {
  if ((c.state().cr0 & (kCr0Mp | kCr0Ts)) == (kCr0Mp | kCr0Ts)) throw_fault(vec::kNM);
}
void emms(Cpu& c, const DecodedInsn&) {
  check_x87(c);
  c.state().ftw = 0;
}

// MOVNTI m, r: a plain store.
void movnti(Cpu& c, const DecodedInsn& i) { c.write_op(i, 0, c.read_op(i, 1)); }

}  // namespace

void add_sse_handlers(HandlerTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVAPS, ZYDIS_MNEMONIC_MOVAPD, ZYDIS_MNEMONIC_MOVDQA, ZYDIS_MNEMONIC_MOVNTPS,
                          ZYDIS_MNEMONIC_MOVNTPD, ZYDIS_MNEMONIC_MOVNTDQ})
    t.add(m, mov128<true>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVUPS, ZYDIS_MNEMONIC_MOVUPD, ZYDIS_MNEMONIC_MOVDQU})
    t.add(m, mov128<false>);
  t.add(ZYDIS_MNEMONIC_MOVD, movdq);
  t.add(ZYDIS_MNEMONIC_MOVQ, movdq);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_PAND, ZYDIS_MNEMONIC_ANDPS, ZYDIS_MNEMONIC_ANDPD}) t.add(m, logic128<Logic::and_>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_PANDN, ZYDIS_MNEMONIC_ANDNPS, ZYDIS_MNEMONIC_ANDNPD})
    t.add(m, logic128<Logic::andn>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_POR, ZYDIS_MNEMONIC_ORPS, ZYDIS_MNEMONIC_ORPD}) t.add(m, logic128<Logic::or_>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_PXOR, ZYDIS_MNEMONIC_XORPS, ZYDIS_MNEMONIC_XORPD}) t.add(m, logic128<Logic::xor_>);
  t.add(ZYDIS_MNEMONIC_LDMXCSR, ldmxcsr);
  t.add(ZYDIS_MNEMONIC_STMXCSR, stmxcsr);
  t.add(ZYDIS_MNEMONIC_FXSAVE, fxsave);
  t.add(ZYDIS_MNEMONIC_FXSAVE64, fxsave);
  t.add(ZYDIS_MNEMONIC_FXRSTOR, fxrstor);
  t.add(ZYDIS_MNEMONIC_FXRSTOR64, fxrstor);
  t.add(ZYDIS_MNEMONIC_FNINIT, fninit);
  t.add(ZYDIS_MNEMONIC_FNSTSW, fnstsw);
  t.add(ZYDIS_MNEMONIC_FNSTCW, fnstcw);
  t.add(ZYDIS_MNEMONIC_FLDCW, fldcw);
  t.add(ZYDIS_MNEMONIC_FWAIT, fwait);
  t.add(ZYDIS_MNEMONIC_EMMS, emms);
  t.add(ZYDIS_MNEMONIC_MOVNTI, movnti);
}

}  // namespace nv
