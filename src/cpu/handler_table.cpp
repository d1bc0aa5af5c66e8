#include "cpu/handler_table.h"

#include "cpu/cpu.h"

namespace nv {

namespace {

HandlerTable build() {
  HandlerTable t;
  add_data_handlers(t);
  add_alu_handlers(t);
  add_control_handlers(t);
  add_string_handlers(t);
  add_system_handlers(t);
  add_sse_handlers(t);
  add_sse_int_handlers(t);
  add_sse_fp_handlers(t);
  add_avx_handlers(t);
  add_avx_pcmpstr_handlers(t);
  add_x87_handlers(t);
  add_x87_control_handlers(t);
  add_hypercall_handlers(t);
  add_xsave_handlers(t);
  return t;
}

}  // namespace

Handler select_handler(const DecodedInsn& insn) {
  static const HandlerTable table = build();
  if (Handler h = table.simd[insn.mnemonic]) {
    for (const Operand& o : insn.op)
      if (o.kind == OpKind::xmm || o.kind == OpKind::mmx) return h;
  }
  if (Selector s = table.select[insn.mnemonic]) {
    if (Handler h = s(insn)) return h;
    return handle_unimplemented;
  }
  if (Handler h = table.fixed[insn.mnemonic]) return h;
  return handle_unimplemented;
}

void handle_ud(Cpu&, const DecodedInsn&) { throw_fault(vec::kUD); }

}  // namespace nv
