// Fields of an 8-byte segment or gate descriptor (SDM Vol. 3A §3.4.5,
// Figure 3-8; §5.8.3 call gates, §8.2.5 task gates), shared by the segment
// loads (cpu_segments.cpp) and hardware task switches (cpu_task_switch.cpp).
#pragma once

#include "cpu/cpu.h"

#include <cstdint>

namespace nv::descriptor {

constexpr uint64_t base(uint64_t d) { return ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24); }
constexpr uint32_t limit(uint64_t d) {
  uint32_t l = static_cast<uint32_t>((d & 0xffff) | (((d >> 48) & 0xf) << 16));
  return (d & (1ull << 55)) ? (l << 12) | 0xfff : l;
}
constexpr uint16_t attr(uint64_t d) { return static_cast<uint16_t>((d >> 40) & 0xf0ff); }
constexpr unsigned dpl(uint64_t d) { return (d >> 45) & 3; }
constexpr bool present(uint64_t d) { return d & (1ull << 47); }
constexpr bool s(uint64_t d) { return d & (1ull << 44); }
constexpr unsigned type(uint64_t d) { return (d >> 40) & 0xf; }
constexpr bool code(uint64_t d) { return s(d) && (type(d) & 8); }
constexpr bool conforming(uint64_t d) { return code(d) && (type(d) & 4); }
constexpr bool readable(uint64_t d) { return !code(d) || (type(d) & 2); }
constexpr bool writable_data(uint64_t d) { return s(d) && !(type(d) & 8) && (type(d) & 2); }
// A TSS descriptor (Table 3-2): 16-bit (1 available, 3 busy) or 32-bit (9, 0xB).
constexpr bool tss(uint64_t d) { return !s(d) && (type(d) & 5) == 1; }
// The selector a task, call, interrupt or trap gate names (§8.2.5 Figure
// 8-4, §5.8.3 Figure 5-8, §6.11 Figure 6-2).
constexpr uint16_t gate_selector(uint64_t d) { return static_cast<uint16_t>(d >> 16); }
// The offset bits 31:0 in the low 8 bytes of a call, interrupt or trap gate.
constexpr uint32_t gate_offset(uint64_t d) { return static_cast<uint32_t>((d & 0xffff) | ((d >> 48) << 16)); }
// A call gate (§5.8.3): type 4 (16-bit) or 0CH (32-bit); in IA-32e mode
// only 0CH, the 16-byte 64-bit call gate (§5.8.3.1).
constexpr bool call_gate(uint64_t d, bool ia32e) { return !s(d) && (type(d) == 0xc || (!ia32e && type(d) == 4)); }
// The number of words or doublewords a legacy call gate copies (Figure 5-8).
constexpr unsigned gate_param_count(uint64_t d) { return (d >> 32) & 0x1f; }
// A 64-bit code segment: L = 1 and D = 0 (§5.2.1).
constexpr bool code64(uint64_t d) { return code(d) && (d & (1ull << 53)) && !(d & (1ull << 54)); }

constexpr uint32_t sel_error(uint16_t sel) { return sel & 0xfffc; }

// Runs the pushes onto a stack just switched to: a stack fault there names
// the new SS (Vol. 2A CALL, INT n: "#SS(error_code(NewSS, 0, EXT))"); a
// null 64-bit SS makes that #SS(EXT).
template <typename Push>
void with_new_stack_faults(uint32_t ss_error, Push&& push) {
  try {
    push();
  } catch (const GuestFault& f) {
    if (f.vector == vec::kSS) throw_fault(vec::kSS, ss_error);
    throw;
  }
}

// Checks a code-segment descriptor for a far JMP/CALL/RET target or a task's
// CS (Vol. 2A JMP, CALL: nonconforming needs DPL = CPL and RPL <= CPL;
// conforming DPL <= CPL; a return or task switch compares DPL with the RPL).
inline void check_code_target(uint64_t d, uint16_t selector, unsigned cpl, bool is_return, bool ia32e) {
  if (!code(d)) throw_fault(vec::kGP, sel_error(selector));
  unsigned rpl = selector & 3;
  if (is_return) {
    if (conforming(d) ? dpl(d) > rpl : dpl(d) != rpl) throw_fault(vec::kGP, sel_error(selector));
  } else if (conforming(d) ? dpl(d) > cpl : (rpl > cpl || dpl(d) != cpl)) {
    throw_fault(vec::kGP, sel_error(selector));
  }
  // Vol. 3A §5.2.1: L = 1 with D = 1 is reserved in IA-32e mode.
  if (ia32e && (d & (1ull << 53)) && (d & (1ull << 54))) throw_fault(vec::kGP, sel_error(selector));
  if (!present(d)) throw_fault(vec::kNP, sel_error(selector));
}

}  // namespace nv::descriptor
