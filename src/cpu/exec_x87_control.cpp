// x87 control instructions (SDM Vol. 1 §8.1, Vol. 2 per instruction):
// FNINIT, FNCLEX, FNSTSW, FNSTCW, FLDCW, FWAIT and EMMS.
#include "cpu/handler_table.h"
#include "cpu/simd_operands.h"

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

}  // namespace

void add_x87_control_handlers(HandlerTable& t) {
  t.add(ZYDIS_MNEMONIC_FNINIT, fninit);
  t.add(ZYDIS_MNEMONIC_FNCLEX, fnclex);
  t.add(ZYDIS_MNEMONIC_FNSTSW, fnstsw);
  t.add(ZYDIS_MNEMONIC_FNSTCW, fnstcw);
  t.add(ZYDIS_MNEMONIC_FLDCW, fldcw);
  t.add(ZYDIS_MNEMONIC_FWAIT, fwait);
  t.add(ZYDIS_MNEMONIC_EMMS, emms);
}

}  // namespace nv
