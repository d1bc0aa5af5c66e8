// One software x86-64 vCPU of the EmuEngine: the execution loop over the
// decode cache, the memory access path (segmentation, then the MMU's soft
// TLB, then RAM or the MMIO bus), port I/O, segment loading, control
// registers and architectural event delivery. Instruction semantics live in
// exec_*.cpp as handlers chosen at decode time (handler_table.h).
#pragma once

#include "cpu/decode_cache.h"
#include "cpu/decoded_insn.h"
#include "cpu/lazy_flags.h"
#include "cpu/vcpu_state.h"
#include "cpu/vm_exit_hook.h"
#include "cpuid/cpu_model.h"
#include "cpuid/xstate_layout.h"
#include "mmu/mmu.h"
#include "vmm/bus.h"
#include "vmm/guest_memory.h"
#include "vmm/machine_control.h"

#include <atomic>
#include <bitset>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

namespace nv {

struct BootInfo;
class Clock;
class ApicBus;
class LocalApic;
class Pic8259;

// Exception vectors (SDM Vol. 3A §6.3.1, Table 6-1).
namespace vec {
inline constexpr uint8_t kDE = 0, kDB = 1, kNMI = 2, kBP = 3, kOF = 4, kBR = 5, kUD = 6, kNM = 7, kDF = 8;
inline constexpr uint8_t kTS = 10, kNP = 11, kSS = 12, kGP = 13, kPF = 14, kMF = 16, kAC = 17;
}  // namespace vec

// A fault found while executing an instruction: thrown from the access
// helpers, caught by the loop, which rewinds RIP and delivers it.
struct GuestFault {
  uint8_t vector;
  bool has_error;
  uint32_t error;
};
[[noreturn]] void throw_fault(uint8_t vector);
[[noreturn]] void throw_fault(uint8_t vector, uint32_t error);

// A little-endian load or store of 1, 2, 4 or 8 bytes at a host address of guest RAM.
inline uint64_t load_host(const uint8_t* p, unsigned size) {
  switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; std::memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; std::memcpy(&v, p, 4); return v; }
    default: { uint64_t v; std::memcpy(&v, p, 8); return v; }
  }
}
inline void store_host(uint8_t* p, unsigned size, uint64_t v) {
  switch (size) {
    case 1: *p = static_cast<uint8_t>(v); break;
    case 2: { uint16_t w = static_cast<uint16_t>(v); std::memcpy(p, &w, 2); break; }
    case 4: { uint32_t w = static_cast<uint32_t>(v); std::memcpy(p, &w, 4); break; }
    default: std::memcpy(p, &v, 8); break;
  }
}

// What a vCPU needs from the machine. The decode cache is shared by the vCPUs
// of one engine.
struct CpuEnvironment {
  GuestMemory& memory;
  Bus& io;
  Bus& mmio;
  MachineControl& control;
  DecodeCache& code;
  std::vector<CpuidEntry> cpuid;  // shaped; per-vCPU APIC ID applied
  // The interrupt controllers (EmuPlatform); null in unit tests, where
  // request_interrupt() is the only interrupt source and RDTSC reads the host TSC.
  LocalApic* apic = nullptr;
  Pic8259* pic = nullptr;
  const Clock* clock = nullptr;
  ApicBus* apic_bus = nullptr;  // the KVM PV IPI and kick hypercalls
  // The XSAVE layout of `cpuid`, built once per machine (null: the Cpu builds
  // its own), and MachineConfig::xstate_cache for the vCPU's XstateSizer.
  const XstateLayout* xstate = nullptr;
  bool xstate_cache = true;
};

class Cpu {
 public:
  Cpu(const CpuEnvironment& env, unsigned index);
  Cpu(const Cpu&) = delete;
  Cpu& operator=(const Cpu&) = delete;

  enum class Exit { quantum, halted, shutdown, stop };
  // Executes up to `quantum` instructions. Returns early when the vCPU halts,
  // triple-faults (after requesting a machine reset) or the machine stops.
  Exit run(uint64_t quantum);

