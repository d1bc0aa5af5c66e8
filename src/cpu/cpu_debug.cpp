// Debug registers and debug exceptions (SDM Vol. 3B chapter 19): DR6/DR7
// fixed bits, general detection, instruction breakpoints, data watchpoints
// and single-step, reported through one #DB with the DR6 bits of all the
// conditions met.
#include "cpu/cpu.h"

#include <Zydis/Zydis.h>

#include <utility>

namespace nv {

namespace {

constexpr uint64_t kDr6Bs = 1u << 14, kDr6Bd = 1u << 13;
constexpr uint64_t kDr7Gd = 1u << 13;

unsigned dr7_rw(uint64_t dr7, unsigned n) { return (dr7 >> (16 + 4 * n)) & 3; }
unsigned dr7_len_bytes(uint64_t dr7, unsigned n) {
  static const unsigned bytes[4] = {1, 2, 8, 4};  // §19.2.5: LEN 10b is 8 bytes in IA-32e mode
  return bytes[(dr7 >> (18 + 4 * n)) & 3];
}

}  // namespace

void Cpu::write_dr(unsigned n, uint64_t v) {
  check_general_detect();
  // §19.2.3, §19.2.4: DR6 and DR7 have fixed bits; their upper 32 bits must
  // be 0 in 64-bit mode.
  if (n >= 6 && (v >> 32)) throw_fault(vec::kGP, 0);
  if (n == 6) v = (v & 0xe00f) | 0xffff0ff0;
  if (n == 7) v = (v & 0xffff2bff) | 0x400;
  s_.dr[n] = v;
  if (n != 7) return;
  exec_bp_mask_ = watch_mask_ = 0;
  for (unsigned b = 0; b < 4; ++b) {
    if (!((v >> (2 * b)) & 3)) continue;  // neither Ln nor Gn
    unsigned rw = dr7_rw(v, b);
    if (rw == 0) exec_bp_mask_ |= 1u << b;
    else if (rw != 2) watch_mask_ |= 1u << b;  // 10b: I/O breakpoints, not modelled
  }
  if (exec_bp_mask_ || watch_mask_) s_.pending |= pending::kBreakpoints;
  else s_.pending &= ~pending::kBreakpoints;
  update_alignment_check();
}

void Cpu::check_general_detect() {
  // §19.2.4: with DR7.GD set, any MOV DRn is a #DB fault with DR6.BD, and
  // GD is cleared so the handler can use the registers.
  if (!(s_.dr[7] & kDr7Gd)) return;
  s_.dr[6] |= kDr6Bd;
  s_.dr[7] &= ~kDr7Gd;
  throw_fault(vec::kDB);
}

namespace {
bool is_software_interrupt(uint16_t mnemonic) {
  return mnemonic == ZYDIS_MNEMONIC_INT || mnemonic == ZYDIS_MNEMONIC_INT1 || mnemonic == ZYDIS_MNEMONIC_INT3 ||
         mnemonic == ZYDIS_MNEMONIC_INTO;
}
}  // namespace

void Cpu::step_with_debug() {
  insn_rip_ = s_.rip;
  const bool tf = s_.rflags & rflags::kTF;
  try {
    if (debug_before_instruction()) {
      const DecodedInsn* i = fetch();
      s_.rip = insn_rip_ + i->length;
      i->handler(*this, *i);
      debug_after_instruction(i, tf);
    }
  } catch (const GuestFault& f) {
    deferred_watch_hits_ = 0;  // the fault's delivery ends MOV SS's blocking
    deliver_fault(f);
  }
  ++s_.icount;  // a delivered instruction breakpoint counts as a step too, as it always has
}

bool Cpu::debug_before_instruction() {
  rf_at_start_ = s_.rflags & rflags::kRF;
  watch_hits_ = 0;
  if (!exec_bp_mask_ || rf_at_start_) return true;  // RF suppresses instruction breakpoints (§19.3.1.1)
  // Intel processors inhibit instruction breakpoints on the instruction after
  // MOV SS/POP SS (Vol. 3A §6.8.3); AMD processors deliver them.
  if (movss_shadow_ && (s_.pending & pending::kShadow) && !amd_vendor()) return true;
  uint64_t lin = s_.seg[kCs].base + s_.rip;
  if (s_.mode != CpuMode::long64) lin &= 0xffffffff;
  uint8_t hits = 0;
  for (unsigned b = 0; b < 4; ++b)
    if ((exec_bp_mask_ >> b) & 1 && s_.dr[b] == lin) hits |= 1u << b;
  if (!hits) return true;
  // An instruction breakpoint is a fault: RIP stays at the instruction.
  s_.dr[6] = (s_.dr[6] & ~0xfull) | hits;
  raise_event(vec::kDB, EventKind::exception, std::nullopt);
  return false;
}

void Cpu::watch(uint64_t lin, unsigned size, bool write) {
  const uint64_t dr7 = s_.dr[7];
  for (unsigned b = 0; b < 4; ++b) {
    if (!((watch_mask_ >> b) & 1)) continue;
    if (dr7_rw(dr7, b) == 1 && !write) continue;  // 01b: writes only
    unsigned len = dr7_len_bytes(dr7, b);
    uint64_t start = s_.dr[b] & ~static_cast<uint64_t>(len - 1);
    if (lin < start + len && start < lin + size) watch_hits_ |= 1u << b;
  }
}

void Cpu::debug_after_instruction(const DecodedInsn* insn, bool tf_at_start) {
  // RF is cleared once an instruction completes, except by IRET, which
  // loads it (§19.3.1.1, Vol. 2A IRET).
  if (rf_at_start_ && insn->mnemonic != ZYDIS_MNEMONIC_IRET && insn->mnemonic != ZYDIS_MNEMONIC_IRETD &&
      insn->mnemonic != ZYDIS_MNEMONIC_IRETQ)
    s_.rflags &= ~rflags::kRF;
  if (!exec_bp_mask_ && !watch_mask_ && !(s_.rflags & rflags::kRF)) s_.pending &= ~pending::kBreakpoints;
  // MOV SS blocks the debug traps of its own instruction (§6.8.3): its
  // single-step trap is lost, its data breakpoints wait for the end of the
  // next instruction (what kvm-unit-tests' debug test checks on hardware).
  if (shadow_armed_ && movss_shadow_) {
    deferred_watch_hits_ = watch_hits_;
    return;
  }
  uint64_t bits = watch_hits_ | std::exchange(deferred_watch_hits_, 0);
  // INT n, INT3, INTO and INT1 that delivered their interrupt cleared TF on
  // the way in: no single-step trap follows them (Vol. 3B, "Single-Step
  // Exception Condition"). INT1's own #DB carries the other debug
  // conditions: its handler has not run yet, so they go into DR6.
  const bool delivered_soft_interrupt =
      is_software_interrupt(insn->mnemonic) && (insn->mnemonic != ZYDIS_MNEMONIC_INTO || condition(0));
  if (tf_at_start && !delivered_soft_interrupt && !std::exchange(step_done_, false)) bits |= kDr6Bs;
  if (!bits) return;
  s_.dr[6] = (s_.dr[6] & ~0xfull) | bits;
  if (delivered_soft_interrupt && insn->mnemonic == ZYDIS_MNEMONIC_INT1) return;
  raise_event(vec::kDB, EventKind::exception, std::nullopt);
}

}  // namespace nv
