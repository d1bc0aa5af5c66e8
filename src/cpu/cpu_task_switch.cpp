// Hardware task switching (SDM Vol. 3A chapter 8): far JMP/CALL to a TSS
// descriptor or task gate, IDT task gates for exceptions and interrupts
// (§6.12.2), and IRET with NT = 1 back to the previous task, with 32-bit and
// 16-bit TSSs. IA-32e mode has no task switches (§8.7): the callers raise #GP
// there before coming here.
#include "cpu/cpu_task_switch.h"

#include "cpu/segment_descriptor.h"

namespace nv {

namespace desc = descriptor;
using descriptor::sel_error;

namespace {

// Where a TSS keeps the state a task switch saves and loads (§8.2.1 Figure
// 8-2, 32-bit; §8.6 Figure 8-11, 16-bit). GPRs (EAX..EDI) and segment
// selectors (ES, CS, SS, DS, FS, GS) are stored in encoding order, one slot
// of `width` bytes each; a 16-bit TSS has no FS, GS, CR3 or T flag.
struct TssLayout {
  uint32_t min_limit;  // Table 8-2: a smaller TSS limit is #TS
  unsigned width;
  unsigned ip, flags, gpr, seg, seg_count, ldt;
  unsigned cr3;  // 0: none
};
constexpr TssLayout kTss32{0x67, 4, 0x20, 0x24, 0x28, 0x48, 6, 0x60, 0x1c};
constexpr TssLayout kTss16{0x2b, 2, 0x0e, 0x10, 0x12, 0x22, 4, 0x2a, 0};
const TssLayout& tss_layout(unsigned type) { return (type & 8) ? kTss32 : kTss16; }

constexpr unsigned kTssLink = 0;     // previous-task link (both formats)
constexpr unsigned kTssTFlag = 0x64;  // bit 0: T, debug trap on a switch to the task (32-bit TSS)
constexpr uint64_t kCr0Ts = 1ull << 3;
constexpr uint64_t kDr6Bt = 1ull << 15;
constexpr uint64_t kDr7Local = 0x55, kDr7Gd = 1ull << 13;

// The incoming task's state, read from its TSS before the commit point.
struct TaskImage {
  uint32_t ip = 0, flags = 0, cr3 = 0;
  uint32_t gpr[8] = {};
  uint16_t seg[kSegCount] = {};
  uint16_t ldt = 0;
  bool t_flag = false;
};

// Runs a selector load with the task switch's error reporting (Table 8-2):
// what MOV Sreg or LLDT report as #GP (and, for the LDT, #NP) is #TS, and
// error codes carry EXT.
template <typename Load>
void with_task_faults(Load&& load, uint32_t ext, bool np_is_ts = false) {
  try {
    load();
  } catch (const GuestFault& f) {
    if (f.vector == vec::kGP || (np_is_ts && f.vector == vec::kNP)) throw_fault(vec::kTS, f.error | ext);
    if (f.has_error && f.vector != vec::kPF) throw_fault(f.vector, f.error | ext);
    throw;
  }
}

// §8.3 step 13: LDTR, then the segment registers, checked against the new
// CPL (CS.RPL). The selectors are in the registers before any check, so a
// fault here shows the new task's selectors.
void load_task_segments(Cpu& c, const TaskImage& t, uint32_t ext) {
  VcpuState& s = c.state();
  s.ldtr = {0, 0, t.ldt, 0};
  const bool v86 = s.rflags & rflags::kVM;
  for (unsigned seg = 0; seg < kSegCount; ++seg) {
    if (v86) c.load_real_segment(seg, t.seg[seg]);  // §20.2.1: virtual-8086 segments from the selectors alone
    else s.seg[seg] = {0, 0, t.seg[seg], 0};
  }
  s.cpl = static_cast<uint8_t>(v86 ? 3 : t.seg[kCs] & 3);
  with_task_faults([&] { c.load_ldt(t.ldt); }, ext, true);
  if (v86) return;
  with_task_faults(
      [&] {
        const uint16_t cs = t.seg[kCs];
        if ((cs & 0xfffc) == 0) throw_fault(vec::kGP, 0);
        uint64_t d = c.read_descriptor(cs, sel_error(cs));
        desc::check_code_target(d, cs, s.cpl, /*is_return=*/true, /*ia32e=*/false);
        c.set_accessed(cs, d);
        c.set_segment_from_descriptor(kCs, cs, d);
      },
      ext);
  for (unsigned seg : {kSs, kEs, kDs, kFs, kGs}) with_task_faults([&] { c.load_segment(seg, t.seg[seg]); }, ext);
}

}  // namespace

void Cpu::far_jump_to_task(uint16_t selector, uint64_t d, bool is_call) {
  // Vol. 2A JMP, CALL (TASK-GATE, TASK-STATE-SEGMENT): the gate's or TSS's
  // DPL must admit both CPL and the selector's RPL; through a gate, the
  // TSS's own DPL is not checked.
  if (desc::dpl(d) < s_.cpl || desc::dpl(d) < (selector & 3u)) throw_fault(vec::kGP, sel_error(selector));
  uint16_t tss = selector;
  if (desc::type(d) == 5) {
    if (!desc::present(d)) throw_fault(vec::kNP, sel_error(selector));
    tss = desc::gate_selector(d);
  }
  task_switch(tss, is_call ? TaskSource::call : TaskSource::jmp, rflags());
}

void Cpu::task_switch(uint16_t selector, TaskSource source, uint32_t saved_flags, uint32_t ext,
                      std::optional<uint32_t> error) {
  const AccessType sup_read = AccessType::implicit_supervisor(AccessKind::read);
  const AccessType sup_write = AccessType::implicit_supervisor(AccessKind::write);
  const bool is_iret = source == TaskSource::iret;
  const bool nested = source == TaskSource::call || source == TaskSource::event;
  const uint32_t err = sel_error(selector) | ext;
  // In VMX non-root operation every task switch is a VM exit, before the
  // switch's own checks (Vol. 3C §26.1.2, §26.1.1).
  using exit_qualification::TaskSwitchSource;
  static constexpr TaskSwitchSource kExitSource[] = {TaskSwitchSource::jmp, TaskSwitchSource::call,
                                                     TaskSwitchSource::iret, TaskSwitchSource::task_gate};
  if (intercept({.reason = ExitReason::task_switch,
                 .qualification = exit_qualification::task_switch(selector, kExitSource[static_cast<unsigned>(source)])}))
    return;

  // §8.3 steps 1-4, Table 8-2: a TSS descriptor in the GDT, available (busy
  // for IRET, which returns to a nested task), present, with a usable limit.
  const uint8_t invalid = is_iret ? vec::kTS : vec::kGP;
  if ((selector & 4) || (selector | 7u) > s_.gdtr.limit) throw_fault(invalid, err);
  auto set_busy = [&](uint16_t sel, bool busy) {
    const uint64_t at = s_.gdtr.base + (sel & 0xfff8) + 5;
    uint64_t b = read_linear(at, 1, sup_read);
    write_linear(at, 1, busy ? b | 2 : b & ~2ull, sup_write);
  };
  uint64_t d = read_linear(s_.gdtr.base + (selector & 0xfff8), 8, sup_read);
  if (!desc::tss(d) || static_cast<bool>(desc::type(d) & 2) != is_iret) throw_fault(invalid, err);
  if (!desc::present(d)) throw_fault(vec::kNP, err);
  const TssLayout& to = tss_layout(desc::type(d));
  const TssLayout& from = tss_layout(s_.tr.type());
  if (desc::limit(d) < to.min_limit) throw_fault(vec::kTS, err);
  if (s_.tr.limit < from.min_limit) throw_fault(vec::kTS, sel_error(s_.tr.selector) | ext);

  // Step 5: read the incoming task's TSS first, so its page faults come
  // before anything changes. A 16-bit TSS's fields are zero-extended.
  const uint64_t base = desc::base(d);
  auto field = [&](unsigned at, unsigned size) {
    return static_cast<uint32_t>(read_linear(base + at, size, sup_read));
  };
  TaskImage t;
  t.ip = field(to.ip, to.width);
  t.flags = field(to.flags, to.width);
  for (unsigned r = 0; r < 8; ++r) t.gpr[r] = field(to.gpr + r * to.width, to.width);
  for (unsigned seg = 0; seg < to.seg_count; ++seg)
    t.seg[seg] = static_cast<uint16_t>(field(to.seg + seg * to.width, 2));
  t.ldt = static_cast<uint16_t>(field(to.ldt, 2));
  if (to.cr3) {
    t.cr3 = field(to.cr3, 4);
    t.t_flag = field(kTssTFlag, 2) & 1;
  }

  // Steps 6-8: the outgoing task. JMP and IRET free its TSS; its state goes
  // into its TSS (EIP of the next instruction, or of a faulting one).
  if (!nested) set_busy(s_.tr.selector, false);
  auto save = [&](unsigned at, unsigned size, uint64_t v) { write_linear(s_.tr.base + at, size, v, sup_write); };
  save(from.ip, from.width, s_.rip);
  save(from.flags, from.width, saved_flags);
  for (unsigned r = 0; r < 8; ++r) save(from.gpr + r * from.width, from.width, s_.gpr[r]);
  for (unsigned seg = 0; seg < from.seg_count; ++seg) save(from.seg + seg * from.width, 2, s_.seg[seg].selector);
  // Steps 9-10: CALL and events nest: the link names the outgoing task and
  // NT is set; every source but IRET marks the new TSS busy.
  if (nested) write_linear(base + kTssLink, 2, s_.tr.selector, sup_write);
  if (!is_iret) {
    set_busy(selector, true);
    d |= 2ull << 40;
  }

  // Step 11, the commit point: TR names the new task; §2.5: CR0.TS is set;
  // Vol. 3B §19.2.4: DR7's local enables L0-L3 are cleared (DR7.GD aside).
  s_.tr = {base, desc::limit(d), selector, desc::attr(d)};
  s_.cr0 |= kCr0Ts;
  if (s_.dr[7] & kDr7Local) {
    const uint64_t dr7 = s_.dr[7];
    s_.dr[7] &= ~kDr7Gd;
    write_dr(7, dr7 & ~kDr7Local);
  }
  // Step 12: registers, then CR3 (only with paging on, through the CR3 write
  // so the TLB follows), LDTR and the segments.
  s_.rip = t.ip;
  for (unsigned r = 0; r < 8; ++r) s_.gpr[r] = t.gpr[r];
  set_rflags(nested ? t.flags | rflags::kNT : t.flags);
  std::optional<GuestFault> fault;
  try {
    if (to.cr3 && (s_.cr0 & cr0::kPG)) write_cr(3, t.cr3);
    load_task_segments(*this, t, ext);
    update_mode();
    // Vol. 2A INT n (TASK-GATE): an exception's error code goes on the new
    // task's stack, then EIP must lie within CS.
    if (error) push(*error, to.width);
    if (!(s_.rflags & rflags::kVM) && s_.rip > s_.seg[kCs].limit) throw_fault(vec::kGP, ext);
  } catch (const GuestFault& f) {
    fault = f;
  }
  update_mode();
  // The SS load above is no MOV SS: it leaves no interrupt shadow.
  s_.pending &= ~pending::kShadow;
  shadow_armed_ = false;
  if (fault) {
    // Step 13: faults after the commit point are the new task's. During an
    // exception or external interrupt, Cpu::deliver passes them on without
    // restoring the old state; for an instruction (or INT n), the fault is
    // delivered here, leaving RIP at the new task's first instruction.
    if (ext) throw TaskSwitchFault{*fault};
    raise_exception(fault->vector, fault->has_error ? std::optional<uint32_t>(fault->error) : std::nullopt);
    return;
  }
  if (t.t_flag) {
    // §8.2.1: T set in the new TSS: a debug trap (DR6.BT) before its first instruction.
    s_.dr[6] |= kDr6Bt;
    raise_event(vec::kDB, EventKind::exception, std::nullopt);
  }
}

}  // namespace nv