  // Boot states: the multiboot hand-off (Multiboot §3.2), and a flat 64-bit
  // state with paging off for unit tests and benchmarks (CS.L = 1, all bases
  // 0, linear = physical; not a state real hardware can be in, see
  // docs/emu-engine.md).
  void set_multiboot_state(const BootInfo& boot);
  void set_flat64_test_state(uint64_t rip, uint64_t rsp);

  // Delivers exception `vector` now (SDM Vol. 3A §6.12, Table 6-5 for a
  // fault during delivery: #DF, then a triple fault resets the machine).
  void raise_exception(uint8_t vector, std::optional<uint32_t> error_code = std::nullopt);
  // An external interrupt is pending (delivered when RFLAGS.IF = 1 and no
  // interrupt shadow, waking a halted vCPU).
  void request_interrupt(uint8_t vector);
  // The local APIC has something pending (its wakeup callback; any thread):
  // looked at when the next run() starts.
  void notify_interrupt() { apic_event_.store(true, std::memory_order_release); }
  // After a device access: an interrupt the device raised (pc-testdev IRQ
  // ports, IOAPIC, self-IPI) is taken at the next instruction boundary, not
  // at the next quantum.
  void poll_device_interrupts() {
    if (apic_event_.load(std::memory_order_relaxed) && apic_event_.exchange(false, std::memory_order_acq_rel))
      s_.pending |= pending::kInterrupt;
  }
  // INIT (SDM Vol. 3A §10.1, Table 10-1): the reset state, then wait for a SIPI.
  void enter_wait_for_sipi();

  VcpuState& state() { return s_; }
  const VcpuState& state() const { return s_; }
  unsigned index() const { return index_; }
  Mmu& mmu() { return mmu_; }
  ApicBus* apic_bus() { return apic_bus_; }
  DecodeCache& code_cache() { return code_; }
  std::string describe() const;

  // ---- used by the instruction handlers ----
  // Registers.
  uint64_t reg(unsigned r, unsigned size) const { return s_.gpr[r] & size_mask(size); }
  void set_reg(unsigned r, unsigned size, uint64_t v) {
    switch (size) {
      case 1: s_.gpr[r] = (s_.gpr[r] & ~0xffull) | (v & 0xff); break;
      case 2: s_.gpr[r] = (s_.gpr[r] & ~0xffffull) | (v & 0xffff); break;
      case 4: s_.gpr[r] = static_cast<uint32_t>(v); break;  // SDM Vol. 1 §3.4.1.1: zero-extends
      default: s_.gpr[r] = v; break;
    }
  }
  uint64_t read_op(const DecodedInsn& i, unsigned n);
  void write_op(const DecodedInsn& i, unsigned n, uint64_t v);
  uint64_t effective_address(const DecodedInsn& i) const {
    uint64_t a = static_cast<uint64_t>(i.disp);
    if (i.base != kNoReg) a += i.base == kRipReg ? s_.rip : s_.gpr[i.base];
    if (i.index != kNoReg) a += s_.gpr[i.index] * i.scale;
    return a & size_mask(i.asize);
  }

  // Flags.
  uint32_t rflags() const { return materialize_flags(s_.lazy, s_.rflags); }
  void set_rflags(uint32_t v) {
    // IF going 0 -> 1 may make a held-back interrupt deliverable.
    if ((v & rflags::kIF) && !(s_.rflags & rflags::kIF)) s_.pending |= pending::kInterrupt;
    s_.rflags = (v & ~0xffc08028u) | rflags::kFixed1;  // reserved bits: 1 is 1, 3/5/15/22+ are 0
    s_.lazy.op = FlagOp::none;
    if (v & rflags::kTF) s_.pending |= pending::kSingleStep;
    else s_.pending &= ~pending::kSingleStep;
    // RF (from IRET, a task switch) lasts one instruction: the debug path clears it.
    if (v & rflags::kRF) s_.pending |= pending::kBreakpoints;
    update_alignment_check();
  }
  void set_lazy(FlagOp op, unsigned size, uint64_t src1, uint64_t src2, uint64_t res) {
    s_.lazy.op = op;
    s_.lazy.size = static_cast<uint8_t>(size);
    s_.lazy.src1 = src1;
    s_.lazy.src2 = src2;
    s_.lazy.res = res;
  }
  // Sets the bits of `mask` in the arithmetic flags to `values` (others kept).
  void set_arith_flags(uint32_t mask, uint32_t values) {
    s_.rflags = (rflags() & ~mask) | (values & mask);
    s_.lazy.op = FlagOp::none;
  }
  bool cf() const { return lazy_cf(s_.lazy, s_.rflags); }
  bool condition(unsigned cc) const { return eval_condition(cc, s_.lazy, s_.rflags); }

