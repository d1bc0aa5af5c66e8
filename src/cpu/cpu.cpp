#include "cpu/cpu.h"

#include "cpu/decoder.h"
#include "cpu/handler_table.h"
#include "cpu/unimplemented_log.h"
#include "lapic/local_apic.h"
#include "lapic/pic8259.h"
#include "util/log.h"

#include <Zydis/Zydis.h>
#include <fmt/format.h>

#include <cstring>
#include <utility>

namespace nv {

void throw_fault(uint8_t vector) { throw GuestFault{vector, false, 0}; }
void throw_fault(uint8_t vector, uint32_t error) { throw GuestFault{vector, true, error}; }

Cpu::Cpu(const CpuEnvironment& env, unsigned index)
    : index_(index),
      memory_(env.memory),
      io_(env.io),
      mmio_(env.mmio),
      control_(env.control),
      code_(env.code),
      cpuid_(env.cpuid),
      mmu_(env.memory),
      apic_(env.apic),
      apic_bus_(env.apic_bus),
      pic_(env.pic),
      clock_(env.clock),
      own_xstate_(env.xstate ? nullptr : std::make_unique<XstateLayout>(XstateLayout::from_cpuid(env.cpuid))),
      xstate_(env.xstate ? *env.xstate : *own_xstate_),
      xsizer_(xstate_, env.xstate_cache) {
  if (index != 0) s_.apic_base &= ~(1ull << 8);  // only the BSP has IA32_APIC_BASE.BSP (SDM Vol. 3A §12.4.4)
  // The paging inputs CPUID fixes for the vCPU's lifetime, read once here
  // rather than on every CR write and VMX transition.
  const uint32_t address_bits = cpuid(0x80000008, 0).eax & 0xff;
  if (address_bits >= 32) paging_constants_.maxphyaddr = static_cast<uint8_t>(address_bits);
  paging_constants_.page1gb = cpuid(0x80000001, 0).edx & (1u << 26);
  sync_paging();
}

Cpu::Exit Cpu::run(uint64_t quantum) {
  if (shutdown_) return Exit::shutdown;
  if (apic_event_.exchange(false, std::memory_order_acq_rel)) s_.pending |= pending::kInterrupt;
  update_alignment_check();  // state() may have been edited since the last run
  const uint64_t end = s_.icount + quantum;
  while (s_.icount < end) {
    if (s_.pending) [[unlikely]] {
      if (s_.pending & pending::kStop) {
        s_.pending &= ~pending::kStop;
        return Exit::stop;
      }
      if (s_.pending & pending::kYield) {
        s_.pending &= ~pending::kYield;
        return Exit::quantum;
      }
      run_pending();
      if (shutdown_) return Exit::shutdown;
      // Single-step and breakpoints stay pending while enabled, so the plain
      // loop below never tests for them.
      if (s_.pending & (pending::kSingleStep | pending::kBreakpoints)) {
        if (s_.halted) return Exit::halted;
        step_with_debug();
        if (shutdown_) return Exit::shutdown;
        continue;
      }
    }
    if (s_.halted) [[unlikely]]
      return Exit::halted;
    try {
      run_straight(end);
    } catch (const GuestFault& f) {
      deliver_fault(f);
      ++s_.icount;
      if (shutdown_) return Exit::shutdown;
    }
  }
  return Exit::quantum;
}

void Cpu::run_straight(uint64_t end) {
  insn_rip_ = s_.rip;
  const DecodedInsn* i = fetch();
  unsigned offset = (s_.seg[kCs].base + insn_rip_) & 0xfff;  // of `i` in the fetch page
  for (;;) {
    const uint64_t next = insn_rip_ + i->length;
    s_.rip = next;
    i->handler(*this, *i);
    ++s_.icount;
    if (s_.pending || s_.halted || s_.icount >= end) [[unlikely]]
      return;
    const uint64_t rip = s_.rip;
    insn_rip_ = rip;
    // Falling through to the next instruction of the same cached page takes
    // its slot directly: no linear address, no page compare. The next
    // instruction's lookup then does not wait for the handler's RIP store; a
    // jump, a decode-cache change or a page end takes the full fetch.
    const unsigned next_offset = offset + i->length;
    if (rip == next && next_offset < 4096 && fetch_page_ && fetch_generation_ == code_.generation()) [[likely]] {
      if (const DecodedInsn* d = fetch_page_->at(next_offset)) {
        i = d;
        offset = next_offset;
        continue;
      }
    }
    i = fetch();
    offset = (s_.seg[kCs].base + rip) & 0xfff;
  }
}

void Cpu::deliver_fault(const GuestFault& f) {
  // Faults leave RIP at the faulting instruction (SDM Vol. 3A §6.5).
  s_.rip = insn_rip_;
  raise_exception(f.vector, f.has_error ? std::optional<uint32_t>(f.error) : std::nullopt);
}

bool Cpu::interrupt_deliverable() const {
  return (s_.rflags & rflags::kIF) && !(s_.pending & pending::kShadow);
}

void Cpu::run_pending() {
  if (s_.pending & pending::kModeChanged) {
    fetch_lin_page_ = ~0ull;
    fetch_page_ = nullptr;
    s_.pending &= ~pending::kModeChanged;
  }
  // STI and MOV SS inhibit interrupts until the end of the next instruction
  // (SDM Vol. 3A §6.8.3, Vol. 2B STI): the shadow armed by the previous
  // instruction survives one more boundary.
  if (s_.pending & pending::kShadow) {
    if (shadow_armed_) {
      shadow_armed_ = false;
      return;
    }
    s_.pending &= ~pending::kShadow;
  }
  if (s_.pending & pending::kInterrupt) accept_interrupts();
}

void Cpu::accept_interrupts() {
  // INIT, SIPI and NMI do not depend on RFLAGS.IF (Vol. 3A §10.4, §6.7.1).
  if (apic_) {
    // In VMX non-root operation INIT is a VM exit, and so is a SIPI in the
    // wait-for-SIPI state (Vol. 3C §26.2).
    if (apic_->take_init() && !intercept({.reason = ExitReason::init})) enter_wait_for_sipi();
    if (std::optional<uint8_t> sipi = apic_->take_sipi();
        sipi && wait_for_sipi_ && !intercept({.reason = ExitReason::sipi, .vector = *sipi})) {
      // §10.4.4.1: the SIPI vector gives the real-mode start address VV000h.
      wait_for_sipi_ = false;
      load_real_segment(kCs, static_cast<uint16_t>(*sipi << 8));
      s_.rip = 0;
      s_.halted = 0;
    }
    if (wait_for_sipi_) return;  // everything else waits (§10.4.2)
    if (apic_->take_kick()) s_.halted = 0;  // KVM_HC_KICK_CPU: leaves HLT whatever IF is
    if (!nmi_blocked_ && nmi_window_exiting_ && intercept({.reason = ExitReason::nmi_window})) return;
    if (!nmi_blocked_ && apic_->take_nmi()) {
      s_.halted = 0;
      if (intercept({.reason = ExitReason::exception_or_nmi, .vector = vec::kNMI, .type = InterruptionType::nmi}))
        return;
      nmi_blocked_ = true;
      raise_event(vec::kNMI, EventKind::external, std::nullopt);
      return;
    }
  }
  if (!interrupt_deliverable()) {
    // With IF = 0 nothing maskable can be taken until IF is set again, which
    // sets the flag anew (STI, set_rflags); polling the APIC before every
    // instruction meanwhile cost most of the time of guests that run with
    // interrupts off (sieve: 4-6x). A shadow ends after one instruction, so
    // then the flag stays.
    if (!(s_.rflags & rflags::kIF)) s_.pending &= ~pending::kInterrupt;
    return;
  }
  if (interrupt_window_exiting_ && intercept({.reason = ExitReason::interrupt_window})) return;
  int v = -1;
  if (irr_.any()) {
    v = 255;
    while (!irr_.test(v)) --v;
    irr_.reset(v);
  } else if (apic_ && apic_->take_extint()) {
    v = pic_ ? pic_->acknowledge() : -1;
  } else if (apic_ && apic_->interrupt_pending()) {
    v = apic_->acknowledge();
  }
  if (v < 0) {
    s_.pending &= ~pending::kInterrupt;
    return;
  }
  s_.halted = 0;
  // The hook gets the acknowledged vector (what "acknowledge interrupt on
  // exit" reports, Vol. 3C §27.2.2); without that control src/nested hands
  // it back with request_interrupt.
  if (intercept({.reason = ExitReason::external_interrupt, .vector = static_cast<uint8_t>(v)})) return;
  raise_event(static_cast<uint8_t>(v), EventKind::external, std::nullopt);
}

void Cpu::request_interrupt(uint8_t vector) {
  irr_.set(vector);
  s_.pending |= pending::kInterrupt;
}

const DecodedInsn* Cpu::fetch_slow() {
  fetch_mask_ = s_.mode == CpuMode::long64 ? ~0ull : 0xffffffff;
  const uint64_t lin = (s_.seg[kCs].base + s_.rip) & fetch_mask_;
  // Vol. 3A §5.3: outside 64-bit mode every byte of the instruction must lie
  // within CS.limit (real mode too, with the cached limit), else #GP(0).
  unsigned max_length = 15;
  if (s_.mode != CpuMode::long64) {
    const uint64_t limit = s_.seg[kCs].limit;
    if (s_.rip > limit) throw_fault(vec::kGP, 0);
    if (limit - s_.rip < 15) max_length = static_cast<unsigned>(limit - s_.rip + 1);
  }
  if ((lin >> 12) != fetch_lin_page_ || fetch_generation_ != code_.generation()) {
    if (fetch_generation_ != code_.generation()) code_.release_retired();
    fetch_page_ = nullptr;
    fetch_lin_page_ = ~0ull;
    if (s_.mode == CpuMode::long64 && !canonical(lin)) throw_fault(vec::kGP, 0);  // Vol. 1 §3.3.7.1
    MmuResult r = translate(lin, AccessType::explicit_access(AccessKind::execute, s_.cpl, false));
    fetch_generation_ = code_.generation();
    // The fast paths (fetch, run_straight's fall-through) do not check the
    // limit, so a page that reaches past it is never the fetch page: its
    // instructions take this path each time.
    if (r.host && page_within_cs_limit(lin)) {
      fetch_page_ = code_.page(r.gpa, s_.mode);
      if (fetch_page_) fetch_lin_page_ = lin >> 12;
    }
  }
  return &decode_slow(lin, fetch_page_, max_length);
}

bool Cpu::page_within_cs_limit(uint64_t lin) const {
  if (s_.mode == CpuMode::long64) return true;
  // The offset of the page's last byte. Its first bytes may lie below the
  // base (offsets that wrap around 4 GiB), which no in-limit RIP reaches:
  // branches and event delivery check targets, and fetch_slow checks RIP.
  const uint64_t last = ((lin | 0xfff) - s_.seg[kCs].base) & 0xffffffff;
  return last <= s_.seg[kCs].limit;
}

const DecodedInsn& Cpu::decode_slow(uint64_t lin, CodePage* page, unsigned max_length) {
  uint8_t buf[15];
  const AccessType exec = AccessType::explicit_access(AccessKind::execute, s_.cpl, false);
  size_t first = 0x1000 - (lin & 0xfff);
  if (first > max_length) first = max_length;
  auto copy = [&](uint64_t at, size_t from, size_t n) {
    MmuResult r = translate(at, exec);
    if (r.host) {
      std::memcpy(buf + from, r.host, n);
    } else {
      for (size_t k = 0; k < n; ++k) buf[from + k] = static_cast<uint8_t>(mmio_.read_or_float(r.gpa + k, 1));
    }
  };
  copy(lin, 0, first);
  DecodeStatus st = decode_instruction(s_.mode, buf, first, scratch_);
  if (st == DecodeStatus::need_more_bytes && first < max_length) {
    // The instruction crosses into the next page: fetch it (its #PF is the
    // instruction's) and run it uncached, so a write to either page is safe.
    uint64_t next = lin + first;
    if (s_.mode != CpuMode::long64) next &= 0xffffffff;
    copy(next, first, max_length - first);
    st = decode_instruction(s_.mode, buf, max_length, scratch_);
    page = nullptr;
  }
  // Bytes past CS.limit are not fetched: the limit fault comes before any #PF there.
  if (st == DecodeStatus::need_more_bytes && max_length < 15) throw_fault(vec::kGP, 0);
  if (st != DecodeStatus::ok) throw_fault(vec::kUD);  // no x86 CPU defines the encoding (Vol. 2B UD)
  if (!page) return scratch_;
  code_.count_decoded();
  return page->add(lin & 0xfff, scratch_);
}

void Cpu::report_unimplemented(const DecodedInsn& i) {
  std::vector<uint8_t> bytes(i.length);
  uint64_t lin = s_.seg[kCs].base + insn_rip_;
  for (unsigned k = 0; k < i.length; ++k)
    bytes[k] = static_cast<uint8_t>(read_linear(lin + k, 1, AccessType::implicit_supervisor(AccessKind::read)));
  std::string name = ZydisMnemonicGetString(static_cast<ZydisMnemonic>(i.mnemonic));
  if (UnimplementedLog::instance().record(name, bytes)) {
    std::string hex;
    for (uint8_t b : bytes) hex += fmt::format("{}{:02x}", hex.empty() ? "" : " ", b);
    log_warn("emu vCPU {}: {} at {:#x} (bytes {}) is not implemented; raising #UD", index_, name, insn_rip_, hex);
  }
  throw_fault(vec::kUD);
}

void handle_unimplemented(Cpu& cpu, const DecodedInsn& insn) { cpu.report_unimplemented(insn); }

// ---- operands ----

uint64_t Cpu::read_op(const DecodedInsn& i, unsigned n) {
  const Operand& o = i.op[n];
  switch (o.kind) {
    case OpKind::reg: return reg(o.reg, o.size);
    case OpKind::reg8h: return (s_.gpr[o.reg] >> 8) & 0xff;
    case OpKind::mem:
      return i.rmw ? read_for_write(i.seg, effective_address(i), o.size) : read(i.seg, effective_address(i), o.size);
    // Immediates are sign-extended to the destination (MOV r/m64, imm32).
    case OpKind::imm: return i.imm & size_mask(i.op[0].size);
    case OpKind::sreg: return s_.seg[o.reg].selector;
    default: throw_fault(vec::kUD);
  }
}

void Cpu::write_op(const DecodedInsn& i, unsigned n, uint64_t v) {
  const Operand& o = i.op[n];
  switch (o.kind) {
    case OpKind::reg: set_reg(o.reg, o.size, v); return;
    case OpKind::reg8h: s_.gpr[o.reg] = (s_.gpr[o.reg] & ~0xff00ull) | ((v & 0xff) << 8); return;
    case OpKind::mem: write(i.seg, effective_address(i), o.size, v); return;
    default: throw_fault(vec::kUD);
  }
}

// ---- memory ----

uint64_t Cpu::linear_legacy(unsigned seg, uint64_t offset, unsigned size, bool write) {
  const SegmentCache& sc = s_.seg[seg];
  const uint8_t fault = seg == kSs ? vec::kSS : vec::kGP;
  if (protected_mode() && !(s_.rflags & rflags::kVM)) {
    // Vol. 3A §5.3-5.4: a null (unusable) segment, a write to a code or
    // read-only segment, a read of an execute-only one, or an offset outside
    // the limit faults.
    if (!sc.present()) throw_fault(fault, 0);
    unsigned type = sc.type();
    bool code = type & 8;
    if (write ? (code || !(type & 2)) : (code && !(type & 2))) throw_fault(fault, 0);
    uint64_t last = offset + size - 1;
    if (!code && (type & 4)) {  // expand-down: valid offsets are (limit, upper]
      uint64_t upper = sc.db() ? 0xffffffff : 0xffff;
      if (offset <= sc.limit || last > upper) throw_fault(fault, 0);
    } else if (last > sc.limit) {
      throw_fault(fault, 0);
    }
  } else if (offset + size - 1 > sc.limit) {
    throw_fault(fault, 0);  // real mode: the cached limit (normally 64 KiB) applies too
  }
  return (sc.base + offset) & 0xffffffff;
}

MmuResult Cpu::translate(uint64_t lin, AccessType access) {
  MmuResult r = mmu_.translate(lin, access);
  if (r.status == WalkStatus::ok) [[likely]]
    return r;
  if (r.status == WalkStatus::page_fault) {
    s_.cr2 = r.fault.address;
    throw_fault(vec::kPF, r.fault.error_code);
  }
  throw_fault(vec::kGP, 0);  // gpa_fault: only with a nested translator, which the engine does not install yet
}


// SDM Vol. 3A §6.15, Table 6-7: with alignment checking on, an explicit data
// reference at CPL 3 must be aligned to its size (1, 2, 4 or 8 bytes; wider
// operands and far pointers are accessed in parts of those sizes, each part
// aligned by its own size). Descriptor-table and TSS accesses are supervisor
// accesses and instruction fetches do not come here, so neither is checked.
void Cpu::check_alignment(uint64_t lin, unsigned size, AccessType access) const {
  if ((lin & (size - 1)) && access.is_user() && alignment_check_active()) throw_fault(vec::kAC, 0);
}

uint64_t Cpu::read_linear(uint64_t lin, unsigned size, AccessType access) {
  if (slow_access_) [[unlikely]]
    check_alignment(lin, size, access);
  if ((lin & 0xfff) + size > 0x1000) [[unlikely]] {
    uint64_t v = 0;
    for (unsigned k = 0; k < size; ++k) {
      uint64_t a = lin + k;
      if (s_.mode != CpuMode::long64) a &= 0xffffffff;
      v |= read_linear(a, 1, access) << (8 * k);
    }
    return v;
  }
  if (watch_mask_) [[unlikely]]
    watch(lin, size, false);
  MmuResult r = translate(lin, access);
  if (r.host) [[likely]]
    return load_host(r.host, size);
  if (apic_ && apic_->claims_mmio(r.gpa)) return apic_->mmio_read(r.gpa, size);
  return mmio_.read_or_float(r.gpa, size) & size_mask(size);
}

void Cpu::write_linear(uint64_t lin, unsigned size, uint64_t v, AccessType access) {
  if (slow_access_) [[unlikely]]
    check_alignment(lin, size, access);
  if ((lin & 0xfff) + size > 0x1000) [[unlikely]] {
    // Both pages must be writable before any byte is stored.
    uint64_t last = lin + size - 1;
    if (s_.mode != CpuMode::long64) last &= 0xffffffff;
    translate(lin, access);
    translate(last, access);
    for (unsigned k = 0; k < size; ++k) {
      uint64_t a = lin + k;
      if (s_.mode != CpuMode::long64) a &= 0xffffffff;
      write_linear(a, 1, v >> (8 * k), access);
    }
    return;
  }
  if (watch_mask_) [[unlikely]]
    watch(lin, size, true);
  MmuResult r = translate(lin, access);
  if (r.host) [[likely]] {
    store_host(r.host, size, v);
    if (code_.has_code(r.gpa)) [[unlikely]]
      code_.write_to_code_page(r.gpa, size);
    return;
  }
  if (apic_ && apic_->claims_mmio(r.gpa)) {
    apic_->mmio_write(r.gpa, size, v & size_mask(size));
    s_.pending |= pending::kInterrupt;  // EOI, TPR, self-IPI: look again
    return;
  }
  mmio_.write_or_drop(r.gpa, size, v & size_mask(size));
  if (control_.stop_requested()) s_.pending |= pending::kStop;
  poll_device_interrupts();
}

// ---- stack ----

void Cpu::push(uint64_t v, unsigned size) {
  unsigned as = stack_addr_size();
  uint64_t sp = (s_.gpr[kRsp] - size) & size_mask(as);
  write(kSs, sp, size, v);
  set_reg(kRsp, as, sp);
}

uint64_t Cpu::pop(unsigned size) {
  unsigned as = stack_addr_size();
  uint64_t sp = s_.gpr[kRsp] & size_mask(as);
  uint64_t v = read(kSs, sp, size);
  set_reg(kRsp, as, sp + size);
  return v;
}

uint64_t Cpu::peek_stack(unsigned offset, unsigned size) {
  unsigned as = stack_addr_size();
  return read(kSs, (s_.gpr[kRsp] + offset) & size_mask(as), size);
}

// ---- port I/O ----

void Cpu::check_io(uint16_t port, unsigned size) {
  if (!protected_mode() || (s_.cpl <= iopl() && !(s_.rflags & rflags::kVM))) return;
  // SDM Vol. 1 §19.5.2: the TSS I/O permission bit map decides; every bit
  // of the accessed ports must be clear, and the map must reach them.
  const SegmentCache& tr = s_.tr;
  if ((tr.type() & 0x7) != 0x1 || tr.type() < 9 || tr.limit < 0x67) throw_fault(vec::kGP, 0);
  AccessType sup = AccessType::implicit_supervisor(AccessKind::read);
  uint64_t map = read_linear(tr.base + 0x66, 2, sup);
  uint64_t byte = map + port / 8;
  if (byte + 1 > tr.limit) throw_fault(vec::kGP, 0);
  uint64_t bits = read_linear(tr.base + byte, 2, sup);
  if ((bits >> (port & 7)) & ((1u << size) - 1)) throw_fault(vec::kGP, 0);
}

bool Cpu::begin_io(uint16_t port, unsigned size, uint64_t encoding) {
  check_io(port, size);
  return !intercept({.reason = ExitReason::io, .qualification = exit_qualification::io_access(port, size, encoding)});
}

uint64_t Cpu::io_in(uint16_t port, unsigned size) {
  return io_.read_or_float(port, size) & size_mask(size);
}

void Cpu::io_out(uint16_t port, unsigned size, uint64_t v) {
  io_.write_or_drop(port, size, v & size_mask(size));
  if (control_.stop_requested()) s_.pending |= pending::kStop;  // isa-debug-exit, reset ports
  poll_device_interrupts();
}

void Cpu::invlpg(uint64_t lin) {
  mmu_.invlpg(lin);
  s_.pending |= pending::kModeChanged;
}

std::string Cpu::describe() const {
  const VcpuState& s = s_;
  return fmt::format(
      "rip={:#x} rsp={:#x} rax={:#x} rbx={:#x} rcx={:#x} rdx={:#x} rsi={:#x} rdi={:#x} rflags={:#x} cs={:#x} "
      "cr0={:#x} cr3={:#x} cr4={:#x} efer={:#x} mode={} cpl={} icount={}",
      s.rip, s.gpr[kRsp], s.gpr[kRax], s.gpr[kRbx], s.gpr[kRcx], s.gpr[kRdx], s.gpr[kRsi], s.gpr[kRdi], rflags(),
      s.seg[kCs].selector, s.cr0, s.cr3, s.cr4, s.efer, static_cast<int>(s.mode), s.cpl, s.icount);
}

}  // namespace nv
