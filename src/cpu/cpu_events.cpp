// Exception and interrupt delivery (SDM Vol. 3A chapter 6): the real-mode
// IVT, protected-mode (also from virtual-8086 mode, §20.3) and IA-32e IDT
// gates with the TSS stack switch and IST, error codes, and the
// double/triple fault rules of Table 6-5.
#include "cpu/cpu.h"
#include "cpu/cpu_task_switch.h"
#include "cpu/segment_descriptor.h"

#include "util/log.h"

namespace nv {

namespace desc = descriptor;
using descriptor::sel_error;

namespace {

// Vol. 3A Table 6-4: the contributory exceptions.
bool contributory(uint8_t v) { return v == vec::kDE || (v >= vec::kTS && v <= vec::kGP); }

// Vol. 3A §18.3.1.1 (and Table 6-1): the EFLAGS image a fault pushes has RF
// set, so IRET back to the faulting instruction is not stopped by an
// instruction breakpoint again; traps (#BP, #OF, #DB traps) and interrupts
// push RF as it is.
uint32_t pushed_flags(uint32_t flags, uint8_t vector, bool exception) {
  bool fault = exception && vector != vec::kDB && vector != vec::kBP && vector != vec::kOF;
  return fault ? flags | rflags::kRF : flags;
}

bool pushes_error_code(uint8_t v) {
  return v == vec::kDF || (v >= vec::kTS && v <= vec::kPF) || v == vec::kAC || v == 21;
}

}  // namespace

void Cpu::raise_exception(uint8_t vector, std::optional<uint32_t> error_code) {
  if (!error_code && pushes_error_code(vector)) error_code = 0;
  raise_event(vector, EventKind::exception, error_code);
}

// Vol. 3A §20.3.3.4-5, Table 20-2: with CR4.VME, INT n in virtual-8086 mode
// whose bit in the TSS's interrupt redirection bitmap (the 32 bytes below the
// I/O map base) is 0 goes through the virtual-8086 program's own IVT at
// linear 0, as in real mode (methods 5 and 6).
bool Cpu::int_n_redirected(uint8_t vector) {
  if (!(s_.cr4 & cr4::kVME)) return false;
  const AccessType sup = AccessType::implicit_supervisor(AccessKind::read);
  const uint64_t map = read_linear(s_.tr.base + 0x66, 2, sup);
  const uint64_t byte = map - 32 + vector / 8;
  if (map < 32 || byte > s_.tr.limit) throw_fault(vec::kGP, 0);
  return !((read_linear(s_.tr.base + byte, 1, sup) >> (vector & 7)) & 1);
}

// Method 5 (IOPL 3) pushes FLAGS, CS and IP and clears IF; method 6 (IOPL < 3)
// pushes VIF as IF and IOPL as 3, and clears VIF instead. TF, AC and RF are
// cleared as in real mode.
void Cpu::deliver_virtual_8086_redirected(uint8_t vector) {
  const uint64_t entry = read_linear(vector * 4u, 4, data_access(AccessKind::read));
  const uint32_t f = rflags();
  const bool virtual_if = iopl() < 3;
  push(virtual_if ? (f & ~rflags::kIF) | ((f & rflags::kVIF) ? rflags::kIF : 0) | rflags::kIOPL : f, 2);
  push(s_.seg[kCs].selector, 2);
  push(s_.rip, 2);
  s_.rflags &= ~((virtual_if ? rflags::kVIF : rflags::kIF) | rflags::kTF | rflags::kAC | rflags::kRF);
  update_alignment_check();
  load_real_segment(kCs, static_cast<uint16_t>(entry >> 16));
  s_.rip = entry & 0xffff;
}

void Cpu::software_interrupt(uint8_t vector, bool is_int_n) {
  if (is_int_n && (s_.rflags & rflags::kVM)) {
    if (int_n_redirected(vector)) {
      deliver_virtual_8086_redirected(vector);
      return;
    }
    // Vol. 3A §20.3.3: otherwise INT n in virtual-8086 mode with IOPL < 3 is #GP(0).
    if (iopl() < 3) throw_fault(vec::kGP, 0);
  }
  // INT3 and INTO are software exceptions, which the exception bitmap can
  // turn into VM exits; INT n never exits (Vol. 3C §26.2).
  if (!is_int_n && intercept({.reason = ExitReason::exception_or_nmi,
                              .vector = vector,
                              .type = InterruptionType::software_exception}))
    return;
  // A fault while delivering a software interrupt is the instruction's: it
  // propagates to the loop, which rewinds RIP to the INT.
  deliver(vector, is_int_n ? EventKind::software : EventKind::software_exception, std::nullopt);
}

void Cpu::raise_event(uint8_t vector, EventKind kind, std::optional<uint32_t> error) {
  for (;;) {
    // Exceptions, the #DF of two and faults during delivery each pass the
    // VM-exit hook (Vol. 3C §26.2; external interrupts and NMIs passed it in
    // accept_interrupts).
    if (kind == EventKind::exception && intercept({.reason = ExitReason::exception_or_nmi,
                                                   .vector = vector,
                                                   .type = InterruptionType::hardware_exception,
                                                   .error_valid = error.has_value(),
                                                   .error_code = error.value_or(0)}))
      return;
    try {
      deliver(vector, kind, error);
      return;
    } catch (const GuestFault& f) {
      const bool first_is_exception = kind == EventKind::exception;
      if (first_is_exception && vector == vec::kDF) {
        // Vol. 3A §6.15, interrupt 8: a fault while delivering #DF shuts the
        // processor down; the platform resets. Under VMX it is a VM exit (§26.2).
        if (intercept({.reason = ExitReason::triple_fault})) return;
        log_info("emu vCPU {}: triple fault at rip {:#x}, resetting", index_, s_.rip);
        shutdown_ = true;
        control_.request_reset();
        return;
      }
      bool df = first_is_exception && ((contributory(vector) && contributory(f.vector)) ||
                                       (vector == vec::kPF && (contributory(f.vector) || f.vector == vec::kPF)));
      kind = EventKind::exception;
      if (df) {
        vector = vec::kDF;
        error = 0;
      } else {
        vector = f.vector;
        error = std::nullopt;
        if (f.has_error) error = f.error;
        else if (pushes_error_code(f.vector)) error = 0;
      }
    }
  }
}

void Cpu::deliver(uint8_t vector, EventKind kind, std::optional<uint32_t> error) {
  // Delivery changes nothing when it faults part-way (the second event is
  // then delivered from the original state); CR2 keeps a #PF's address.
  const VcpuState saved = s_;
  try {
    if (!protected_mode()) deliver_real(vector);
    else if (long_mode_active()) deliver_long(vector, kind, error);
    else deliver_protected(vector, kind, error);
  } catch (const TaskSwitchFault&) {
    throw;  // past a task switch's commit point: the fault is the new task's (§8.3)
  } catch (const GuestFault&) {
    uint64_t cr2 = s_.cr2;
    s_ = saved;
    s_.cr2 = cr2;
    throw;
  }
  s_.halted = 0;
  // Delivery ends any interrupt shadow (Vol. 3A §6.8.3).
  s_.pending &= ~pending::kShadow;
  shadow_armed_ = false;
}

void Cpu::deliver_real(uint8_t vector) {
  // Vol. 3A §20.1.4: IVT entries are 4 bytes (offset, segment); FLAGS, CS
  // and IP are pushed; IF, TF, AC and RF are cleared.
  if (vector * 4u + 3 > s_.idtr.limit) throw_fault(vec::kGP, vector * 8u + 2);
  uint64_t entry = read_linear(s_.idtr.base + vector * 4u, 4, AccessType::implicit_supervisor(AccessKind::read));
  push(rflags(), 2);
  push(s_.seg[kCs].selector, 2);
  push(s_.rip, 2);
  s_.rflags &= ~(rflags::kIF | rflags::kTF | rflags::kAC | rflags::kRF);
  load_real_segment(kCs, static_cast<uint16_t>(entry >> 16));
  s_.rip = entry & 0xffff;
}

void Cpu::deliver_protected(uint8_t vector, EventKind kind, std::optional<uint32_t> error) {
  const uint32_t ext = (kind == EventKind::exception || kind == EventKind::external) ? 1 : 0;
  const uint32_t idt_error = vector * 8u + 2 + ext;
  const AccessType sup_read = AccessType::implicit_supervisor(AccessKind::read);
  // Vol. 3A §6.11-6.12.1.
  if (vector * 8u + 7 > s_.idtr.limit) throw_fault(vec::kGP, idt_error);
  uint64_t gate = read_linear(s_.idtr.base + vector * 8u, 8, sup_read);
  unsigned type = (gate >> 40) & 0x1f;
  unsigned gate_dpl = (gate >> 45) & 3;
  if (type != 0x5 && type != 0x6 && type != 0x7 && type != 0xe && type != 0xf) throw_fault(vec::kGP, idt_error);
  if ((kind == EventKind::software || kind == EventKind::software_exception) && gate_dpl < s_.cpl)
    throw_fault(vec::kGP, vector * 8u + 2);
  if (!(gate & (1ull << 47))) throw_fault(vec::kNP, idt_error);
  const uint32_t old_flags = rflags();
  if (type == 0x5) {
    // §6.12.2: a task gate runs the handler as a task (also from
    // virtual-8086 mode); the interrupted state goes into the current TSS,
    // with RF set in the EFLAGS image for a fault (§18.3.1.1).
    task_switch(static_cast<uint16_t>(gate >> 16), TaskSource::event,
                pushed_flags(old_flags, vector, kind == EventKind::exception), ext,
                kind == EventKind::exception ? error : std::nullopt);
    return;
  }
  // Vol. 2A INT n: the handler's code segment, then (PROTECTED-MODE,
  // INTERRUPT-FROM-VIRTUAL-8086-MODE) the level it runs at.
  const uint16_t sel = desc::gate_selector(gate);
  const uint32_t offset = desc::gate_offset(gate) & ((type & 8) ? 0xffffffff : 0xffff);
  if ((sel & 0xfffc) == 0) throw_fault(vec::kGP, ext);
  const uint32_t sel_ext = sel_error(sel) + ext;
  uint64_t d = read_descriptor(sel, sel_ext);
  if (!desc::code(d) || desc::dpl(d) > s_.cpl) throw_fault(vec::kGP, sel_ext);
  if (!desc::present(d)) throw_fault(vec::kNP, sel_ext);
  const unsigned new_cpl = desc::conforming(d) ? s_.cpl : desc::dpl(d);
  // §20.3.1.1: from virtual-8086 mode only to a nonconforming segment of DPL 0.
  const bool v86 = s_.rflags & rflags::kVM;
  if (v86 && new_cpl != 0) throw_fault(vec::kGP, sel_ext);
  const unsigned size = (type & 8) ? 4 : 2;
  const uint16_t old_cs = s_.seg[kCs].selector, old_ss = s_.seg[kSs].selector;
  const uint64_t old_rip = s_.rip, old_sp = s_.gpr[kRsp];
  const bool inner = new_cpl < s_.cpl;
  const uint32_t ss_error = inner ? switch_to_tss_stack(new_cpl, ext) : ext;
  if (offset > desc::limit(d)) throw_fault(vec::kGP, ext);
  // The pushes below are protected-mode accesses to the new stack.
  s_.rflags &= ~rflags::kVM;
  descriptor::with_new_stack_faults(ss_error, [&] {
    // §20.3.1.1, Figure 20-2: a virtual-8086 frame starts with GS, FS, DS, ES.
    if (v86)
      for (unsigned seg : {kGs, kFs, kDs, kEs}) push(s_.seg[seg].selector, size);
    if (inner) {
      push(old_ss, size);
      push(old_sp, size);
    }
    push(pushed_flags(old_flags, vector, kind == EventKind::exception), size);
    push(old_cs, size);
    push(old_rip, size);
    if (kind == EventKind::exception && error) push(*error, size);
  });
  if (v86)
    for (unsigned seg : {kEs, kDs, kFs, kGs}) s_.seg[seg] = {0, 0, 0, 0};  // null selectors: unusable
  set_accessed(sel, d);
  set_segment_from_descriptor(kCs, static_cast<uint16_t>((sel & 0xfffc) | new_cpl), d);
  s_.cpl = static_cast<uint8_t>(new_cpl);
  s_.rip = offset;
  uint32_t clear = rflags::kTF | rflags::kNT | rflags::kVM | rflags::kRF;
  if (!(type & 1)) clear |= rflags::kIF;  // interrupt gate (§6.12.1.3)
  set_rflags(old_flags & ~clear);
  update_mode();
}

// CALL through a call gate or an event to an inner level outside IA-32e
// mode (Vol. 2A CALL, INT n): the stack for `new_cpl` comes from the current
// TSS (§8.7 Figure 8-2, 32-bit: SSn:ESPn; §8.6 Figure 8-11, 16-bit: SSn:SPn).
// Its faults carry EXT; a selector outside its table is #TS, not #GP.
uint32_t Cpu::switch_to_tss_stack(unsigned new_cpl, uint32_t ext) {
  const AccessType sup_read = AccessType::implicit_supervisor(AccessKind::read);
  const SegmentCache& tr = s_.tr;
  const bool tss32 = tr.type() >= 9;
  const uint64_t sp_at = tss32 ? 4 + new_cpl * 8 : 2 + new_cpl * 4;
  const unsigned sp_size = tss32 ? 4 : 2;
  if (sp_at + sp_size + 1 > tr.limit) throw_fault(vec::kTS, sel_error(tr.selector) + ext);
  const uint64_t sp = read_linear(tr.base + sp_at, sp_size, sup_read);
  const uint16_t ss = static_cast<uint16_t>(read_linear(tr.base + sp_at + sp_size, 2, sup_read));
  if ((ss & 0xfffc) == 0) throw_fault(vec::kTS, ext);
  const uint32_t ss_error = sel_error(ss) + ext;
  uint64_t ssd = 0;
  try {
    ssd = read_descriptor(ss, ss_error);
  } catch (const GuestFault& f) {
    if (f.vector == vec::kGP) throw_fault(vec::kTS, ss_error);
    throw;
  }
  if ((ss & 3) != new_cpl || desc::dpl(ssd) != new_cpl || !desc::writable_data(ssd)) throw_fault(vec::kTS, ss_error);
  if (!desc::present(ssd)) throw_fault(vec::kSS, ss_error);
  s_.cpl = static_cast<uint8_t>(new_cpl);
  set_accessed(ss, ssd);
  set_segment_from_descriptor(kSs, ss, ssd);
  s_.gpr[kRsp] = sp;
  return ss_error;
}

void Cpu::deliver_long(uint8_t vector, EventKind kind, std::optional<uint32_t> error) {
  const uint32_t ext = (kind == EventKind::exception || kind == EventKind::external) ? 1 : 0;
  const uint32_t idt_error = vector * 8u + 2 + ext;
  const AccessType sup_read = AccessType::implicit_supervisor(AccessKind::read);
  // Vol. 3A §6.14.1: 16-byte gates, 64-bit interrupt and trap gates only.
  if (vector * 16u + 15 > s_.idtr.limit) throw_fault(vec::kGP, idt_error);
  uint64_t lo = read_linear(s_.idtr.base + vector * 16u, 8, sup_read);
  uint64_t hi = read_linear(s_.idtr.base + vector * 16u + 8, 8, sup_read);
  unsigned type = (lo >> 40) & 0x1f;
  if (type != 0xe && type != 0xf) throw_fault(vec::kGP, idt_error);
  if ((kind == EventKind::software || kind == EventKind::software_exception) && ((lo >> 45) & 3) < s_.cpl)
    throw_fault(vec::kGP, vector * 8u + 2);
  if (!(lo & (1ull << 47))) throw_fault(vec::kNP, idt_error);
  uint16_t sel = static_cast<uint16_t>(lo >> 16);
  uint64_t offset = (lo & 0xffff) | (((lo >> 48) & 0xffff) << 16) | ((hi & 0xffffffff) << 32);
  unsigned ist = (lo >> 32) & 7;
  if ((sel & 0xfffc) == 0) throw_fault(vec::kGP, ext);
  uint64_t d = read_descriptor(sel, (sel & 0xfffc) + ext);
  unsigned cdpl = (d >> 45) & 3;
  bool code = (d & (1ull << 44)) && (d & (1ull << 43));
  bool conforming = code && (d & (1ull << 42));
  bool l = d & (1ull << 53), db = d & (1ull << 54);
  if (!code || !l || db || cdpl > s_.cpl) throw_fault(vec::kGP, (sel & 0xfffc) + ext);
  if (!(d & (1ull << 47))) throw_fault(vec::kNP, (sel & 0xfffc) + ext);
  const uint32_t old_flags = rflags();
  const uint16_t old_cs = s_.seg[kCs].selector, old_ss = s_.seg[kSs].selector;
  const uint64_t old_rip = s_.rip, old_sp = s_.gpr[kRsp];
  unsigned new_cpl = conforming ? s_.cpl : cdpl;
  uint64_t rsp = old_sp;
  if (ist != 0 || new_cpl < s_.cpl) {
    // §6.14.4-6.14.5: RSPn or ISTn from the 64-bit TSS.
    uint64_t at = ist ? 0x24 + (ist - 1) * 8 : 4 + new_cpl * 8;
    if (at + 7 > s_.tr.limit) throw_fault(vec::kTS, (s_.tr.selector & 0xfffc) + ext);
    rsp = read_linear(s_.tr.base + at, 8, sup_read);
  }
  if (!canonical(rsp)) throw_fault(vec::kSS, ext);
  rsp &= ~0xfull;  // §6.14.2: the new stack is 16-byte aligned
  const AccessType push_access = AccessType::explicit_access(AccessKind::write, new_cpl, false);
  auto push64 = [&](uint64_t v) {
    rsp -= 8;
    write_linear(rsp, 8, v, push_access);
  };
  push64(old_ss);
  push64(old_sp);
  push64(pushed_flags(old_flags, vector, kind == EventKind::exception));
  push64(old_cs);
  push64(old_rip);
  if (kind == EventKind::exception && error) push64(*error);
  if (new_cpl < s_.cpl) s_.seg[kSs] = {0, 0, static_cast<uint16_t>(new_cpl), static_cast<uint16_t>((new_cpl << 5) | 0x4000)};
  set_accessed(sel, d);
  set_segment_from_descriptor(kCs, static_cast<uint16_t>((sel & 0xfffc) | new_cpl), d);
  s_.cpl = static_cast<uint8_t>(new_cpl);
  s_.gpr[kRsp] = rsp;
  s_.rip = offset;
  uint32_t clear = rflags::kTF | rflags::kNT | rflags::kVM | rflags::kRF;
  if (!(type & 1)) clear |= rflags::kIF;
  set_rflags(old_flags & ~clear);
  update_mode();
}

}  // namespace nv