  // Memory through a segment (SDM Vol. 3A §3.4, §5.3 limit checks, Vol. 1
  // §3.3.7.1 canonical addresses in 64-bit mode). 64-bit mode, where only FS
  // and GS have bases and nothing has limits, is decided inline.
  uint64_t linear(unsigned seg, uint64_t offset, unsigned size, bool write) {
    if (s_.mode == CpuMode::long64) [[likely]] {
      uint64_t lin = offset + (seg >= kFs ? s_.seg[seg].base : 0);
      if (!canonical(lin)) [[unlikely]]
        throw_fault(seg == kSs ? vec::kSS : vec::kGP, 0);
      return lin;
    }
    return linear_legacy(seg, offset, size, write);
  }
  uint64_t linear_legacy(unsigned seg, uint64_t offset, unsigned size, bool write);
  // Data reads and writes. The fast path is the MMU's host page cache: a hit
  // is a tag compare and a host load or store (plus, for a store, the check
  // for cached code on the page); the rest goes through read/write_linear,
  // and so does everything while data watchpoints or alignment checks are on.
  uint64_t read(unsigned seg, uint64_t offset, unsigned size) { return read_as(seg, offset, size, AccessKind::read); }
  // The read of a read-modify-write operand: checked as the write that
  // follows (segment type, page rights, #PF error code with W).
  uint64_t read_for_write(unsigned seg, uint64_t offset, unsigned size) {
    return read_as(seg, offset, size, AccessKind::write);
  }
  uint64_t read_as(unsigned seg, uint64_t offset, unsigned size, AccessKind kind) {
    const uint64_t lin = linear(seg, offset, size, kind == AccessKind::write);
    const AccessType access = data_access(kind);
    if (const HostPageCache::Entry* e = fast_page(lin, size, access))
      return load_host(e->host_page + (lin & 0xfff), size);
    return read_linear(lin, size, access);
  }
  void write(unsigned seg, uint64_t offset, unsigned size, uint64_t v) {
    const uint64_t lin = linear(seg, offset, size, true);
    const AccessType access = data_access(AccessKind::write);
    if (const HostPageCache::Entry* e = fast_page(lin, size, access)) {
      store_host(e->host_page + (lin & 0xfff), size, v);
      if (code_.has_code(e->gpa_page)) [[unlikely]]
        code_.write_to_code_page(e->gpa_page | (lin & 0xfff), size);
      return;
    }
    write_linear(lin, size, v, access);
  }
  // The host page cache's entry for an access within one page when no
  // watchpoint or alignment check needs the full path; else nullptr.
  const HostPageCache::Entry* fast_page(uint64_t lin, unsigned size, AccessType access) const {
    if ((lin & 0xfff) + size <= 0x1000 && !slow_access_) [[likely]]
      return mmu_.find_host_page(lin, access);
    return nullptr;
  }
  uint64_t read_linear(uint64_t lin, unsigned size, AccessType access);
  void check_alignment(uint64_t lin, unsigned size, AccessType access) const;  // #AC(0)
  void write_linear(uint64_t lin, unsigned size, uint64_t v, AccessType access);
  AccessType data_access(AccessKind kind) const {
    return AccessType::explicit_access(kind, s_.cpl, s_.rflags & rflags::kAC);
  }
  // The page of `lin` mapped for `kind`, or #PF.
  MmuResult translate(uint64_t lin, AccessType access);

