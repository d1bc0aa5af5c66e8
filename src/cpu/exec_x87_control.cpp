// x87 control instructions (SDM Vol. 1 §8.1, Vol. 2 per instruction):
// FNINIT, FNCLEX, FNSTSW, FNSTCW, FLDCW, FWAIT, EMMS, FNSTENV/FLDENV,
// FNSAVE/FRSTOR, FFREE, FINCSTP/FDECSTP and FNOP.
#include "cpu/handler_table.h"
#include "cpu/simd_operands.h"
#include "cpu/x87_state.h"

namespace nv {

namespace {

// FNINIT (Vol. 2A FINIT/FNINIT): FCW = 37Fh, FSW = 0, all registers empty.
void fninit(Cpu& c, const DecodedInsn&) {
  check_x87_nowait(c);
  c.state().fcw = 0x37f;
  c.state().fsw = 0;
  c.state().ftw = 0;
}
// FNCLEX: clears the exception flags, SF, ES and B (Vol. 2A FCLEX/FNCLEX).
void fnclex(Cpu& c, const DecodedInsn&) {
  check_x87_nowait(c);
  c.state().fsw &= 0x7f00;
}
void fnstsw(Cpu& c, const DecodedInsn& i) {
  check_x87_nowait(c);
  c.write_op(i, 0, c.state().fsw);
}
void fnstcw(Cpu& c, const DecodedInsn& i) {
  check_x87_nowait(c);
  c.write_op(i, 0, c.state().fcw);
}
// FLDCW: unmasking a pending exception makes it pending as ES (Vol. 1 §8.7).
void fldcw(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  VcpuState& s = c.state();
  s.fcw = static_cast<uint16_t>(c.read_op(i, 0)) | 0x40;  // bit 6 reads as 1
  update_x87_summary(s);
}
// WAIT/FWAIT: #NM only when both CR0.MP and CR0.TS are set (Vol. 3A Table 2-2).
void fwait(Cpu& c, const DecodedInsn&) {
  if ((c.state().cr0 & (simd::kCr0Mp | simd::kCr0Ts)) == (simd::kCr0Mp | simd::kCr0Ts)) throw_fault(vec::kNM);
  check_pending_x87(c);
}
// EMMS: every x87 register empty (Vol. 2A EMMS).
void emms(Cpu& c, const DecodedInsn&) {
  check_mmx(c);
  c.state().ftw = 0;
}

// The environment image of FNSTENV/FLDENV (Vol. 1 §8.1.10, Figures 8-9 to
// 8-12): FCW, FSW and the full tag word in 2-byte (16-bit operand size) or
// 4-byte fields, then the instruction and operand pointers, which the engine
// does not track and stores as 0; the same offsets in real and protected mode.
unsigned env_field(const DecodedInsn& i) { return i.osize == 2 ? 2 : 4; }
unsigned env_size(const DecodedInsn& i) { return 7 * env_field(i); }

void store_env(const VcpuState& s, uint8_t* img, unsigned field) {
  uint16_t tags = 0;
  for (unsigned r = 0; r < 8; ++r) tags = static_cast<uint16_t>(tags | x87::full_tag(s, r) << (2 * r));
  std::memset(img, 0, 7 * field);
  std::memcpy(img, &s.fcw, 2);
  std::memcpy(img + field, &s.fsw, 2);
  std::memcpy(img + 2 * field, &tags, 2);
}
void load_env(VcpuState& s, const uint8_t* img, unsigned field) {
  uint16_t tags;
  std::memcpy(&s.fcw, img, 2);
  std::memcpy(&s.fsw, img + field, 2);
  std::memcpy(&tags, img + 2 * field, 2);
  s.fcw |= 0x40;
  s.ftw = 0;
  for (unsigned r = 0; r < 8; ++r)
    if (((tags >> (2 * r)) & 3) != 3) s.ftw = static_cast<uint8_t>(s.ftw | 1u << r);
  update_x87_summary(s);
}

// Guest memory of an x87 image that is not a multiple of 8 bytes.
void read_image(Cpu& c, const DecodedInsn& i, uint8_t* img, unsigned size) {
  uint64_t lin = c.linear(i.seg, c.effective_address(i), size, false);
  AccessType a = c.data_access(AccessKind::read);
  for (unsigned k = 0; k < size; k += 2) {
    uint16_t v = static_cast<uint16_t>(c.read_linear(lin + k, 2, a));
    std::memcpy(img + k, &v, 2);
  }
}
void write_image(Cpu& c, const DecodedInsn& i, const uint8_t* img, unsigned size) {
  uint64_t lin = c.linear(i.seg, c.effective_address(i), size, true);
  AccessType a = c.data_access(AccessKind::write);
  c.translate(lin, a);
  c.translate(lin + size - 1, a);
  for (unsigned k = 0; k < size; k += 2) {
    uint16_t v;
    std::memcpy(&v, img + k, 2);
    c.write_linear(lin + k, 2, v, a);
  }
}

// FNSTENV stores the environment, then masks every exception (Vol. 2A FSTENV).
void fnstenv(Cpu& c, const DecodedInsn& i) {
  check_x87_nowait(c);
  uint8_t img[28];
  store_env(c.state(), img, env_field(i));
  write_image(c, i, img, env_size(i));
  c.state().fcw |= x87::kExceptions;
  update_x87_summary(c.state());
}
void fldenv(Cpu& c, const DecodedInsn& i) {
  check_x87_nowait(c);
  uint8_t img[28];
  read_image(c, i, img, env_size(i));
  load_env(c.state(), img, env_field(i));
}

// FNSAVE: the environment and ST(0)-ST(7) in stack order, then FNINIT (Vol. 2A FSAVE).
void fnsave(Cpu& c, const DecodedInsn& i) {
  check_x87_nowait(c);
  VcpuState& s = c.state();
  uint8_t img[108];
  unsigned env = env_size(i);
  store_env(s, img, env_field(i));
  for (unsigned k = 0; k < 8; ++k) std::memcpy(img + env + 10 * k, s.st[x87::phys(s, k)], 10);
  write_image(c, i, img, env + 80);
  s.fcw = 0x37f;
  s.fsw = 0;
  s.ftw = 0;
}
void frstor(Cpu& c, const DecodedInsn& i) {
  check_x87_nowait(c);
  VcpuState& s = c.state();
  uint8_t img[108];
  unsigned env = env_size(i);
  read_image(c, i, img, env + 80);
  load_env(s, img, env_field(i));
  for (unsigned k = 0; k < 8; ++k) std::memcpy(s.st[x87::phys(s, k)], img + env + 10 * k, 10);
}

// FFREE ST(i): tag empty; FFREEP (DF C0+i, which Intel and AMD processors
// execute though the SDM lists it only in its opcode map) pops as well;
// FINCSTP/FDECSTP: TOP +/- 1, tags unchanged; C1 = 0 for all of them.
template <bool POP>
void ffree(Cpu& c, const DecodedInsn& i) {
  check_x87(c);
  VcpuState& s = c.state();
  s.ftw = static_cast<uint8_t>(s.ftw & ~(1u << x87::phys(s, i.op[0].reg)));
  s.fsw &= ~x87::kC1;  // undefined in the SDM; hardware clears it
  if (POP) x87::pop(s);
}
template <int STEP>
void fstp_step(Cpu& c, const DecodedInsn&) {
  check_x87(c);
  VcpuState& s = c.state();
  s.fsw &= ~x87::kC1;
  x87::set_top(s, x87::top(s) + STEP);
}
void fnop(Cpu& c, const DecodedInsn&) { check_x87(c); }

}  // namespace

void add_x87_control_handlers(HandlerTable& t) {
  t.add(ZYDIS_MNEMONIC_FNINIT, fninit);
  t.add(ZYDIS_MNEMONIC_FNCLEX, fnclex);
  t.add(ZYDIS_MNEMONIC_FNSTSW, fnstsw);
  t.add(ZYDIS_MNEMONIC_FNSTCW, fnstcw);
  t.add(ZYDIS_MNEMONIC_FLDCW, fldcw);
  t.add(ZYDIS_MNEMONIC_FWAIT, fwait);
  t.add(ZYDIS_MNEMONIC_EMMS, emms);
  t.add(ZYDIS_MNEMONIC_FNSTENV, fnstenv);
  t.add(ZYDIS_MNEMONIC_FLDENV, fldenv);
  t.add(ZYDIS_MNEMONIC_FNSAVE, fnsave);
  t.add(ZYDIS_MNEMONIC_FRSTOR, frstor);
  t.add(ZYDIS_MNEMONIC_FFREE, ffree<false>);
  t.add(ZYDIS_MNEMONIC_FFREEP, ffree<true>);
  t.add(ZYDIS_MNEMONIC_FINCSTP, fstp_step<1>);
  t.add(ZYDIS_MNEMONIC_FDECSTP, fstp_step<-1>);
  t.add(ZYDIS_MNEMONIC_FNOP, fnop);
}

}  // namespace nv
