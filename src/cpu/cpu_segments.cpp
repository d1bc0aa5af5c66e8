// Segment descriptors and the instructions that load them: MOV/POP Sreg,
// far JMP/CALL (also through call gates)/RET, IRET (also back to
// virtual-8086 mode), LLDT, LTR, SYSCALL/SYSRET and SYSENTER/SYSEXIT
// (SDM Vol. 3A chapter 3 and §5.8, and the instructions' pages in Vol. 2);
// task switches through far JMP/CALL and IRET are in cpu_task_switch.cpp.
#include "cpu/cpu.h"
#include "cpu/segment_descriptor.h"

namespace nv {

namespace desc = descriptor;
using descriptor::check_code_target;
using descriptor::sel_error;

uint64_t Cpu::read_descriptor(uint16_t selector, uint32_t error_code) {
  bool ldt = selector & 4;
  const uint64_t base = ldt ? s_.ldtr.base : s_.gdtr.base;
  const uint32_t limit = ldt ? s_.ldtr.limit : s_.gdtr.limit;
  uint32_t offset = selector & 0xfff8;
  if ((ldt && !s_.ldtr.present()) || offset + 7 > limit) throw_fault(vec::kGP, error_code);
  return read_linear(base + offset, 8, AccessType::implicit_supervisor(AccessKind::read));
}

uint64_t Cpu::read_descriptor_upper_half(uint16_t selector, uint32_t error_code) {
  // IA-32e mode's 16-byte system descriptors and gates (Vol. 3A §7.2.3
  // Figure 7-4, §5.8.3.1): the upper 8 bytes lie within the table, their type
  // field (bits 12:8 of the high doubleword) is 0, and bits 31:0 hold bits
  // 63:32 of the base or offset.
  if ((selector | 7) == 0xffff) throw_fault(vec::kGP, error_code);
  const uint64_t upper = read_descriptor(static_cast<uint16_t>(selector + 8), error_code);
  if ((upper >> 40) & 0x1f) throw_fault(vec::kGP, error_code);
  return upper & 0xffffffff;
}

void Cpu::set_accessed(uint16_t selector, uint64_t& desc) {
  // Vol. 3A §3.4.5.1: the CPU sets the accessed bit when it loads a descriptor.
  if (desc & (1ull << 40)) return;
  desc |= 1ull << 40;
  uint64_t base = (selector & 4) ? s_.ldtr.base : s_.gdtr.base;
  write_linear(base + (selector & 0xfff8) + 5, 1, desc >> 40, AccessType::implicit_supervisor(AccessKind::write));
}

void Cpu::set_segment_from_descriptor(unsigned seg, uint16_t selector, uint64_t d) {
  SegmentCache& sc = s_.seg[seg];
  sc.selector = selector;
  sc.base = desc::base(d);
  sc.limit = desc::limit(d);
  sc.attr = desc::attr(d);
  if (seg == kCs || seg == kSs) s_.pending |= pending::kModeChanged;
}

void Cpu::load_real_segment(unsigned seg, uint16_t selector) {
  // Real and virtual-8086 mode: base = selector << 4 (Vol. 3A §20.1.1); the
  // rest of the cache keeps what it held (so "unreal mode" works), except in
  // virtual-8086 mode where every segment is 64 KiB read/write, DPL 3.
  SegmentCache& sc = s_.seg[seg];
  sc.selector = selector;
  sc.base = static_cast<uint64_t>(selector) << 4;
  if (s_.rflags & rflags::kVM) {
    sc.limit = 0xffff;
    sc.attr = seg == kCs ? 0xfb : 0xf3;
  }
  if (seg == kCs) s_.pending |= pending::kModeChanged;
}

void Cpu::load_segment(unsigned seg, uint16_t selector) {
  if (!protected_mode() || (s_.rflags & rflags::kVM)) {
    load_real_segment(seg, selector);
    if (seg == kSs) set_interrupt_shadow(true);
    return;
  }
  const unsigned rpl = selector & 3;
  if ((selector & 0xfffc) == 0) {
    // Vol. 2A MOV: a null selector may be loaded into DS/ES/FS/GS; into SS
    // only in 64-bit mode at CPL < 3 with RPL = CPL.
    if (seg == kSs && !(s_.mode == CpuMode::long64 && s_.cpl < 3 && rpl == s_.cpl)) throw_fault(vec::kGP, 0);
    SegmentCache& sc = s_.seg[seg];
    sc.selector = selector;
    sc.attr = static_cast<uint16_t>(seg == kSs ? (s_.cpl << 5) | 0x4000 : 0);  // unusable
    sc.base = 0;
    sc.limit = 0;
    if (seg == kSs) set_interrupt_shadow(true);
    return;
  }
  uint64_t d = read_descriptor(selector, sel_error(selector));
  if (seg == kSs) {
    if (rpl != s_.cpl || desc::dpl(d) != s_.cpl || !desc::writable_data(d)) throw_fault(vec::kGP, sel_error(selector));
    if (!desc::present(d)) throw_fault(vec::kSS, sel_error(selector));
  } else {
    if (!desc::s(d) || !desc::readable(d)) throw_fault(vec::kGP, sel_error(selector));
    if (!desc::conforming(d) && (rpl > desc::dpl(d) || s_.cpl > desc::dpl(d)))
      throw_fault(vec::kGP, sel_error(selector));
    if (!desc::present(d)) throw_fault(vec::kNP, sel_error(selector));
  }
  set_accessed(selector, d);
  set_segment_from_descriptor(seg, selector, d);
  if (seg == kSs) set_interrupt_shadow(true);  // Vol. 2A MOV: loading SS inhibits interrupts for one instruction
}

// Real-address and virtual-8086 mode far JMP/CALL/RET and IRET: the new IP
// must be within the CS limit, which loading CS there does not change (the
// v86 limit is always FFFFH), else #GP(0) before anything changes (Vol. 2A
// JMP, CALL, RET, IRET; Vol. 3A §5.3).
void Cpu::check_real_mode_target(uint64_t ip) const {
  if (ip > s_.seg[kCs].limit) throw_fault(vec::kGP, 0);
}

void Cpu::far_jump(uint16_t selector, uint64_t offset, unsigned osize, bool is_call) {
  if (!protected_mode() || (s_.rflags & rflags::kVM)) {
    offset &= size_mask(osize);
    check_real_mode_target(offset);
    if (is_call) {
      push(s_.seg[kCs].selector, osize);
      push(s_.rip, osize);
    }
    load_real_segment(kCs, selector);
    s_.rip = offset;
    return;
  }
  if ((selector & 0xfffc) == 0) throw_fault(vec::kGP, 0);
  uint64_t d = read_descriptor(selector, sel_error(selector));
  const bool ia32e = long_mode_active();
  if (!desc::s(d)) {
    // A task gate or TSS switches tasks (Vol. 3A §8.3); IA-32e mode has no
    // task switching and its type 9 is a 64-bit TSS (§8.7): #GP.
    if (!ia32e && (desc::type(d) == 5 || desc::tss(d))) {
      far_jump_to_task(selector, d, is_call);
      return;
    }
    if (!desc::call_gate(d, ia32e)) throw_fault(vec::kGP, sel_error(selector));
    far_jump_through_call_gate(selector, d, is_call);
    return;
  }
  check_code_target(d, selector, s_.cpl, false, ia32e);
  const bool target64 = ia32e && (d & (1ull << 53));
  if (!target64) {
    offset &= size_mask(osize);
    if (offset > desc::limit(d)) throw_fault(vec::kGP, 0);
  } else if (!canonical(offset)) {
    throw_fault(vec::kGP, 0);
  }
  if (is_call) {
    push(s_.seg[kCs].selector, osize);
    push(s_.rip, osize);
  }
  set_accessed(selector, d);
  set_segment_from_descriptor(kCs, static_cast<uint16_t>((selector & ~3) | s_.cpl), d);
  s_.rip = offset;
  update_mode();
}

// Far JMP/CALL through a call gate (Vol. 3A §5.8.3-5.8.5; Vol. 2A CALL
// "CALL-GATE", JMP). The gate names the code segment and offset; JMP never
// changes CPL, CALL to a nonconforming segment of a more privileged DPL
// switches to that level's stack from the TSS and, outside IA-32e mode,
// copies the gate's count of words (16-bit gate) or doublewords (32-bit)
// from the caller's stack. The gate's size, not the instruction's operand
// size, sets the width of the pushes and of the offset.
void Cpu::far_jump_through_call_gate(uint16_t gate_selector, uint64_t gate, bool is_call) {
  const bool ia32e = long_mode_active();
  const uint32_t gate_error = sel_error(gate_selector);
  // §5.8.4: the gate's DPL must be >= CPL and >= the gate selector's RPL.
  if (desc::dpl(gate) < s_.cpl || desc::dpl(gate) < (gate_selector & 3u)) throw_fault(vec::kGP, gate_error);
  if (!desc::present(gate)) throw_fault(vec::kNP, gate_error);
  uint64_t offset = desc::gate_offset(gate);
  unsigned size = desc::type(gate) == 4 ? 2 : 4;
  if (ia32e) {
    offset |= read_descriptor_upper_half(gate_selector, gate_error) << 32;
    size = 8;
  } else if (size == 2) {
    offset &= 0xffff;
  }
  const uint16_t cs = desc::gate_selector(gate);
  if ((cs & 0xfffc) == 0) throw_fault(vec::kGP, 0);
  uint64_t d = read_descriptor(cs, sel_error(cs));
  // The target: code with DPL <= CPL (its RPL is ignored); JMP to a
  // nonconforming one needs DPL = CPL; IA-32e mode needs 64-bit code.
  const bool conforming = desc::conforming(d);
  if (!desc::code(d) || desc::dpl(d) > s_.cpl || (!is_call && !conforming && desc::dpl(d) != s_.cpl))
    throw_fault(vec::kGP, sel_error(cs));
  if (ia32e && !desc::code64(d)) throw_fault(vec::kGP, sel_error(cs));
  if (!desc::present(d)) throw_fault(vec::kNP, sel_error(cs));
  const unsigned old_cpl = s_.cpl;
  const unsigned new_cpl = conforming ? old_cpl : desc::dpl(d);
  const uint16_t old_cs = s_.seg[kCs].selector, old_ss = s_.seg[kSs].selector;
  const uint64_t old_rip = s_.rip, old_sp = s_.gpr[kRsp];
  // A fault from here on (TSS stack, new stack, offset) leaves the caller's state as it was.
  const VcpuState saved = s_;
  try {
    uint64_t params[31];
    const unsigned count = new_cpl < old_cpl && !ia32e ? desc::gate_param_count(gate) : 0;
    for (unsigned k = 0; k < count; ++k) params[k] = peek_stack(k * size, size);
    uint32_t ss_error = 0;
    if (new_cpl < old_cpl) {
      if (ia32e) {
        // §5.8.5, §8.7: RSPn from the 64-bit TSS; SS becomes a null selector with RPL = new CPL.
        const uint64_t at = 4 + new_cpl * 8;
        if (at + 7 > s_.tr.limit) throw_fault(vec::kTS, sel_error(s_.tr.selector));
        s_.gpr[kRsp] = read_linear(s_.tr.base + at, 8, AccessType::implicit_supervisor(AccessKind::read));
        s_.seg[kSs] = {0, 0, static_cast<uint16_t>(new_cpl), static_cast<uint16_t>((new_cpl << 5) | 0x4000)};
        s_.cpl = static_cast<uint8_t>(new_cpl);
      } else {
        ss_error = switch_to_tss_stack(new_cpl, 0);
      }
    }
    if (ia32e ? !canonical(offset) : offset > desc::limit(d)) throw_fault(vec::kGP, 0);
    // CS first: a compatibility-mode caller of a 64-bit gate pushes with the 64-bit RSP.
    set_accessed(cs, d);
    set_segment_from_descriptor(kCs, static_cast<uint16_t>((cs & 0xfffc) | new_cpl), d);
    s_.rip = offset;
    update_mode();
    if (!is_call) return;
    descriptor::with_new_stack_faults(ss_error, [&] {
      if (new_cpl < old_cpl) {
        push(old_ss, size);
        push(old_sp, size);
        for (unsigned k = count; k-- > 0;) push(params[k], size);
      }
      push(old_cs, size);
      push(old_rip, size);
    });
  } catch (const GuestFault&) {
    const uint64_t cr2 = s_.cr2;
    s_ = saved;
    s_.cr2 = cr2;
    throw;
  }
}

// After a return to an outer level, data segments the new CPL may not use
// become null (Vol. 2A RET, IRET: "FOR each of segment register ES, FS, GS, DS").
static void null_inaccessible_segments(VcpuState& s) {
  for (unsigned seg : {kEs, kDs, kFs, kGs}) {
    SegmentCache& sc = s.seg[seg];
    bool conforming_code = (sc.type() & 0xc) == 0xc;
    if (sc.present() && sc.s() && !conforming_code && sc.dpl() < s.cpl) {
      sc.selector = 0;
      sc.attr = 0;
    }
  }
}

void Cpu::far_return(unsigned osize, uint16_t pop_bytes) {
  if (!protected_mode() || (s_.rflags & rflags::kVM)) {
    const uint64_t ip = peek_stack(0, osize);
    check_real_mode_target(ip);
    pop(osize);
    uint16_t cs = static_cast<uint16_t>(pop(osize));
    set_sp(s_.gpr[kRsp] + pop_bytes);
    load_real_segment(kCs, cs);
    s_.rip = ip;
    return;
  }
  uint64_t ip = peek_stack(0, osize);
  uint16_t cs = static_cast<uint16_t>(peek_stack(osize, osize));
  unsigned rpl = cs & 3;
  if ((cs & 0xfffc) == 0 || rpl < s_.cpl) throw_fault(vec::kGP, sel_error(cs));
  uint64_t d = read_descriptor(cs, sel_error(cs));
  const bool ia32e = long_mode_active();
  check_code_target(d, cs, s_.cpl, true, ia32e);
  const bool target64 = ia32e && (d & (1ull << 53));
  if (target64 && !canonical(ip)) throw_fault(vec::kGP, 0);
  if (rpl == s_.cpl) {
    if (!target64 && ip > desc::limit(d)) throw_fault(vec::kGP, 0);
    set_sp(s_.gpr[kRsp] + 2 * osize + pop_bytes);
    set_accessed(cs, d);
    set_segment_from_descriptor(kCs, cs, d);
    s_.rip = ip;
    update_mode();
    return;
  }
  // Return to an outer level: SS:rSP follow CS:rIP (and the imm16 bytes).
  uint64_t sp = peek_stack(2 * osize + pop_bytes, osize);
  uint16_t ss = static_cast<uint16_t>(peek_stack(3 * osize + pop_bytes, osize));
  return_to_outer_level(cs, d, ss, rpl, target64, ip);
  update_mode();
  set_sp(sp + pop_bytes);
  null_inaccessible_segments(s_);
}

// The part far RET and IRET share when they return with a stack switch
// (Vol. 2A RET, "RETURN-TO-OUTER-PRIVILEGE-LEVEL", and IRET): check the SS
// selector popped from the stack (a null SS only for a 64-bit target below
// ring 3), then load CS, CPL, SS and RIP. The caller pops and sets RSP.
void Cpu::return_to_outer_level(uint16_t cs, uint64_t cs_desc, uint16_t ss, unsigned rpl, bool target64,
                                uint64_t ip) {
  uint64_t ssd = 0;
  bool null_ss = (ss & 0xfffc) == 0;
  if (null_ss) {
    if (!(target64 && rpl < 3)) throw_fault(vec::kGP, 0);
  } else {
    ssd = read_descriptor(ss, sel_error(ss));
    if ((ss & 3) != rpl || desc::dpl(ssd) != rpl || !desc::writable_data(ssd)) throw_fault(vec::kGP, sel_error(ss));
    if (!desc::present(ssd)) throw_fault(vec::kSS, sel_error(ss));
  }
  if (!target64 && ip > desc::limit(cs_desc)) throw_fault(vec::kGP, 0);
  set_accessed(cs, cs_desc);
  set_segment_from_descriptor(kCs, cs, cs_desc);
  s_.cpl = static_cast<uint8_t>(rpl);
  if (null_ss) {
    s_.seg[kSs] = {0, 0, ss, static_cast<uint16_t>((rpl << 5) | 0x4000)};
  } else {
    set_accessed(ss, ssd);
    set_segment_from_descriptor(kSs, ss, ssd);
  }
  s_.rip = ip;
}

void Cpu::iret(unsigned osize) {
  nmi_blocked_ = false;  // Vol. 3A §6.7.1: IRET ends NMI blocking, even when it faults
  s_.pending |= pending::kInterrupt;  // an NMI held back meanwhile is taken now, whatever IF is
  constexpr uint32_t kAlways = rflags::kCF | rflags::kPF | rflags::kAF | rflags::kZF | rflags::kSF | rflags::kTF |
                               rflags::kDF | rflags::kOF | rflags::kNT | rflags::kRF | rflags::kAC | rflags::kID;
  const uint32_t old = rflags();
  auto merge_flags = [&](uint64_t popped, unsigned cpl_before) {
    // Vol. 2A IRET: IOPL changes only at CPL 0, IF only at CPL <= IOPL; a
    // 16-bit IRET changes only FLAGS' low 16 bits.
    uint32_t mask = kAlways;
    if (cpl_before <= iopl()) mask |= rflags::kIF;
    if (cpl_before == 0) mask |= rflags::kIOPL | rflags::kVIF | rflags::kVIP;
    if (osize == 2) mask &= 0xffff;
    set_rflags((old & ~mask) | (static_cast<uint32_t>(popped) & mask));
  };
  if (!protected_mode()) {
    const uint64_t ip = peek_stack(0, osize);
    check_real_mode_target(ip);
    pop(osize);
    uint16_t cs = static_cast<uint16_t>(pop(osize));
    uint64_t fl = pop(osize);
    load_real_segment(kCs, cs);
    s_.rip = ip;
    merge_flags(fl, 0);
    return;
  }
  if (s_.rflags & rflags::kVM) {
    if (iopl() < 3) {
      // Vol. 2A IRET, Vol. 3A §20.2.7, §20.3: #GP(0) unless CR4.VME and a
      // 16-bit IRET, which loads VIF from the image's IF and keeps IF and IOPL;
      // an image with TF set, or IF set while VIP is, is #GP(0) too.
      if (!(s_.cr4 & cr4::kVME) || osize != 2) throw_fault(vec::kGP, 0);
      const uint32_t fl = static_cast<uint32_t>(peek_stack(4, 2));
      if ((fl & rflags::kTF) || ((fl & rflags::kIF) && (s_.rflags & rflags::kVIP))) throw_fault(vec::kGP, 0);
      const uint64_t ip = peek_stack(0, 2);
      check_real_mode_target(ip);
      const uint16_t cs = static_cast<uint16_t>(peek_stack(2, 2));
      set_sp(s_.gpr[kRsp] + 6);
      load_real_segment(kCs, cs);
      s_.rip = ip;
      const uint32_t mask = kAlways & 0xffff;  // not IF, not IOPL
      set_rflags((old & ~(mask | rflags::kVIF)) | (fl & mask) | ((fl & rflags::kIF) ? rflags::kVIF : 0));
      return;
    }
    const uint64_t ip = peek_stack(0, osize);
    check_real_mode_target(ip);
    pop(osize);
    uint16_t cs = static_cast<uint16_t>(pop(osize));
    uint64_t fl = pop(osize);
    load_real_segment(kCs, cs);
    s_.rip = ip;
    uint32_t mask = kAlways | rflags::kIF;
    if (osize == 2) mask &= 0xffff;
    set_rflags((old & ~mask) | (static_cast<uint32_t>(fl) & mask));
    return;
  }
  const bool ia32e = long_mode_active();
  if (s_.rflags & rflags::kNT) {
    if (ia32e) throw_fault(vec::kGP, 0);  // Vol. 2A IRET: IA-32e mode, NT = 1 (no task return, §8.7)
    // TASK-RETURN: to the task the current TSS's previous-task link names,
    // with NT clear in the EFLAGS image saved for this one (§8.3 step 7).
    const AccessType sup_read = AccessType::implicit_supervisor(AccessKind::read);
    task_switch(static_cast<uint16_t>(read_linear(s_.tr.base, 2, sup_read)), TaskSource::iret, old & ~rflags::kNT);
    return;
  }
  uint64_t ip = peek_stack(0, osize);
  uint16_t cs = static_cast<uint16_t>(peek_stack(osize, osize));
  uint64_t fl = peek_stack(2 * osize, osize);
  if (!ia32e && (fl & rflags::kVM) && s_.cpl == 0) {
    return_to_virtual_8086(ip, cs, static_cast<uint32_t>(fl));
    return;
  }
  unsigned rpl = cs & 3;
  if ((cs & 0xfffc) == 0) throw_fault(vec::kGP, 0);
  uint64_t d = read_descriptor(cs, sel_error(cs));
  if (rpl < s_.cpl) throw_fault(vec::kGP, sel_error(cs));
  check_code_target(d, cs, s_.cpl, true, ia32e);
  const bool target64 = ia32e && (d & (1ull << 53));
  const unsigned cpl_before = s_.cpl;
  if (target64 && !canonical(ip)) throw_fault(vec::kGP, 0);  // Vol. 2A IRET
  // 64-bit mode always pops SS:RSP (Vol. 2A IRET, IA-32e mode); otherwise
  // only a return to an outer level does.
  if (rpl == s_.cpl && s_.mode != CpuMode::long64) {
    if (!target64 && ip > desc::limit(d)) throw_fault(vec::kGP, 0);
    set_sp(s_.gpr[kRsp] + 3 * osize);
    set_accessed(cs, d);
    set_segment_from_descriptor(kCs, cs, d);
    s_.rip = ip;
    merge_flags(fl, cpl_before);
    update_mode();
    return;
  }
  uint64_t sp = peek_stack(3 * osize, osize);
  uint16_t ss = static_cast<uint16_t>(peek_stack(4 * osize, osize));
  return_to_outer_level(cs, d, ss, rpl, target64, ip);
  merge_flags(fl, cpl_before);
  update_mode();
  if (s_.mode == CpuMode::long64) s_.gpr[kRsp] = sp;
  else set_sp(sp);
  if (rpl > cpl_before) null_inaccessible_segments(s_);
}

// IRET at CPL 0 with VM = 1 in the 32-bit EFLAGS image (Vol. 2A IRET,
// RETURN-TO-VIRTUAL-8086-MODE; Vol. 3A §20.3.1.3): the whole image becomes
// EFLAGS, then ESP, SS, ES, DS, FS and GS follow on the stack as
// doublewords whose upper words are ignored; the segments get virtual-8086
// caches (base = selector << 4) and CPL 3.
void Cpu::return_to_virtual_8086(uint64_t ip, uint16_t cs, uint32_t flags) {
  uint64_t slot[6];
  for (unsigned k = 0; k < 6; ++k) slot[k] = peek_stack((3 + k) * 4, 4);  // all read before anything changes
  set_rflags(flags);
  s_.cpl = 3;
  load_real_segment(kCs, cs);
  unsigned k = 1;
  for (unsigned seg : {kSs, kEs, kDs, kFs, kGs}) load_real_segment(seg, static_cast<uint16_t>(slot[k++]));
  s_.gpr[kRsp] = slot[0];
  s_.rip = ip;
  update_mode();
}

void Cpu::load_ldt(uint16_t selector) {
  // Vol. 2A LLDT.
  if ((selector & 0xfffc) == 0) {
    s_.ldtr = {0, 0, selector, 0};
    return;
  }
  if (selector & 4) throw_fault(vec::kGP, sel_error(selector));
  uint64_t d = read_descriptor(selector, sel_error(selector));
  if (desc::s(d) || desc::type(d) != 2) throw_fault(vec::kGP, sel_error(selector));
  if (!desc::present(d)) throw_fault(vec::kNP, sel_error(selector));
  uint64_t base = desc::base(d);
  if (long_mode_active()) {
    base |= read_descriptor_upper_half(selector, sel_error(selector)) << 32;
    if (!canonical(base)) throw_fault(vec::kGP, sel_error(selector));  // Vol. 2A LLDT, IA-32e mode
  }
  s_.ldtr = {base, desc::limit(d), selector, desc::attr(d)};
}

void Cpu::load_tr(uint16_t selector) {
  // Vol. 2A LTR: an available TSS in the GDT, which becomes busy.
  if ((selector & 0xfffc) == 0 || (selector & 4)) throw_fault(vec::kGP, sel_error(selector));
  uint64_t d = read_descriptor(selector, sel_error(selector));
  unsigned type = desc::type(d);
  bool ok = !desc::s(d) && (long_mode_active() ? type == 9 : (type == 1 || type == 9));
  if (!ok) throw_fault(vec::kGP, sel_error(selector));
  if (!desc::present(d)) throw_fault(vec::kNP, sel_error(selector));
  uint64_t base = desc::base(d);
  if (long_mode_active()) {
    base |= read_descriptor_upper_half(selector, sel_error(selector)) << 32;
    if (!canonical(base)) throw_fault(vec::kGP, sel_error(selector));  // Vol. 2A LTR, IA-32e mode
  }
  d |= 2ull << 40;  // busy
  write_linear(s_.gdtr.base + (selector & 0xfff8) + 5, 1, d >> 40, AccessType::implicit_supervisor(AccessKind::write));
  s_.tr = {base, desc::limit(d), selector, desc::attr(d)};
}

void Cpu::syscall() {
  // Vol. 2B SYSCALL: IA-32e mode with IA32_EFER.SCE. From compatibility mode
  // Intel CPUs raise #UD; this follows AMD (and KVM, which emulates it so
  // kvm-unit-tests' syscall test runs on Intel hosts) and enters at CSTAR.
  const bool compat = s_.mode == CpuMode::compat32 || s_.mode == CpuMode::compat16;
  if ((s_.mode != CpuMode::long64 && !compat) || !(s_.efer & 1)) throw_fault(vec::kUD);
  const bool tf = s_.rflags & rflags::kTF;
  uint16_t sel = static_cast<uint16_t>(s_.star >> 32) & 0xfffc;
  s_.gpr[kRcx] = s_.rip;
  s_.gpr[kR11] = rflags() & ~rflags::kRF;
  set_rflags(rflags() & ~static_cast<uint32_t>(s_.sfmask) & ~rflags::kRF);
  // Flat CS (64-bit, DPL 0) and SS (DPL 0) whatever the GDT holds.
  s_.seg[kCs] = {0, 0xffffffff, sel, 0xa09b};
  s_.seg[kSs] = {0, 0xffffffff, static_cast<uint16_t>(sel + 8), 0xc093};
  s_.cpl = 0;
  s_.rip = compat ? s_.cstar : s_.lstar;
  update_mode();
  step_after_fast_call(tf);
}

void Cpu::step_after_fast_call(bool tf_at_start) {
  // SYSCALL and SYSRET load RFLAGS; the single-step trap follows them when
  // TF is set at their end (as KVM implements it; kvm-unit-tests syscall).
  if (tf_at_start) step_done_ = true;
  if (s_.rflags & rflags::kTF) {
    s_.dr[6] |= 1u << 14;
    raise_event(vec::kDB, EventKind::exception, std::nullopt);
  }
}

void Cpu::sysret(unsigned osize) {
  // Vol. 2B SYSRET.
  if (s_.mode != CpuMode::long64 || !(s_.efer & 1)) throw_fault(vec::kUD);
  if (s_.cpl != 0) throw_fault(vec::kGP, 0);
  const bool tf = s_.rflags & rflags::kTF;
  uint16_t base = static_cast<uint16_t>(s_.star >> 48);
  if (osize == 8) {
    if (!canonical(s_.gpr[kRcx])) throw_fault(vec::kGP, 0);
    s_.seg[kCs] = {0, 0xffffffff, static_cast<uint16_t>((base + 16) | 3), 0xa0fb};  // 64-bit, DPL 3
    s_.rip = s_.gpr[kRcx];
  } else {
    s_.seg[kCs] = {0, 0xffffffff, static_cast<uint16_t>(base | 3), 0xc0fb};  // 32-bit, DPL 3
    s_.rip = static_cast<uint32_t>(s_.gpr[kRcx]);
  }
  s_.seg[kSs] = {0, 0xffffffff, static_cast<uint16_t>((base + 8) | 3), 0xc0f3};
  set_rflags((static_cast<uint32_t>(s_.gpr[kR11]) & 0x3c7fd7) | rflags::kFixed1);
  s_.cpl = 3;
  update_mode();
  step_after_fast_call(tf);
}

// SYSENTER/SYSEXIT load flat CS and SS with fixed attributes whatever the
// GDT holds (Vol. 2B SYSENTER, SYSEXIT: base 0, limit FFFFFH with G = 1,
// code type 11, data type 3). AMD processors raise #UD for both in long mode
// (AMD APM Vol. 3, SYSENTER, SYSEXIT); the engine follows the vendor its
// CPUID shows.
void Cpu::sysenter() {
  const bool ia32e = long_mode_active();
  if (ia32e && amd_vendor()) throw_fault(vec::kUD);
  if (!protected_mode() || (s_.sysenter_cs & 0xfffc) == 0) throw_fault(vec::kGP, 0);
  const uint16_t cs = static_cast<uint16_t>(s_.sysenter_cs & 0xfffc);
  set_rflags(rflags() & ~(rflags::kVM | rflags::kIF | rflags::kRF));
  s_.seg[kCs] = {0, 0xffffffff, cs, static_cast<uint16_t>(ia32e ? 0xa09b : 0xc09b)};  // 64-bit or 32-bit, DPL 0
  s_.seg[kSs] = {0, 0xffffffff, static_cast<uint16_t>(cs + 8), 0xc093};
  s_.cpl = 0;
  if (ia32e) {
    s_.gpr[kRsp] = s_.sysenter_esp;
    s_.rip = s_.sysenter_eip;
  } else {
    set_reg(kRsp, 4, s_.sysenter_esp);
    s_.rip = static_cast<uint32_t>(s_.sysenter_eip);
  }
  update_mode();
}

void Cpu::sysexit(unsigned osize) {
  if (long_mode_active() && amd_vendor()) throw_fault(vec::kUD);
  if (!protected_mode() || (s_.sysenter_cs & 0xfffc) == 0 || s_.cpl != 0 || (s_.rflags & rflags::kVM))
    throw_fault(vec::kGP, 0);
  // REX.W returns to 64-bit code at IA32_SYSENTER_CS + 32; otherwise to
  // 32-bit code at + 16 (compatibility mode in IA-32e mode).
  const bool to64 = osize == 8;
  if (to64 && (!canonical(s_.gpr[kRcx]) || !canonical(s_.gpr[kRdx]))) throw_fault(vec::kGP, 0);
  const uint16_t cs = static_cast<uint16_t>((s_.sysenter_cs + (to64 ? 32 : 16)) | 3);
  s_.seg[kCs] = {0, 0xffffffff, cs, static_cast<uint16_t>(to64 ? 0xa0fb : 0xc0fb)};  // DPL 3
  s_.seg[kSs] = {0, 0xffffffff, static_cast<uint16_t>(cs + 8), 0xc0f3};
  s_.cpl = 3;
  if (to64) {
    s_.gpr[kRsp] = s_.gpr[kRcx];
    s_.rip = s_.gpr[kRdx];
  } else {
    set_reg(kRsp, 4, s_.gpr[kRcx]);
    s_.rip = static_cast<uint32_t>(s_.gpr[kRdx]);
  }
  update_mode();
}

void Cpu::icebp() { raise_event(vec::kDB, EventKind::exception, std::nullopt); }

}  // namespace nv