  // Stack (SDM Vol. 1 §6.2.3: SS.B or 64-bit mode selects RSP/ESP/SP).
  unsigned stack_addr_size() const { return s_.mode == CpuMode::long64 ? 8 : s_.seg[kSs].db() ? 4 : 2; }
  void push(uint64_t v, unsigned size);
  uint64_t pop(unsigned size);
  uint64_t peek_stack(unsigned offset, unsigned size);  // read at RSP + offset without popping
  void set_sp(uint64_t v) { set_reg(kRsp, stack_addr_size(), v); }

  // Control transfer inside the current code segment: masks to the operand
  // size; a non-canonical target in 64-bit mode, or one outside CS.limit in
  // the other modes, is #GP(0) at the branch (Vol. 2A JMP, Jcc, CALL, RET,
  // LOOP; Vol. 3A §5.3). branch_target checks without jumping, for
  // instructions that must fault before they change anything else.
  uint64_t branch_target(uint64_t target, unsigned osize) const {
    target &= size_mask(osize);
    if (s_.mode == CpuMode::long64) {
      if (!canonical(target)) [[unlikely]]
        throw_fault(vec::kGP, 0);
    } else if (target > s_.seg[kCs].limit) [[unlikely]] {
      throw_fault(vec::kGP, 0);
    }
    return target;
  }
  void jump(uint64_t target, unsigned osize) { s_.rip = branch_target(target, osize); }

  // Port I/O. begin_io makes the checks an I/O instruction makes before it
  // touches a port: CPL against IOPL and the TSS I/O permission bitmap
  // (#GP(0), SDM Vol. 1 §19.5), then the VM-exit hook with `encoding`'s
  // exit_qualification::io flags; it is false when the instruction became a
  // VM exit. io_in / io_out then do the access.
  bool begin_io(uint16_t port, unsigned size, uint64_t encoding);
  void check_io(uint16_t port, unsigned size);
  uint64_t io_in(uint16_t port, unsigned size);
  void io_out(uint16_t port, unsigned size, uint64_t v);

  // Segments and descriptors (SDM Vol. 3A §3.4.5, §5.4-5.8).
  uint64_t read_descriptor(uint16_t selector, uint32_t error_code);
  // Bits 63:32 of the base or offset from the upper half of a 16-byte IA-32e
  // descriptor, with its limit and type checks (#GP(error_code)).
  uint64_t read_descriptor_upper_half(uint16_t selector, uint32_t error_code);
  void load_segment(unsigned seg, uint16_t selector);  // MOV/POP Sreg, LDS... with their checks
  void load_real_segment(unsigned seg, uint16_t selector);
  void set_segment_from_descriptor(unsigned seg, uint16_t selector, uint64_t desc);
  void set_accessed(uint16_t selector, uint64_t& desc);
  // Far transfers (JMP/CALL ptr16:xx, m16:xx, RET far, IRET).
  void far_jump(uint16_t selector, uint64_t offset, unsigned osize, bool is_call);
  void far_jump_through_call_gate(uint16_t gate_selector, uint64_t gate, bool is_call);  // Vol. 3A §5.8.3-5.8.5
  void far_return(unsigned osize, uint16_t pop_bytes);
  void check_real_mode_target(uint64_t ip) const;
  void iret(unsigned osize);
  // Hardware task switches (SDM Vol. 3A §8.3, cpu_task_switch.cpp): JMP/CALL far to a TSS or task gate,
  // an IDT task gate (`ext` = the EXT bit of error codes; `error` is pushed on the new task's stack), IRET
  // with NT = 1. `saved_flags` is the EFLAGS image saved in the outgoing task's TSS.
  enum class TaskSource : uint8_t { jmp, call, iret, event };
  void far_jump_to_task(uint16_t selector, uint64_t desc, bool is_call);
  void task_switch(uint16_t selector, TaskSource source, uint32_t saved_flags, uint32_t ext = 0,
                   std::optional<uint32_t> error = std::nullopt);
  void load_ldt(uint16_t selector);
  void load_tr(uint16_t selector);
  // Recomputes s_.mode from CR0.PE, RFLAGS.VM, EFER.LMA and CS.
  void update_mode();

