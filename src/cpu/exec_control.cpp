// Control flow: JMP, Jcc, CALL, RET (near and far), LOOP/LOOPcc, JrCXZ,
// IRET, ENTER/LEAVE, INT n/INT3/INTO (SDM Vol. 2).
#include "cpu/cpu.h"
#include "cpu/handler_table.h"

namespace nv {

namespace {

void jmp_rel(Cpu& c, const DecodedInsn& i) { c.jump(c.state().rip + i.imm, i.osize); }
void jmp_indirect(Cpu& c, const DecodedInsn& i) { c.jump(c.read_op(i, 0), i.osize); }

// The far pointer of JMP/CALL m16:16/32/64: offset, then selector (Vol. 2A JMP).
void read_far_pointer(Cpu& c, const DecodedInsn& i, uint16_t& sel, uint64_t& off, unsigned& osize) {
  osize = i.op[0].size - 2;
  uint64_t ea = c.effective_address(i);
  off = c.read(i.seg, ea, osize);
  sel = static_cast<uint16_t>(c.read(i.seg, (ea + osize) & size_mask(i.asize), 2));
}

// JMP/CALL ptr16:xx (immediate) or m16:xx (far pointer in memory).
template <bool IsCall>
void far_transfer(Cpu& c, const DecodedInsn& i) {
  if (i.op[0].kind == OpKind::imm) {
    c.far_jump(static_cast<uint16_t>(i.imm2), i.imm, i.osize, IsCall);
    return;
  }
  uint16_t sel;
  uint64_t off;
  unsigned osize;
  read_far_pointer(c, i, sel, off, osize);
  c.far_jump(sel, off, osize, IsCall);
}

Handler select_jmp(const DecodedInsn& i) {
  if (i.cc) return far_transfer<false>;
  return i.op[0].kind == OpKind::imm ? jmp_rel : jmp_indirect;
}

void jcc(Cpu& c, const DecodedInsn& i) {
  if (c.condition(i.cc)) c.jump(c.state().rip + i.imm, i.osize);
}

// The target is checked before the push: a faulting CALL leaves RSP as it was.
void call_rel(Cpu& c, const DecodedInsn& i) {
  const uint64_t target = c.branch_target(c.state().rip + i.imm, i.osize);
  c.push(c.state().rip, i.osize);
  c.state().rip = target;
}
void call_indirect(Cpu& c, const DecodedInsn& i) {
  const uint64_t target = c.branch_target(c.read_op(i, 0), i.osize);
  c.push(c.state().rip, i.osize);
  c.state().rip = target;
}
Handler select_call(const DecodedInsn& i) {
  if (i.cc) return far_transfer<true>;
  return i.op[0].kind == OpKind::imm ? call_rel : call_indirect;
}

void ret_near(Cpu& c, const DecodedInsn& i) {
  // Read and checked before RSP moves: a faulting RET leaves RSP as it was.
  const uint64_t target = c.branch_target(c.peek_stack(0, i.osize), i.osize);
  const uint64_t release = i.osize + (i.op[0].kind == OpKind::imm ? i.imm & 0xffff : 0);
  c.set_sp(c.state().gpr[kRsp] + release);
  c.state().rip = target;
}
void ret_far(Cpu& c, const DecodedInsn& i) {
  c.far_return(i.osize, i.op[0].kind == OpKind::imm ? static_cast<uint16_t>(i.imm) : 0);
}
Handler select_ret(const DecodedInsn& i) { return i.cc ? ret_far : ret_near; }

// LOOP/LOOPE/LOOPNE and JrCXZ count in CX, ECX or RCX by address size (Vol. 2A LOOP).
enum class Loop { loop, loope, loopne };
template <Loop K>
void loop(Cpu& c, const DecodedInsn& i) {
  uint64_t n = (c.reg(kRcx, i.asize) - 1) & size_mask(i.asize);
  bool go = n != 0;
  if constexpr (K == Loop::loope) go = go && c.condition(4);
  if constexpr (K == Loop::loopne) go = go && c.condition(5);
  // A target outside the limit faults before the count changes.
  const uint64_t target = go ? c.branch_target(c.state().rip + i.imm, i.osize) : c.state().rip;
  c.set_reg(kRcx, i.asize, n);
  c.state().rip = target;
}
void jrcxz(Cpu& c, const DecodedInsn& i) {
  if (c.reg(kRcx, i.asize) == 0) c.jump(c.state().rip + i.imm, i.osize);
}

void iret(Cpu& c, const DecodedInsn& i) { c.iret(i.osize); }

void enter(Cpu& c, const DecodedInsn& i) {
  // Vol. 2A ENTER: push rBP, copy level-1 frame pointers, set rBP, reserve imm16.
  unsigned size = i.osize, as = c.stack_addr_size();
  unsigned level = static_cast<unsigned>(i.imm2) & 31;
  c.push(c.reg(kRbp, size), size);
  uint64_t frame = c.reg(kRsp, as);
  if (level > 0) {
    uint64_t bp = c.reg(kRbp, as);
    for (unsigned k = 1; k < level; ++k) {
      bp = (bp - size) & size_mask(as);
      c.push(c.read(kSs, bp, size), size);
    }
    c.push(frame, size);
  }
  c.set_reg(kRbp, size, frame);
  c.set_sp(c.reg(kRsp, as) - (i.imm & 0xffff));
}
void leave(Cpu& c, const DecodedInsn& i) {
  unsigned as = c.stack_addr_size();
  c.set_reg(kRsp, as, c.reg(kRbp, as));
  c.set_reg(kRbp, i.osize, c.pop(i.osize));
}

void int_n(Cpu& c, const DecodedInsn& i) { c.software_interrupt(static_cast<uint8_t>(i.imm), true); }
void int3(Cpu& c, const DecodedInsn&) { c.software_interrupt(vec::kBP, false); }
void into(Cpu& c, const DecodedInsn&) {
  if (c.condition(0)) c.software_interrupt(vec::kOF, false);
}

// BOUND (Vol. 2A; not in 64-bit mode): #BR, a fault, when the signed index
// is below the lower bound or above the upper one, both read from memory.
void bound(Cpu& c, const DecodedInsn& i) {
  const unsigned size = i.op[0].size;
  const uint64_t ea = c.effective_address(i);
  const int64_t index = sign_extend(c.reg(i.op[0].reg, size), size);
  const int64_t lower = sign_extend(c.read(i.seg, ea, size), size);
  const int64_t upper = sign_extend(c.read(i.seg, (ea + size) & size_mask(i.asize), size), size);
  if (index < lower || index > upper) throw_fault(vec::kBR);
}

}  // namespace

void add_control_handlers(HandlerTable& t) {
  t.add(ZYDIS_MNEMONIC_JMP, select_jmp);
  t.add(ZYDIS_MNEMONIC_CALL, select_call);
  t.add(ZYDIS_MNEMONIC_RET, select_ret);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_JO, ZYDIS_MNEMONIC_JNO, ZYDIS_MNEMONIC_JB, ZYDIS_MNEMONIC_JNB,
                          ZYDIS_MNEMONIC_JZ, ZYDIS_MNEMONIC_JNZ, ZYDIS_MNEMONIC_JBE, ZYDIS_MNEMONIC_JNBE,
                          ZYDIS_MNEMONIC_JS, ZYDIS_MNEMONIC_JNS, ZYDIS_MNEMONIC_JP, ZYDIS_MNEMONIC_JNP,
                          ZYDIS_MNEMONIC_JL, ZYDIS_MNEMONIC_JNL, ZYDIS_MNEMONIC_JLE, ZYDIS_MNEMONIC_JNLE})
    t.add(m, jcc);
  t.add(ZYDIS_MNEMONIC_LOOP, loop<Loop::loop>);
  t.add(ZYDIS_MNEMONIC_LOOPE, loop<Loop::loope>);
  t.add(ZYDIS_MNEMONIC_LOOPNE, loop<Loop::loopne>);
  t.add(ZYDIS_MNEMONIC_JCXZ, jrcxz);
  t.add(ZYDIS_MNEMONIC_JECXZ, jrcxz);
  t.add(ZYDIS_MNEMONIC_JRCXZ, jrcxz);
  t.add(ZYDIS_MNEMONIC_IRET, iret);
  t.add(ZYDIS_MNEMONIC_IRETD, iret);
  t.add(ZYDIS_MNEMONIC_IRETQ, iret);
  t.add(ZYDIS_MNEMONIC_ENTER, enter);
  t.add(ZYDIS_MNEMONIC_LEAVE, leave);
  t.add(ZYDIS_MNEMONIC_INT, int_n);
  t.add(ZYDIS_MNEMONIC_INT3, int3);
  t.add(ZYDIS_MNEMONIC_INTO, into);
  t.add(ZYDIS_MNEMONIC_BOUND, bound);
}

}  // namespace nv
