// Decode-time dispatch: each mnemonic maps to a selector that picks the
// handler for the decoded operand form (e.g. ADD reg,reg / reg,imm / with
// memory), so execution is one indirect call with no re-examination of the
// instruction. exec_*.cpp each register their group.
#pragma once

#include "cpu/decoded_insn.h"

#include <Zydis/Zydis.h>

#include <array>

namespace nv {

using Selector = Handler (*)(const DecodedInsn&);

struct HandlerTable {
  std::array<Selector, ZYDIS_MNEMONIC_MAX_VALUE + 1> select{};
  std::array<Handler, ZYDIS_MNEMONIC_MAX_VALUE + 1> fixed{};  // when one handler fits every form
  // The form with an XMM or MMX operand of a mnemonic Zydis shares with a
  // non-SIMD instruction (MOVSD and CMPSD are also string instructions).
  std::array<Handler, ZYDIS_MNEMONIC_MAX_VALUE + 1> simd{};

  void add(ZydisMnemonic m, Handler h) { fixed[m] = h; }
  void add(ZydisMnemonic m, Selector s) { select[m] = s; }
  void add_simd(ZydisMnemonic m, Handler h) { simd[m] = h; }
};

// The handler for a decoded instruction; the unimplemented-instruction
// handler (#UD and a log line) when none is registered.
Handler select_handler(const DecodedInsn& insn);
// Raises #UD and records the mnemonic (UnimplementedLog).
void handle_unimplemented(Cpu& cpu, const DecodedInsn& insn);
// Raises #UD without recording: instructions that are #UD by definition.
void handle_ud(Cpu& cpu, const DecodedInsn& insn);

// MOV with a segment, control or debug register operand (exec_system.cpp).
Handler select_mov_special(const DecodedInsn& insn);

void add_data_handlers(HandlerTable& t);     // exec_data.cpp
void add_alu_handlers(HandlerTable& t);      // exec_alu.cpp
void add_control_handlers(HandlerTable& t);  // exec_control.cpp
void add_string_handlers(HandlerTable& t);   // exec_string.cpp
void add_system_handlers(HandlerTable& t);   // exec_system.cpp
void add_sse_handlers(HandlerTable& t);      // exec_sse.cpp
void add_sse_int_handlers(HandlerTable& t);  // exec_sse_int.cpp
void add_sse_fp_handlers(HandlerTable& t);   // exec_sse_fp.cpp
void add_avx_handlers(HandlerTable& t);      // exec_avx.cpp
void add_avx_pcmpstr_handlers(HandlerTable& t);  // exec_avx_pcmpstr.cpp
void add_x87_handlers(HandlerTable& t);          // exec_x87.cpp
void add_x87_control_handlers(HandlerTable& t);  // exec_x87_control.cpp
void add_hypercall_handlers(HandlerTable& t);  // exec_hypercall.cpp
void add_xsave_handlers(HandlerTable& t);      // exec_xsave.cpp

}  // namespace nv