  // Control registers and MSRs (SDM Vol. 3A §2.5, Vol. 4).
  void write_cr(unsigned n, uint64_t v);
  uint64_t read_cr(unsigned n) const;
  bool write_msr(uint32_t msr, uint64_t v);
  std::optional<uint64_t> read_msr(uint32_t msr);
  void write_efer(uint64_t v);
  uint64_t read_tsc() const;
  // CPUID's output, returned by value in two registers.
  struct CpuidRegs {
    uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
  };
  CpuidRegs cpuid(uint32_t leaf, uint32_t subleaf) const;
  // Whether CPUID.(leaf, subleaf 0) output register `reg` (0 = EAX .. 3 = EDX)
  // has bit `bit` set: the feature checks of instructions and CR4 bits.
  bool cpuid_has(uint32_t leaf, unsigned reg, unsigned bit) const;
  // CPUID.0 vendor "AuthenticAMD": where Intel and AMD processors differ.
  bool amd_vendor() const;
  bool amd_legacy_perf_msr(uint32_t msr) const;
  // XSAVE state (docs/xstate.md): the layout, and XSETBV's update of XCR0
  // with the CPUID.0xD.0:EBX size recomputed for it.
  const XstateLayout& xstate() const { return xstate_; }
  void set_xcr0(uint64_t xcr0);

  // Software interrupts: INT n, INT3, INTO deliver with RIP past the instruction.
  void software_interrupt(uint8_t vector, bool is_int_n);
  void halt() { s_.halted = 1; }
  // PAUSE: a spin-wait; with other vCPUs to run, the engine gives them the
  // turn now (what pause-loop exiting does for KVM) instead of spinning out
  // the quantum.
  void pause() {
    if (yield_on_pause_) s_.pending |= pending::kYield;
  }
  void set_yield_on_pause(bool on) { yield_on_pause_ = on; }
  // Ends this vCPU's turn after the current instruction (KVM_HC_SCHED_YIELD).
  void yield() { s_.pending |= pending::kYield; }
  // STI (blocks interrupts) and MOV/POP SS (blocks interrupts and debug
  // exceptions) for the next instruction (Vol. 3A §6.8.3).
  void set_interrupt_shadow(bool blocks_debug = false) {
    s_.pending |= pending::kShadow;
    shadow_armed_ = true;
    movss_shadow_ = blocks_debug;
  }
  // SYSCALL/SYSRET (Vol. 2B): fast system calls through the STAR MSRs.
  void syscall();
  void sysret(unsigned osize);
  // SYSENTER/SYSEXIT (Vol. 2B): fast system calls through the IA32_SYSENTER_CS/ESP/EIP MSRs.
  void sysenter();
  void sysexit(unsigned osize);
  // INT1 (ICEBP): #DB as a trap, without the gate's DPL check.
  void icebp();
  void invlpg(uint64_t lin);
  // Debug registers (SDM Vol. 3B §19.2, cpu_debug.cpp): MOV to DRn with the
  // fixed bits and #GP rules, DR7.GD general detection, instruction
  // breakpoints (faults before the instruction) and data watchpoints (traps
  // after it), with single-step folded into the same #DB.
  void write_dr(unsigned n, uint64_t v);
  void check_general_detect();
  // #UD for an instruction the engine lacks, logged once per encoding (UnimplementedLog).
  void report_unimplemented(const DecodedInsn& i);

