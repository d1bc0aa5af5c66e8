// x87 arithmetic (SDM Vol. 1 ch. 8, Vol. 2 per instruction): loads and stores
// of m32/m64/m80, integers and packed BCD, constants, FADD/FSUB/FSUBR/FMUL/
// FDIV/FDIVR in every form, compares (FCOM/FUCOM/FICOM/FCOMI/FUCOMI/FTST/
// FXAM), FCHS/FABS, FSQRT/FRNDINT/FSCALE/FPREM/FPREM1/FXTRACT, the
// transcendental instructions (F2XM1, FSIN, FCOS, FSINCOS, FPTAN, FPATAN,
// FYL2X, FYL2XP1), FXCH and FCMOVcc.
// The register stack and its faults are kept here (x87_state.h); the
// arithmetic runs on the host x87 unit under the guest's control word
// (x87_host.h). Stack overflow/underflow is #IS: IE and SF with C1 = 1/0 and,
// when masked, the QNaN indefinite as the result (Vol. 1 §8.5.1.1).
#include "cpu/handler_table.h"
#include "cpu/simd_operands.h"
#include "cpu/x87_host.h"
#include "cpu/x87_state.h"

namespace nv {

namespace {

using namespace x87;

// Records the status of a host operation: sticky exception flags, the
// condition bits in `conds` as the host set them (only C1/C2 when an unmasked
// pre-computation exception stopped the operation), ES/B for an unmasked
// exception. False when the destination must stay unchanged: an unmasked
// invalid/denormal/divide-by-zero condition, or an unmasked overflow or
// underflow with a memory destination (Vol. 1 §8.5, §4.9.2).
bool take(VcpuState& s, uint16_t host_sw, uint16_t conds, bool memory_dest) {
  uint16_t raised = host_sw & kExceptions;
  uint16_t unmasked = raised & ~s.fcw & kExceptions;
  if (unmasked & (kIE | kDE | kZE)) conds &= kC1 | kC2;  // stopped before computing: C1/C2 cleared
  s.fsw = static_cast<uint16_t>((s.fsw & ~conds) | (host_sw & conds) | raised);
  if (!unmasked) return true;
  s.fsw |= kES | kBusy;
  if (unmasked & (kIE | kDE | kZE)) return false;
  return !memory_dest || !(unmasked & (kOE | kUE));
}

// #IS (Vol. 1 §8.5.1.1): true when masked, so the masked response follows.
bool stack_fault(VcpuState& s, bool overflow) {
  s.fsw = static_cast<uint16_t>((s.fsw & ~kC1) | (overflow ? kC1 : 0) | kIE | kSF);
  if (s.fcw & kIE) return true;
  s.fsw |= kES | kBusy;
  return false;
}

// A push onto a full stack: #IS overflow, and the indefinite pushed when
// masked. True when the stack was full.
bool push_overflows(VcpuState& s) {
  if (empty(s, 7)) return false;
  if (stack_fault(s, true)) push(s, indefinite());
  return true;
}
// Pushes v (C1 = 0), or takes the overflow.
void push_checked(VcpuState& s, long double v) {
  if (push_overflows(s)) return;
  s.fsw &= ~kC1;
  push(s, v);
}

// ST(i), or the indefinite after a masked underflow; false when unmasked.
bool read_st(VcpuState& s, unsigned i, long double& v) {
  if (!empty(s, i)) {
    v = get(s, i);
    return true;
  }
  if (!stack_fault(s, false)) return false;
  v = indefinite();
  return true;
}

// An 80-bit memory operand.
long double read_m80(Cpu& c, const DecodedInsn& i) {
  uint64_t lin = c.linear(i.seg, c.effective_address(i), 10, false);
  AccessType a = c.data_access(AccessKind::read);
  uint64_t mant = c.read_linear(lin, 8, a);
  uint16_t se = static_cast<uint16_t>(c.read_linear(lin + 8, 2, a));
  long double v = 0;
  std::memcpy(&v, &mant, 8);
  std::memcpy(reinterpret_cast<uint8_t*>(&v) + 8, &se, 2);
  return v;
}
// Checks the memory operand is writable (both ends) before any state changes.
uint64_t writable(Cpu& c, const DecodedInsn& i, unsigned size) {
  uint64_t lin = c.linear(i.seg, c.effective_address(i), size, true);
  AccessType a = c.data_access(AccessKind::write);
  c.translate(lin, a);
  c.translate(lin + size - 1, a);
  return lin;
}
void write_m80(Cpu& c, uint64_t lin, long double v) {
  AccessType a = c.data_access(AccessKind::write);
  uint64_t mant;
  uint16_t se;
  std::memcpy(&mant, &v, 8);
  std::memcpy(&se, reinterpret_cast<const uint8_t*>(&v) + 8, 2);
  c.write_linear(lin, 8, mant, a);
  c.write_linear(lin + 8, 2, se, a);
}

int64_t sign_extend(uint64_t v, unsigned size) {
  unsigned shift = 64 - 8 * size;
  return static_cast<int64_t>(v << shift) >> shift;
}

// ---- loads and stores ----

// FLD m32/m64/m80/ST(i), FILD m16/m32/m64 (Vol. 2A FLD, FILD). A full stack
// is checked before the operand is converted (no #D or #IA from it then).
template <bool INTEGER>
void fld(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  VcpuState& s = c.state();
  const Operand& o = i.op[0];
  long double v = 0;
  uint64_t raw = 0;
  if (o.kind == OpKind::mem) {
    if (o.size == 10) v = read_m80(c, i);
    else raw = c.read_op(i, 0);
  } else if (empty(s, o.reg)) {  // an empty source is found first; its masked response is pushed as is
    if (stack_fault(s, false)) push(s, indefinite());
    return;
  } else {
    v = get(s, o.reg);
  }
  if (push_overflows(s)) return;
  if (INTEGER) {
    v = static_cast<long double>(sign_extend(raw, o.size));
  } else if (o.kind == OpKind::mem && o.size != 10) {
    HostResult r = (o.size == 4 ? x87::load32 : x87::load64)(0, 0, raw, s.fcw);
    take(s, r.sw, kC1, false);
    if (r.sw & ~s.fcw & kIE) return;  // an unmasked #D still loads (as hardware does)
    v = r.r;
  }
  s.fsw &= ~kC1;
  push(s, v);
}

// FBLD m80bcd: the packed decimal pushed (Vol. 2A FBLD).
void fbld(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  VcpuState& s = c.state();
  long double bcd = read_m80(c, i);
  if (push_overflows(s)) return;
  HostResult r = x87::bld(bcd, 0, 0, s.fcw);
  take(s, r.sw, kC1, false);
  push(s, r.r);
}
// FBSTP m80bcd: ST(0) rounded to an 18-digit packed decimal, then pop;
// out of range or NaN: #IA and the packed BCD indefinite when masked.
void fbstp(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  VcpuState& s = c.state();
  uint64_t lin = writable(c, i, 10);
  long double v;
  if (!read_st(s, 0, v)) return;
  HostResult r = x87::bstp(v, 0, 0, s.fcw);
  if (!take(s, r.sw, kC1, true)) return;
  write_m80(c, lin, r.m80);
  pop(s);
}

// FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ: rounded per FCW.RC.
template <HostOp OP>
void fld_const(Cpu& c, const DecodedInsn&) {
  check_x87(c);
  VcpuState& s = c.state();
  push_checked(s, OP(0, 0, 0, s.fcw).r);
}

// FST/FSTP m32/m64/m80/ST(i) (Vol. 2A FST/FSTP).
template <bool POP>
void fst(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  VcpuState& s = c.state();
  const Operand& o = i.op[0];
  uint64_t lin = o.kind == OpKind::mem ? writable(c, i, o.size) : 0;
  long double v;
  if (!read_st(s, 0, v)) return;
  if (o.kind == OpKind::st) {
    s.fsw &= ~kC1;
    set(s, o.reg, v);
  } else if (o.size == 10) {
    s.fsw &= ~kC1;
    write_m80(c, lin, v);
  } else {
    HostResult r = (o.size == 4 ? x87::store32 : x87::store64)(v, 0, 0, s.fcw);
    if (!take(s, r.sw, kC1, true)) return;
    c.write_linear(lin, o.size, r.raw & size_mask(o.size), c.data_access(AccessKind::write));
  }
  if (POP) pop(s);
}

// FIST/FISTP (rounded per FCW.RC) and FISTTP (truncated) to m16/m32/m64; out
// of range or NaN: #IA, and the integer indefinite when masked.
template <HostOp OP16, HostOp OP32, HostOp OP64, bool POP>
void fist(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  VcpuState& s = c.state();
  unsigned size = i.op[0].size;
  uint64_t lin = writable(c, i, size);
  long double v;
  if (!read_st(s, 0, v)) return;
  HostResult r = (size == 2 ? OP16 : size == 4 ? OP32 : OP64)(v, 0, 0, s.fcw);
  if (!take(s, r.sw, kC1, true)) return;
  c.write_linear(lin, size, r.raw & size_mask(size), c.data_access(AccessKind::write));
  if (POP) pop(s);
}

// ---- arithmetic ----

// FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR and their P and I forms: dest = dest op
// source (REVERSE: source op dest) for ST(i) operands; with a memory source
// ST(0) = SMALL/LARGE(ST(0), memory), SMALL for m32fp/m16int, LARGE for
// m64fp/m32int; P pops afterwards.
template <HostOp REG, HostOp SMALL, HostOp LARGE, bool REVERSE, bool POP, bool INTEGER>
void farith(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  VcpuState& s = c.state();
  bool memory = i.op[0].kind == OpKind::mem;
  unsigned dst = memory ? 0 : i.op[0].reg, src = memory ? 0 : i.op[1].reg;
  uint64_t raw = memory ? c.read_op(i, 0) : 0;
  if (empty(s, dst) || empty(s, src)) {
    if (!stack_fault(s, false)) return;
    set(s, dst, indefinite());
    if (POP) pop(s);
    return;
  }
  HostResult r;
  if (memory) r = (i.op[0].size == (INTEGER ? 2 : 4) ? SMALL : LARGE)(get(s, 0), 0, raw, s.fcw);
  else r = REVERSE ? REG(get(s, src), get(s, dst), 0, s.fcw) : REG(get(s, dst), get(s, src), 0, s.fcw);
  if (!take(s, r.sw, kC1, false)) return;
  set(s, dst, r.r);
  if (POP) pop(s);
}

// ST(0) = OP(ST(0)): FSQRT, FRNDINT, F2XM1, and FSIN, FCOS, which also set C2
// (operand out of range).
template <HostOp OP, uint16_t CONDS>
void funary(Cpu& c, const DecodedInsn&) {
  check_x87(c);
  VcpuState& s = c.state();
  if (empty(s, 0)) {
    s.fsw &= ~(CONDS & kC2);
    if (stack_fault(s, false)) set(s, 0, indefinite());
    return;
  }
  HostResult r = OP(get(s, 0), 0, 0, s.fcw);
  if (!take(s, r.sw, CONDS, false)) return;
  set(s, 0, r.r);
}

// ST(0) = OP(ST(0), ST(1)): FSCALE, FPREM, FPREM1 (these set C0-C3: quotient
// bits and C2 = incomplete; with a NaN result only C1 and C2 change).
template <HostOp OP, uint16_t CONDS>
void fbinary01(Cpu& c, const DecodedInsn&) {
  check_x87(c);
  VcpuState& s = c.state();
  if (empty(s, 0) || empty(s, 1)) {
    s.fsw &= ~(CONDS & kC2);  // FPREM: complete
    if (stack_fault(s, false)) set(s, 0, indefinite());
    return;
  }
  HostResult r = OP(get(s, 0), get(s, 1), 0, s.fcw);
  uint16_t conds = CONDS == kConditions && r.r != r.r ? kC1 | kC2 : CONDS;  // a NaN remainder
  if (!take(s, r.sw, conds, false)) return;
  set(s, 0, r.r);
}

// FPATAN, FYL2X, FYL2XP1: ST(1) = OP(ST(0), ST(1)), then pop.
template <HostOp OP>
void fbinary_pop(Cpu& c, const DecodedInsn&) {
  check_x87(c);
  VcpuState& s = c.state();
  if (empty(s, 0) || empty(s, 1)) {
    if (stack_fault(s, false)) {
      set(s, 1, indefinite());
      pop(s);
    }
    return;
  }
  HostResult r = OP(get(s, 0), get(s, 1), 0, s.fcw);
  if (!take(s, r.sw, kC1, false)) return;
  set(s, 1, r.r);
  pop(s);
}

// FPTAN, FSINCOS, FXTRACT: ST(0) gets the first result and the second is
// pushed; FPTAN/FSINCOS with an operand out of range set C2 and change nothing.
template <HostOp OP, uint16_t CONDS>
void fsplit(Cpu& c, const DecodedInsn&) {
  check_x87(c);
  VcpuState& s = c.state();
  if (empty(s, 0) || !empty(s, 7)) {
    s.fsw &= ~(CONDS & kC2);
    if (stack_fault(s, !empty(s, 0))) {
      set(s, 0, indefinite());
      push(s, indefinite());
    }
    return;
  }
  HostResult r = OP(get(s, 0), 0, 0, s.fcw);
  if (!take(s, r.sw, CONDS, false) || (r.sw & CONDS & kC2)) return;
  set(s, 0, r.r2);
  push(s, r.r);
}

// ---- compares ----

// FCOM/FCOMP/FCOMPP/FUCOM*/FICOM*: C3, C2, C0 (unordered: all three);
// FCOMI/FCOMIP/FUCOMI/FUCOMIP: ZF, PF, CF instead, OF/SF/AF cleared. The
// source is memory, the last ST(i) operand, or ST(1) (Vol. 2A FCOM, FCOMI).
template <HostOp OP, HostOp SMALL, HostOp LARGE, unsigned POPS, bool INTEGER, bool EFLAGS>
void fcom(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  VcpuState& s = c.state();
  bool memory = i.op[0].kind == OpKind::mem;
  unsigned src = 1;
  for (const Operand& o : i.op)
    if (o.kind == OpKind::st) src = o.reg;
  uint64_t raw = memory ? c.read_op(i, 0) : 0;
  uint16_t cc;
  bool completed;  // the condition codes are set either way; an unmasked exception skips the pops
  if (empty(s, 0) || (!memory && empty(s, src))) {
    completed = stack_fault(s, false);
    cc = kC0 | kC2 | kC3;  // unordered
  } else {
    HostResult r = memory ? (i.op[0].size == (INTEGER ? 2 : 4) ? SMALL : LARGE)(get(s, 0), 0, raw, s.fcw)
                          : OP(get(s, 0), get(s, src), 0, s.fcw);
    take(s, r.sw, EFLAGS ? 0 : kC1, false);  // FCOMI leaves C1 alone (as hardware does)
    completed = !(r.sw & ~s.fcw & kExceptions);
    cc = r.sw & (kC0 | kC2 | kC3);
  }
  if (EFLAGS) {
    c.set_arith_flags(rflags::kArith, ((cc & kC3) ? rflags::kZF : 0) | ((cc & kC2) ? rflags::kPF : 0) |
                                          ((cc & kC0) ? rflags::kCF : 0));
  } else {
    s.fsw = static_cast<uint16_t>((s.fsw & ~(kC0 | kC2 | kC3)) | cc);
  }
  for (unsigned k = 0; completed && k < POPS; ++k) pop(s);
}

// FTST: ST(0) against +0.0.
void ftst(Cpu& c, const DecodedInsn&) {
  check_x87(c);
  VcpuState& s = c.state();
  uint16_t cc = kC0 | kC2 | kC3;
  if (empty(s, 0)) {
    stack_fault(s, false);
  } else {
    HostResult r = x87::tst(get(s, 0), 0, 0, s.fcw);
    take(s, r.sw, kC1, false);
    cc = r.sw & (kC0 | kC2 | kC3);
  }
  s.fsw = static_cast<uint16_t>((s.fsw & ~(kC0 | kC2 | kC3)) | cc);
}

// FXAM (Vol. 2A): C1 = sign; C3 C2 C0 = the class of ST(0), empty included.
void fxam(Cpu& c, const DecodedInsn&) {
  check_x87(c);
  VcpuState& s = c.state();
  const uint8_t* r = s.st[phys(s, 0)];
  uint64_t mant;
  uint16_t se;
  std::memcpy(&mant, r, 8);
  std::memcpy(&se, r + 8, 2);
  unsigned exp = se & 0x7fff;
  uint16_t cls;
  if (empty(s, 0)) cls = kC3 | kC0;
  else if (exp == 0) cls = mant == 0 ? kC3 : kC3 | kC2;        // zero, denormal
  else if (!(mant >> 63)) cls = 0;                             // unsupported (unnormal, pseudo-NaN/inf)
  else if (exp == 0x7fff) cls = (mant << 1) == 0 ? kC2 | kC0 : kC0;  // infinity, NaN
  else cls = kC2;                                              // normal
  s.fsw = static_cast<uint16_t>((s.fsw & ~kConditions) | cls | ((se & 0x8000) ? kC1 : 0));
}

// ---- sign, exchange, conditional move ----

template <bool ABS>
void fsign(Cpu& c, const DecodedInsn&) {
  check_x87(c);
  VcpuState& s = c.state();
  if (empty(s, 0)) {
    if (stack_fault(s, false)) set(s, 0, indefinite());
    return;
  }
  s.fsw &= ~kC1;
  uint8_t& sign = s.st[phys(s, 0)][9];
  sign = ABS ? sign & 0x7f : sign ^ 0x80;
}

// FXCH ST(i): empty registers become the indefinite on a masked underflow.
void fxch(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  VcpuState& s = c.state();
  unsigned n = i.op[0].kind == OpKind::st ? i.op[0].reg : 1;
  long double a, b;
  if (empty(s, 0) || empty(s, n)) {
    if (!stack_fault(s, false)) return;
  } else {
    s.fsw &= ~kC1;
  }
  a = empty(s, 0) ? indefinite() : get(s, 0);
  b = empty(s, n) ? indefinite() : get(s, n);
  set(s, 0, b);
  set(s, n, a);
}

// FCMOVcc ST(0), ST(i) (Vol. 2A): B, E, BE, U and their negations.
template <unsigned CC>
void fcmov(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  VcpuState& s = c.state();
  unsigned n = i.op[1].reg;
  if (empty(s, 0) || empty(s, n)) {
    if (stack_fault(s, false)) set(s, 0, indefinite());
    return;
  }
  if (c.condition(CC)) set(s, 0, get(s, n));  // C1 unchanged, as hardware leaves it
}

}  // namespace

void add_x87_handlers(HandlerTable& t) {
  struct Entry {
    ZydisMnemonic m;
    Handler h;
  };
  static constexpr Entry entries[] = {
      {ZYDIS_MNEMONIC_FLD, fld<false>},
      {ZYDIS_MNEMONIC_FILD, fld<true>},
      {ZYDIS_MNEMONIC_FLD1, fld_const<x87::ld1>},
      {ZYDIS_MNEMONIC_FLDL2T, fld_const<x87::ldl2t>},
      {ZYDIS_MNEMONIC_FLDL2E, fld_const<x87::ldl2e>},
      {ZYDIS_MNEMONIC_FLDPI, fld_const<x87::ldpi>},
      {ZYDIS_MNEMONIC_FLDLG2, fld_const<x87::ldlg2>},
      {ZYDIS_MNEMONIC_FLDLN2, fld_const<x87::ldln2>},
      {ZYDIS_MNEMONIC_FLDZ, fld_const<x87::ldz>},
      {ZYDIS_MNEMONIC_FST, fst<false>},
      {ZYDIS_MNEMONIC_FSTP, fst<true>},
      {ZYDIS_MNEMONIC_FIST, fist<x87::ist16, x87::ist32, x87::ist64, false>},
      {ZYDIS_MNEMONIC_FISTP, fist<x87::ist16, x87::ist32, x87::ist64, true>},
      {ZYDIS_MNEMONIC_FISTTP, fist<x87::isttp16, x87::isttp32, x87::isttp64, true>},
      {ZYDIS_MNEMONIC_FADD, farith<x87::add, x87::add_m32, x87::add_m64, false, false, false>},
      {ZYDIS_MNEMONIC_FADDP, farith<x87::add, x87::add_m32, x87::add_m64, false, true, false>},
      {ZYDIS_MNEMONIC_FIADD, farith<x87::add, x87::add_i16, x87::add_i32, false, false, true>},
      {ZYDIS_MNEMONIC_FSUB, farith<x87::sub, x87::sub_m32, x87::sub_m64, false, false, false>},
      {ZYDIS_MNEMONIC_FSUBP, farith<x87::sub, x87::sub_m32, x87::sub_m64, false, true, false>},
      {ZYDIS_MNEMONIC_FISUB, farith<x87::sub, x87::sub_i16, x87::sub_i32, false, false, true>},
      {ZYDIS_MNEMONIC_FSUBR, farith<x87::sub, x87::subr_m32, x87::subr_m64, true, false, false>},
      {ZYDIS_MNEMONIC_FSUBRP, farith<x87::sub, x87::subr_m32, x87::subr_m64, true, true, false>},
      {ZYDIS_MNEMONIC_FISUBR, farith<x87::sub, x87::subr_i16, x87::subr_i32, true, false, true>},
      {ZYDIS_MNEMONIC_FMUL, farith<x87::mul, x87::mul_m32, x87::mul_m64, false, false, false>},
      {ZYDIS_MNEMONIC_FMULP, farith<x87::mul, x87::mul_m32, x87::mul_m64, false, true, false>},
      {ZYDIS_MNEMONIC_FIMUL, farith<x87::mul, x87::mul_i16, x87::mul_i32, false, false, true>},
      {ZYDIS_MNEMONIC_FDIV, farith<x87::div, x87::div_m32, x87::div_m64, false, false, false>},
      {ZYDIS_MNEMONIC_FDIVP, farith<x87::div, x87::div_m32, x87::div_m64, false, true, false>},
      {ZYDIS_MNEMONIC_FIDIV, farith<x87::div, x87::div_i16, x87::div_i32, false, false, true>},
      {ZYDIS_MNEMONIC_FDIVR, farith<x87::div, x87::divr_m32, x87::divr_m64, true, false, false>},
      {ZYDIS_MNEMONIC_FDIVRP, farith<x87::div, x87::divr_m32, x87::divr_m64, true, true, false>},
      {ZYDIS_MNEMONIC_FIDIVR, farith<x87::div, x87::divr_i16, x87::divr_i32, true, false, true>},
      {ZYDIS_MNEMONIC_FSQRT, funary<x87::sqrt, kC1>},
      {ZYDIS_MNEMONIC_FRNDINT, funary<x87::rndint, kC1>},
      {ZYDIS_MNEMONIC_F2XM1, funary<x87::f2xm1, kC1>},
      {ZYDIS_MNEMONIC_FSIN, funary<x87::sin, kC1 | kC2>},
      {ZYDIS_MNEMONIC_FCOS, funary<x87::cos, kC1 | kC2>},
      {ZYDIS_MNEMONIC_FSCALE, fbinary01<x87::scale, kC1>},
      {ZYDIS_MNEMONIC_FPREM, fbinary01<x87::prem, kConditions>},
      {ZYDIS_MNEMONIC_FPREM1, fbinary01<x87::prem1, kConditions>},
      {ZYDIS_MNEMONIC_FCOM, fcom<x87::com, x87::com_m32, x87::com_m64, 0, false, false>},
      {ZYDIS_MNEMONIC_FCOMP, fcom<x87::com, x87::com_m32, x87::com_m64, 1, false, false>},
      {ZYDIS_MNEMONIC_FCOMPP, fcom<x87::com, x87::com_m32, x87::com_m64, 2, false, false>},
      {ZYDIS_MNEMONIC_FUCOM, fcom<x87::ucom, x87::ucom, x87::ucom, 0, false, false>},
      {ZYDIS_MNEMONIC_FUCOMP, fcom<x87::ucom, x87::ucom, x87::ucom, 1, false, false>},
      {ZYDIS_MNEMONIC_FUCOMPP, fcom<x87::ucom, x87::ucom, x87::ucom, 2, false, false>},
      {ZYDIS_MNEMONIC_FICOM, fcom<x87::com, x87::com_i16, x87::com_i32, 0, true, false>},
      {ZYDIS_MNEMONIC_FICOMP, fcom<x87::com, x87::com_i16, x87::com_i32, 1, true, false>},
      {ZYDIS_MNEMONIC_FCOMI, fcom<x87::com, x87::com_m32, x87::com_m64, 0, false, true>},
      {ZYDIS_MNEMONIC_FCOMIP, fcom<x87::com, x87::com_m32, x87::com_m64, 1, false, true>},
      {ZYDIS_MNEMONIC_FUCOMI, fcom<x87::ucom, x87::ucom, x87::ucom, 0, false, true>},
      {ZYDIS_MNEMONIC_FUCOMIP, fcom<x87::ucom, x87::ucom, x87::ucom, 1, false, true>},
      {ZYDIS_MNEMONIC_FPATAN, fbinary_pop<x87::patan>},
      {ZYDIS_MNEMONIC_FYL2X, fbinary_pop<x87::yl2x>},
      {ZYDIS_MNEMONIC_FYL2XP1, fbinary_pop<x87::yl2xp1>},
      {ZYDIS_MNEMONIC_FPTAN, fsplit<x87::ptan, kC1 | kC2>},
      {ZYDIS_MNEMONIC_FSINCOS, fsplit<x87::sincos, kC1 | kC2>},
      {ZYDIS_MNEMONIC_FXTRACT, fsplit<x87::xtract, kC1>},
      {ZYDIS_MNEMONIC_FBLD, fbld},
      {ZYDIS_MNEMONIC_FBSTP, fbstp},
      {ZYDIS_MNEMONIC_FTST, ftst},
      {ZYDIS_MNEMONIC_FXAM, fxam},
      {ZYDIS_MNEMONIC_FCHS, fsign<false>},
      {ZYDIS_MNEMONIC_FABS, fsign<true>},
      {ZYDIS_MNEMONIC_FXCH, fxch},
      {ZYDIS_MNEMONIC_FCMOVB, fcmov<0x2>},
      {ZYDIS_MNEMONIC_FCMOVE, fcmov<0x4>},
      {ZYDIS_MNEMONIC_FCMOVBE, fcmov<0x6>},
      {ZYDIS_MNEMONIC_FCMOVU, fcmov<0xa>},
      {ZYDIS_MNEMONIC_FCMOVNB, fcmov<0x3>},
      {ZYDIS_MNEMONIC_FCMOVNE, fcmov<0x5>},
      {ZYDIS_MNEMONIC_FCMOVNBE, fcmov<0x7>},
      {ZYDIS_MNEMONIC_FCMOVNU, fcmov<0xb>},
  };
  for (const Entry& e : entries) t.add(e.m, e.h);
}

}  // namespace nv
