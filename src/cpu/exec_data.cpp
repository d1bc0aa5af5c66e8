// Data movement: MOV, MOVZX/MOVSX/MOVSXD, LEA, XCHG, PUSH/POP, CMOVcc,
// SETcc, the sign extensions (CBW..CQO), BSWAP, XLAT, NOP (SDM Vol. 2).
#include "cpu/cpu.h"
#include "cpu/handler_table.h"

namespace nv {

namespace {

void mov_rr(Cpu& c, const DecodedInsn& i) { c.set_reg(i.op[0].reg, i.op[0].size, c.reg(i.op[1].reg, i.op[0].size)); }
void mov_ri(Cpu& c, const DecodedInsn& i) { c.set_reg(i.op[0].reg, i.op[0].size, i.imm); }
void mov_rm(Cpu& c, const DecodedInsn& i) {
  c.set_reg(i.op[0].reg, i.op[0].size, c.read(i.seg, c.effective_address(i), i.op[0].size));
}
void mov_mr(Cpu& c, const DecodedInsn& i) {
  c.write(i.seg, c.effective_address(i), i.op[0].size, c.reg(i.op[1].reg, i.op[0].size));
}
void mov_generic(Cpu& c, const DecodedInsn& i) { c.write_op(i, 0, c.read_op(i, 1)); }

Handler select_mov(const DecodedInsn& i) {
  const OpKind a = i.op[0].kind, b = i.op[1].kind;
  if (a == OpKind::sreg || b == OpKind::sreg || a == OpKind::creg || b == OpKind::creg || a == OpKind::dreg ||
      b == OpKind::dreg)
    return select_mov_special(i);
  if (a == OpKind::reg && b == OpKind::reg) return mov_rr;
  if (a == OpKind::reg && b == OpKind::imm) return mov_ri;
  if (a == OpKind::reg && b == OpKind::mem) return mov_rm;
  if (a == OpKind::mem && b == OpKind::reg) return mov_mr;
  return mov_generic;
}

void movzx(Cpu& c, const DecodedInsn& i) { c.write_op(i, 0, c.read_op(i, 1)); }
void movsx(Cpu& c, const DecodedInsn& i) {
  c.write_op(i, 0, static_cast<uint64_t>(sign_extend(c.read_op(i, 1), i.op[1].size)));
}

void lea(Cpu& c, const DecodedInsn& i) { c.set_reg(i.op[0].reg, i.op[0].size, c.effective_address(i)); }

void xchg(Cpu& c, const DecodedInsn& i) {
  uint64_t a = c.read_op(i, 0), b = c.read_op(i, 1);
  c.write_op(i, 0, b);
  c.write_op(i, 1, a);
}

void push(Cpu& c, const DecodedInsn& i) {
  uint64_t v = i.op[0].kind == OpKind::imm ? i.imm : c.read_op(i, 0);
  c.push(v, i.osize);
}
void pop(Cpu& c, const DecodedInsn& i) {
  if (i.op[0].kind == OpKind::sreg) {
    // Vol. 2B POP: the selector is loaded before RSP moves, so a faulting
    // load leaves the stack alone.
    uint16_t sel = static_cast<uint16_t>(c.peek_stack(0, i.osize));
    c.load_segment(i.op[0].reg, sel);
    c.set_sp(c.state().gpr[kRsp] + i.osize);
    return;
  }
  // A memory destination addressed through RSP uses RSP after the pop, and a
  // faulting store leaves RSP as it was (Vol. 2B POP).
  const uint64_t rsp = c.state().gpr[kRsp];
  uint64_t v = c.pop(i.osize);
  try {
    c.write_op(i, 0, v);
  } catch (const GuestFault&) {
    c.state().gpr[kRsp] = rsp;
    throw;
  }
}

void cmovcc(Cpu& c, const DecodedInsn& i) {
  uint64_t v = c.read_op(i, 1);  // the source is read (and may fault) even when the condition is false
  c.write_op(i, 0, c.condition(i.cc) ? v : c.read_op(i, 0));
}
void setcc(Cpu& c, const DecodedInsn& i) { c.write_op(i, 0, c.condition(i.cc) ? 1 : 0); }

// CBW/CWDE/CDQE: sign-extend the lower half of rAX into rAX.
void cbw(Cpu& c, const DecodedInsn& i) {
  unsigned half = i.osize / 2;
  c.set_reg(kRax, i.osize, static_cast<uint64_t>(sign_extend(c.reg(kRax, half), half)));
}
// CWD/CDQ/CQO: rDX = the sign of rAX.
void cwd(Cpu& c, const DecodedInsn& i) {
  bool neg = c.reg(kRax, i.osize) & sign_bit(i.osize);
  c.set_reg(kRdx, i.osize, neg ? ~0ull : 0);
}

void bswap(Cpu& c, const DecodedInsn& i) {
  uint64_t v = c.reg(i.op[0].reg, i.op[0].size);
  if (i.op[0].size == 8) v = __builtin_bswap64(v);
  else if (i.op[0].size == 4) v = __builtin_bswap32(static_cast<uint32_t>(v));
  else v = 0;  // Vol. 2A BSWAP: 16-bit operand gives an undefined result; real CPUs give 0
  c.set_reg(i.op[0].reg, i.op[0].size, v);
}

void xlat(Cpu& c, const DecodedInsn& i) {
  uint64_t addr = (c.state().gpr[kRbx] + c.reg(kRax, 1)) & size_mask(i.asize);
  c.set_reg(kRax, 1, c.read(i.seg, addr, 1));
}

void nop(Cpu&, const DecodedInsn&) {}

// PUSHA/PUSHAD: AX CX DX BX, the original SP, BP SI DI (Vol. 2B PUSHA).
void pusha(Cpu& c, const DecodedInsn& i) {
  uint64_t sp = c.reg(kRsp, i.osize);
  for (unsigned r = kRax; r <= kRdi; ++r) c.push(r == kRsp ? sp : c.reg(r, i.osize), i.osize);
}
// POPA/POPAD: the reverse, skipping the saved SP.
void popa(Cpu& c, const DecodedInsn& i) {
  for (int r = kRdi; r >= kRax; --r) {
    uint64_t v = c.pop(i.osize);
    if (r != kRsp) c.set_reg(static_cast<unsigned>(r), i.osize, v);
  }
}

// SALC (undocumented D6, legacy modes): AL = CF ? FFh : 00h.
void salc(Cpu& c, const DecodedInsn&) { c.set_reg(kRax, 1, c.cf() ? 0xff : 0); }

// LDS/LES/LFS/LGS/LSS r, m16:xx.
template <unsigned SEG>
void load_far_pointer(Cpu& c, const DecodedInsn& i) {
  unsigned size = i.op[0].size;
  uint64_t ea = c.effective_address(i);
  uint64_t off = c.read(i.seg, ea, size);
  uint16_t sel = static_cast<uint16_t>(c.read(i.seg, (ea + size) & size_mask(i.asize), 2));
  c.load_segment(SEG, sel);
  c.set_reg(i.op[0].reg, size, off);
}

}  // namespace

void add_data_handlers(HandlerTable& t) {
  t.add(ZYDIS_MNEMONIC_MOV, select_mov);
  t.add(ZYDIS_MNEMONIC_MOVZX, movzx);
  t.add(ZYDIS_MNEMONIC_MOVSX, movsx);
  t.add(ZYDIS_MNEMONIC_MOVSXD, movsx);
  t.add(ZYDIS_MNEMONIC_LEA, lea);
  t.add(ZYDIS_MNEMONIC_XCHG, xchg);
  t.add(ZYDIS_MNEMONIC_PUSH, push);
  t.add(ZYDIS_MNEMONIC_POP, pop);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVB, ZYDIS_MNEMONIC_CMOVNB,
                          ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVBE, ZYDIS_MNEMONIC_CMOVNBE,
                          ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVNS, ZYDIS_MNEMONIC_CMOVP, ZYDIS_MNEMONIC_CMOVNP,
                          ZYDIS_MNEMONIC_CMOVL, ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVLE, ZYDIS_MNEMONIC_CMOVNLE})
    t.add(m, cmovcc);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_SETO, ZYDIS_MNEMONIC_SETNO, ZYDIS_MNEMONIC_SETB, ZYDIS_MNEMONIC_SETNB,
                          ZYDIS_MNEMONIC_SETZ, ZYDIS_MNEMONIC_SETNZ, ZYDIS_MNEMONIC_SETBE, ZYDIS_MNEMONIC_SETNBE,
                          ZYDIS_MNEMONIC_SETS, ZYDIS_MNEMONIC_SETNS, ZYDIS_MNEMONIC_SETP, ZYDIS_MNEMONIC_SETNP,
                          ZYDIS_MNEMONIC_SETL, ZYDIS_MNEMONIC_SETNL, ZYDIS_MNEMONIC_SETLE, ZYDIS_MNEMONIC_SETNLE})
    t.add(m, setcc);
  t.add(ZYDIS_MNEMONIC_CBW, cbw);
  t.add(ZYDIS_MNEMONIC_CWDE, cbw);
  t.add(ZYDIS_MNEMONIC_CDQE, cbw);
  t.add(ZYDIS_MNEMONIC_CWD, cwd);
  t.add(ZYDIS_MNEMONIC_CDQ, cwd);
  t.add(ZYDIS_MNEMONIC_CQO, cwd);
  t.add(ZYDIS_MNEMONIC_BSWAP, bswap);
  t.add(ZYDIS_MNEMONIC_XLAT, xlat);
  t.add(ZYDIS_MNEMONIC_NOP, nop);
  t.add(ZYDIS_MNEMONIC_PUSHA, pusha);
  t.add(ZYDIS_MNEMONIC_PUSHAD, pusha);
  t.add(ZYDIS_MNEMONIC_POPA, popa);
  t.add(ZYDIS_MNEMONIC_POPAD, popa);
  t.add(ZYDIS_MNEMONIC_SALC, salc);
  t.add(ZYDIS_MNEMONIC_LDS, load_far_pointer<kDs>);
  t.add(ZYDIS_MNEMONIC_LES, load_far_pointer<kEs>);
  t.add(ZYDIS_MNEMONIC_LFS, load_far_pointer<kFs>);
  t.add(ZYDIS_MNEMONIC_LGS, load_far_pointer<kGs>);
  t.add(ZYDIS_MNEMONIC_LSS, load_far_pointer<kSs>);
}

}  // namespace nv