  // ---- VMX (src/nested; vm_exit_hook.h) ----
  // The hook every VM-exit-capable instruction and event passes through;
  // nullptr (the default) when no L2 runs.
  void set_vm_exit_hook(VmExitHook* hook) { exit_hook_ = hook; }
  // True when the hook turned `event` into a VM exit: the caller drops the
  // instruction or event.
  bool intercept(const ExitEvent& event) { return exit_hook_ && exit_hook_->intercept(*this, event); }
  // The address of the executing instruction (the VMCS's guest RIP at a VM
  // exit); RIP already points past it while its handler runs.
  uint64_t instruction_rip() const { return insn_rip_; }
  // Interrupt-window and NMI-window exiting (Vol. 3C §26.7.5, §26.7.6): the
  // hook is asked (ExitReason::interrupt_window / nmi_window) at each
  // instruction boundary where an interrupt / NMI could be taken.
  void set_window_exiting(bool interrupt_window, bool nmi_window);
  // A VM entry / VM exit switches the MMU context, not the engine: the caller
  // has loaded the other level's control registers and segments into
  // state(); these make the MMU and the decode key follow. exit_to_l1 is
  // false when a PAE host's PDPTEs have reserved bits (a VMX abort, §28.7).
  void enter_l2(uint32_t space);
  bool exit_to_l1();
  // The paging inputs of state() (CR0, CR3, CR4, EFER, MAXPHYADDR, 1 GiB pages).
  PagingState paging_state() const;

  // Vol. 1 §3.3.7.1: bits 63:47 (63:56 with CR4.LA57) all equal.
  bool canonical(uint64_t v) const {
    unsigned bits = (s_.cr4 & cr4::kLA57) ? 57 : 48;
    return static_cast<uint64_t>(static_cast<int64_t>(v << (64 - bits)) >> (64 - bits)) == v;
  }
  bool protected_mode() const { return s_.cr0 & 1; }
  // Alignment checking (SDM Vol. 3A §6.15): CR0.AM, EFLAGS.AC and CPL 3.
  // Recomputed wherever one of them changes (set_rflags, update_mode, run);
  // while it holds, data accesses leave the fast path for read/write_linear.
  static constexpr uint64_t kCr0Am = 1ull << 18;
  bool alignment_check_active() const { return (s_.cr0 & kCr0Am) && (s_.rflags & rflags::kAC) && s_.cpl == 3; }
  void update_alignment_check() { slow_access_ = watch_mask_ || alignment_check_active(); }
  bool long_mode_active() const { return s_.efer & efer::kLMA; }
  unsigned iopl() const { return (s_.rflags >> 12) & 3; }

 private:
  // Far RET / IRET to an outer privilege level: SS checks, then CS, CPL, SS, RIP.
  void return_to_outer_level(uint16_t cs, uint64_t cs_desc, uint16_t ss, unsigned rpl, bool target64, uint64_t ip);
  // CALL through a gate or an event to an inner level outside IA-32e mode: SS:(E)SP for `new_cpl` from the
  // current TSS, checked (#TS/#SS with `ext`), become CPL, SS and rSP; returns the #SS error code of the new stack.
  uint32_t switch_to_tss_stack(unsigned new_cpl, uint32_t ext);
  void return_to_virtual_8086(uint64_t ip, uint16_t cs, uint32_t flags);  // IRET's RETURN-TO-VIRTUAL-8086-MODE
  enum class EventKind { exception, external, software, software_exception };
  void run_pending();
  // The cached instruction at CS:RIP. The fast path is a compare with the
  // fetch page and one load; everything else (a new page, a page not decoded
  // there yet, code outside RAM, a page that reaches past CS.limit) goes to
  // fetch_slow, which makes the limit checks.
  const DecodedInsn* fetch() {
    uint64_t lin = (s_.seg[kCs].base + s_.rip) & fetch_mask_;
    if ((lin >> 12) == fetch_lin_page_ && fetch_generation_ == code_.generation()) [[likely]]
      if (const DecodedInsn* d = fetch_page_->at(lin & 0xfff)) return d;
    return fetch_slow();
  }
  const DecodedInsn* fetch_slow();
  // Executes instructions from the decode cache until something is pending,
  // the vCPU halts, the quantum ends at `end`, or a fault propagates.
  void run_straight(uint64_t end);
  // Rewinds RIP to the faulting instruction and delivers the fault.
  void deliver_fault(const GuestFault& f);
  // One instruction with single-step and breakpoint handling (cpu_debug.cpp).
  void step_with_debug();
  // Decodes the instruction at `lin`, at most `max_length` bytes (the rest of
  // CS.limit; #GP(0) if it needs more), and caches it in `page` (nullptr: not cached).
  const DecodedInsn& decode_slow(uint64_t lin, CodePage* page, unsigned max_length);
  // Whether every offset of the linear page of `lin` is within CS.limit
  // (always in 64-bit mode): only such a page may become the fetch page.
  bool page_within_cs_limit(uint64_t lin) const;
  void deliver(uint8_t vector, EventKind kind, std::optional<uint32_t> error);
  void deliver_real(uint8_t vector);
  bool int_n_redirected(uint8_t vector);
  void deliver_virtual_8086_redirected(uint8_t vector);
  void deliver_protected(uint8_t vector, EventKind kind, std::optional<uint32_t> error);
  void deliver_long(uint8_t vector, EventKind kind, std::optional<uint32_t> error);
  void raise_event(uint8_t vector, EventKind kind, std::optional<uint32_t> error);
  void sync_paging();
  bool interrupt_deliverable() const;
  void accept_interrupts();

  VcpuState s_;
  unsigned index_;
  GuestMemory& memory_;
  Bus& io_;
  Bus& mmio_;
  MachineControl& control_;
  DecodeCache& code_;
  std::vector<CpuidEntry> cpuid_;
  PagingState paging_constants_;  // MAXPHYADDR and 1 GiB pages, from cpuid_ at creation
  Mmu mmu_;

  // The fetch page: linear page of the last fetch from RAM and its decoded
  // code (fetch_lin_page_ is ~0 whenever fetch_page_ is null), and the mask
  // of linear addresses in the mode it was found in.
  uint64_t fetch_lin_page_ = ~0ull;
  CodePage* fetch_page_ = nullptr;
  uint64_t fetch_generation_ = ~0ull;
  uint64_t fetch_mask_ = 0xffffffff;
  DecodedInsn scratch_;  // instructions not cached (page-crossing, MMIO)
  uint64_t insn_rip_ = 0;  // RIP of the executing instruction (faults rewind to it)
  bool shadow_armed_ = false;
  bool shutdown_ = false;
  std::bitset<256> irr_;  // external interrupts requested, not yet delivered
  LocalApic* apic_;
  ApicBus* apic_bus_;
  Pic8259* pic_;
  const Clock* clock_;
  std::atomic<bool> apic_event_{false};
  bool nmi_blocked_ = false;
  VmExitHook* exit_hook_ = nullptr;
  bool interrupt_window_exiting_ = false;
  bool nmi_window_exiting_ = false;
  bool movss_shadow_ = false;  // the armed shadow came from MOV/POP SS
  bool step_done_ = false;
  bool yield_on_pause_ = false;

  // Debug state, touched only while pending::kBreakpoints or kSingleStep is set.
  bool debug_before_instruction();
  void debug_after_instruction(const DecodedInsn* insn, bool tf_at_start);
  void watch(uint64_t lin, unsigned size, bool write);
  uint8_t exec_bp_mask_ = 0;   // DR0-3 enabled as instruction breakpoints
  uint8_t watch_mask_ = 0;     // DR0-3 enabled as data watchpoints
  bool slow_access_ = false;   // watch_mask_ != 0 or alignment_check_active(): no data fast path
  uint8_t watch_hits_ = 0;     // watchpoints the current instruction hit
  uint8_t deferred_watch_hits_ = 0;  // hit by a MOV SS: reported after the next instruction
  bool rf_at_start_ = false;     // the instruction handled its own single-step trap (SYSCALL/SYSRET)
  void step_after_fast_call(bool tf_at_start);    // from NMI delivery to the next IRET (Vol. 3A §6.7.1)
  bool wait_for_sipi_ = false;

  std::unique_ptr<XstateLayout> own_xstate_;
  const XstateLayout& xstate_;
  XstateSizer xsizer_;
  XstateSizer::Sizes xsizes_{kXsaveMinSize, kXsaveMinSize};
};

}  // namespace nv
