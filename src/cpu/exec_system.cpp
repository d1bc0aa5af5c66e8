// System and flag instructions: CLI/STI, HLT, IN/OUT, CPUID, RDTSC(P),
// RDMSR/WRMSR, SYSCALL/SYSRET, SYSENTER/SYSEXIT, MOV to/from CRn/DRn/Sreg,
// LGDT/LIDT/SGDT/SIDT, LLDT/LTR/SLDT/STR, LAR/LSL/VERR/VERW, LMSW/SMSW/CLTS,
// INVLPG, cache no-ops, XGETBV/XSETBV, SWAPGS,
// PUSHF/POPF, LAHF/SAHF, CLC/STC/CMC/CLD/STD, PAUSE, UD (SDM Vol. 2).
#include "cpu/cpu.h"
#include "cpu/handler_table.h"
#include "cpu/segment_descriptor.h"
#include "util/log.h"

namespace nv {

namespace {

using namespace rflags;

void require_cpl0(Cpu& c) {
  if (c.state().cpl != 0) throw_fault(vec::kGP, 0);
}
void require_protected(Cpu& c) {
  if (!c.protected_mode() || (c.state().rflags & kVM)) throw_fault(vec::kUD);
}

// CLI/STI (Vol. 2A CLI, Vol. 2B STI) change IF at CPL <= IOPL in protected
// mode (IOPL 3 in virtual-8086 mode, where CPL is 3). Above IOPL they change
// VIF instead in virtual-8086 mode with CR4.VME and at CPL 3 with CR4.PVI
// (Vol. 3A §20.3, §20.4), STI being #GP(0) while VIP is set; otherwise #GP(0).
bool above_iopl(Cpu& c) { return c.protected_mode() && c.state().cpl > c.iopl(); }
bool virtual_interrupt_flag(Cpu& c) {
  const VcpuState& s = c.state();
  return (s.rflags & kVM) ? (s.cr4 & cr4::kVME) : s.cpl == 3 && (s.cr4 & cr4::kPVI);
}
void cli(Cpu& c, const DecodedInsn&) {
  if (above_iopl(c)) {
    if (!virtual_interrupt_flag(c)) throw_fault(vec::kGP, 0);
    c.state().rflags &= ~kVIF;
    return;
  }
  c.state().rflags &= ~kIF;
}
void sti(Cpu& c, const DecodedInsn&) {
  if (above_iopl(c)) {
    if (!virtual_interrupt_flag(c) || (c.state().rflags & kVIP)) throw_fault(vec::kGP, 0);
    c.state().rflags |= kVIF;  // no interrupt shadow: nothing is delivered on VIF
    return;
  }
  // Vol. 2B STI: interrupts stay inhibited until after the next instruction
  // when IF was 0.
  if (!(c.state().rflags & kIF)) {
    c.set_interrupt_shadow();
    c.state().pending |= pending::kInterrupt;  // held back while IF = 0 (Cpu::accept_interrupts)
  }
  c.state().rflags |= kIF;
}

// The VM-exit hook for an instruction whose exit has no qualification.
bool intercepted(Cpu& c, ExitReason reason) { return c.intercept({.reason = reason}); }

void hlt(Cpu& c, const DecodedInsn&) {
  require_cpl0(c);
  if (intercepted(c, ExitReason::hlt)) return;
  c.halt();
}

void in(Cpu& c, const DecodedInsn& i) {
  const bool imm = i.op[1].kind == OpKind::imm;
  uint16_t port = static_cast<uint16_t>(imm ? i.imm : c.reg(kRdx, 2));
  using namespace exit_qualification::io;
  if (!c.begin_io(port, i.op[0].size, kIn | (imm ? kImmediate : 0))) return;
  c.set_reg(kRax, i.op[0].size, c.io_in(port, i.op[0].size));
}
void out(Cpu& c, const DecodedInsn& i) {
  const bool imm = i.op[0].kind == OpKind::imm;
  uint16_t port = static_cast<uint16_t>(imm ? i.imm : c.reg(kRdx, 2));
  if (!c.begin_io(port, i.op[1].size, imm ? exit_qualification::io::kImmediate : 0)) return;
  c.io_out(port, i.op[1].size, c.reg(kRax, i.op[1].size));
}

void cpuid(Cpu& c, const DecodedInsn&) {
  if (intercepted(c, ExitReason::cpuid)) return;  // unconditional in VMX non-root operation (Vol. 3C §26.1.2)
  const Cpu::CpuidRegs r = c.cpuid(static_cast<uint32_t>(c.reg(kRax, 4)), static_cast<uint32_t>(c.reg(kRcx, 4)));
  c.set_reg(kRax, 4, r.eax);
  c.set_reg(kRbx, 4, r.ebx);
  c.set_reg(kRcx, 4, r.ecx);
  c.set_reg(kRdx, 4, r.edx);
}

// RDTSC, and RDTSCP with IA32_TSC_AUX in ECX (Vol. 2B): CR4.TSD restricts
// them to CPL 0.
template <bool P>
void rdtsc(Cpu& c, const DecodedInsn&) {
  if ((c.state().cr4 & (1u << 2)) && c.state().cpl != 0 && c.protected_mode()) throw_fault(vec::kGP, 0);
  if (intercepted(c, P ? ExitReason::rdtscp : ExitReason::rdtsc)) return;
  uint64_t t = c.read_tsc();
  c.set_reg(kRax, 4, t);
  c.set_reg(kRdx, 4, t >> 32);
  if (P) c.set_reg(kRcx, 4, c.state().tsc_aux);
}

// RDPMC: no performance counters are offered (CPUID leaf 0xA is empty), so
// every counter index is invalid: #GP(0) (Vol. 2B RDPMC), unless L1 takes
// the VM exit first (RDPMC exiting has priority over the index check).
void rdpmc(Cpu& c, const DecodedInsn&) {
  if (!intercepted(c, ExitReason::rdpmc)) throw_fault(vec::kGP, 0);
}

// RDPID: IA32_TSC_AUX (Vol. 2B).
void rdpid(Cpu& c, const DecodedInsn& i) { c.set_reg(i.op[0].reg, i.op[0].size, c.state().tsc_aux); }

void rdmsr(Cpu& c, const DecodedInsn&) {
  require_cpl0(c);
  if (intercepted(c, ExitReason::rdmsr)) return;
  uint32_t msr = static_cast<uint32_t>(c.reg(kRcx, 4));
  std::optional<uint64_t> v = c.read_msr(msr);
  if (!v) {
    if (first_occurrence("emu-rdmsr", msr)) log_info("emu vCPU {}: RDMSR of unknown MSR {:#x}: #GP", c.index(), msr);
    throw_fault(vec::kGP, 0);
  }
  c.set_reg(kRax, 4, *v);
  c.set_reg(kRdx, 4, *v >> 32);
}
void wrmsr(Cpu& c, const DecodedInsn&) {
  require_cpl0(c);
  if (intercepted(c, ExitReason::wrmsr)) return;
  uint32_t msr = static_cast<uint32_t>(c.reg(kRcx, 4));
  uint64_t v = (c.reg(kRdx, 4) << 32) | c.reg(kRax, 4);
  if (!c.write_msr(msr, v)) {
    if (first_occurrence("emu-wrmsr", msr)) log_info("emu vCPU {}: WRMSR of unknown MSR {:#x}: #GP", c.index(), msr);
    throw_fault(vec::kGP, 0);
  }
}

// MOV CRn/DRn: CPL 0 (Vol. 2B MOV—Move to/from Control Registers).
using exit_qualification::CrAccess;
bool cr_intercepted(Cpu& c, unsigned cr, CrAccess type, unsigned gpr, uint16_t lmsw_source = 0) {
  return c.intercept(
      {.reason = ExitReason::cr_access, .qualification = exit_qualification::cr_access(cr, type, gpr, lmsw_source)});
}

void mov_to_cr(Cpu& c, const DecodedInsn& i) {
  require_cpl0(c);
  if (cr_intercepted(c, i.op[0].reg, CrAccess::mov_to_cr, i.op[1].reg)) return;
  c.write_cr(i.op[0].reg, c.reg(i.op[1].reg, i.op[1].size));
}
void mov_from_cr(Cpu& c, const DecodedInsn& i) {
  require_cpl0(c);
  if (cr_intercepted(c, i.op[1].reg, CrAccess::mov_from_cr, i.op[0].reg)) return;
  c.set_reg(i.op[0].reg, i.op[0].size, c.read_cr(i.op[1].reg));
}
// MOV DR exits come after the CPL and DR4/DR5 checks and before DR7.GD's
// #DB (Vol. 3C §26.1.1 gives only #UD and privilege faults priority).
bool dr_intercepted(Cpu& c, unsigned dr, bool from_dr, unsigned gpr) {
  return c.intercept({.reason = ExitReason::dr_access, .qualification = exit_qualification::dr_access(dr, from_dr, gpr)});
}

void mov_to_dr(Cpu& c, const DecodedInsn& i) {
  require_cpl0(c);
  unsigned n = i.op[0].reg;
  if (n > 7 || ((n == 4 || n == 5) && (c.state().cr4 & (1u << 3)))) throw_fault(vec::kUD);
  if (dr_intercepted(c, n, false, i.op[1].reg)) return;
  c.write_dr(n == 4 ? 6 : n == 5 ? 7 : n, c.reg(i.op[1].reg, i.op[1].size));
}
void mov_from_dr(Cpu& c, const DecodedInsn& i) {
  require_cpl0(c);
  unsigned n = i.op[1].reg;
  if (n > 7 || ((n == 4 || n == 5) && (c.state().cr4 & (1u << 3)))) throw_fault(vec::kUD);
  if (dr_intercepted(c, n, true, i.op[0].reg)) return;
  c.check_general_detect();
  c.set_reg(i.op[0].reg, i.op[0].size, c.state().dr[n == 4 ? 6 : n == 5 ? 7 : n]);
}
void mov_to_sreg(Cpu& c, const DecodedInsn& i) {
  if (i.op[0].reg == kCs) throw_fault(vec::kUD);  // Vol. 2B MOV: CS cannot be loaded by MOV
  c.load_segment(i.op[0].reg, static_cast<uint16_t>(c.read_op(i, 1)));
}
void mov_from_sreg(Cpu& c, const DecodedInsn& i) { c.write_op(i, 0, c.state().seg[i.op[1].reg].selector); }

// LGDT/LIDT m16&32 (m16&64 in 64-bit mode); a 16-bit operand size keeps 24 base bits.
template <bool IDT>
void load_table(Cpu& c, const DecodedInsn& i) {
  require_cpl0(c);
  if (intercepted(c, ExitReason::gdtr_idtr_access)) return;
  uint64_t ea = c.effective_address(i);
  uint16_t limit = static_cast<uint16_t>(c.read(i.seg, ea, 2));
  bool b64 = c.state().mode == CpuMode::long64;
  uint64_t base = c.read(i.seg, (ea + 2) & size_mask(i.asize), b64 ? 8 : 4);
  if (!b64 && i.osize == 2) base &= 0xffffff;
  // Vol. 2A LGDT/LIDT: #GP(0) in 64-bit mode when the base is not canonical.
  if (b64 && !c.canonical(base)) throw_fault(vec::kGP, 0);
  TableRegister& t = IDT ? c.state().idtr : c.state().gdtr;
  t.base = base;
  t.limit = limit;
}
template <bool IDT>
void store_table(Cpu& c, const DecodedInsn& i) {
  if (intercepted(c, ExitReason::gdtr_idtr_access)) return;
  const TableRegister& t = IDT ? c.state().idtr : c.state().gdtr;
  uint64_t ea = c.effective_address(i);
  bool b64 = c.state().mode == CpuMode::long64;
  c.write(i.seg, ea, 2, t.limit);
  c.write(i.seg, (ea + 2) & size_mask(i.asize), b64 ? 8 : 4, t.base);
}

void lldt(Cpu& c, const DecodedInsn& i) {
  require_protected(c);
  require_cpl0(c);
  if (intercepted(c, ExitReason::ldtr_tr_access)) return;
  c.load_ldt(static_cast<uint16_t>(c.read_op(i, 0)));
}
void ltr(Cpu& c, const DecodedInsn& i) {
  require_protected(c);
  require_cpl0(c);
  if (intercepted(c, ExitReason::ldtr_tr_access)) return;
  c.load_tr(static_cast<uint16_t>(c.read_op(i, 0)));
}
void sldt(Cpu& c, const DecodedInsn& i) {
  require_protected(c);
  if (intercepted(c, ExitReason::ldtr_tr_access)) return;
  c.write_op(i, 0, c.state().ldtr.selector);
}
void str(Cpu& c, const DecodedInsn& i) {
  require_protected(c);
  if (intercepted(c, ExitReason::ldtr_tr_access)) return;
  c.write_op(i, 0, c.state().tr.selector);
}

// LAR, LSL, VERR and VERW (Vol. 2A LAR, LSL; Vol. 2B VERR/VERW) look at
// the descriptor a selector names without loading it: a null selector, one
// outside its table, a type the instruction does not accept or a DPL below
// CPL or RPL (except for conforming code) clears ZF and leaves the
// destination alone; otherwise ZF = 1.
namespace desc = descriptor;
enum class DescriptorQuery { access_rights, limit, readable, writable };

// Table 3-2 and the instructions' lists of valid system types: LAR takes
// TSSs, LDTs and gates (outside IA-32e mode the 16-bit ones and task gates
// too), LSL only TSSs and LDTs; VERR/VERW no system descriptor.
bool valid_system_type(unsigned type, DescriptorQuery q, bool ia32e) {
  if (q == DescriptorQuery::readable || q == DescriptorQuery::writable) return false;
  const bool lar = q == DescriptorQuery::access_rights;
  switch (type) {
    case 0x2: case 0x9: case 0xb: return true;   // LDT, 32/64-bit TSS
    case 0xc: return lar;                          // 32/64-bit call gate
    case 0x1: case 0x3: return !ia32e;             // 16-bit TSS
    case 0x4: case 0x5: return lar && !ia32e;      // 16-bit call gate, task gate
    default: return false;
  }
}

std::optional<uint64_t> examined_descriptor(Cpu& c, uint16_t sel, DescriptorQuery q) {
  const VcpuState& s = c.state();
  if ((sel & 0xfffc) == 0) return std::nullopt;
  const bool ldt = sel & 4;
  if (ldt && !s.ldtr.present()) return std::nullopt;
  if ((sel & 0xfff8) + 7u > (ldt ? s.ldtr.limit : s.gdtr.limit)) return std::nullopt;
  const uint64_t d = c.read_descriptor(sel, 0);
  if (!desc::s(d)) {
    if (!valid_system_type(desc::type(d), q, c.long_mode_active())) return std::nullopt;
  } else if (q == DescriptorQuery::readable ? !desc::readable(d)
             : q == DescriptorQuery::writable ? !desc::writable_data(d) : false) {
    return std::nullopt;
  }
  if (!desc::conforming(d) && (desc::dpl(d) < s.cpl || desc::dpl(d) < (sel & 3u))) return std::nullopt;
  return d;
}

// ARPL r/m16, r16 (Vol. 2A; outside 64-bit mode, where 63 is MOVSXD; #UD in
// real and virtual-8086 mode): raises the destination selector's RPL to the
// source's, ZF = 1 when it did.
void arpl(Cpu& c, const DecodedInsn& i) {
  require_protected(c);
  const uint64_t dst = c.read_op(i, 0), src = c.read_op(i, 1);
  if ((dst & 3) < (src & 3)) {
    c.write_op(i, 0, (dst & ~3ull) | (src & 3));
    c.set_arith_flags(kZF, kZF);
  } else {
    c.set_arith_flags(kZF, 0);
  }
}

template <DescriptorQuery Q>
void examine_descriptor(Cpu& c, const DecodedInsn& i) {
  require_protected(c);
  const bool verify = Q == DescriptorQuery::readable || Q == DescriptorQuery::writable;
  const auto d = examined_descriptor(c, static_cast<uint16_t>(c.read_op(i, verify ? 0 : 1)), Q);
  c.set_arith_flags(kZF, d ? kZF : 0);
  if (!d || verify) return;
  uint64_t v = Q == DescriptorQuery::limit ? desc::limit(*d) : (*d >> 32) & 0x00f0ff00;  // type, S, DPL, P, AVL, L, D/B, G
  c.write_op(i, 0, v & (i.osize == 2 ? 0xffff : 0xffffffff));
}

void lmsw(Cpu& c, const DecodedInsn& i) {
  require_cpl0(c);
  // Vol. 2A LMSW: loads PE, MP, EM, TS; cannot clear PE.
  uint64_t v = c.read_op(i, 0) & 0xf;
  // Table 28-3: a register source names it; a memory source sets bit 6.
  const unsigned gpr = i.op[0].kind == OpKind::mem ? 0 : i.op[0].reg;
  const uint64_t mem_bit = i.op[0].kind == OpKind::mem ? 1ull << 6 : 0;
  if (c.intercept({.reason = ExitReason::cr_access,
                   .qualification = exit_qualification::cr_access(0, CrAccess::lmsw, gpr, static_cast<uint16_t>(v)) |
                                    mem_bit}))
    return;
  uint64_t cr0 = c.state().cr0;
  c.write_cr(0, (cr0 & ~0xeull) | v | (cr0 & 1));
}
void smsw(Cpu& c, const DecodedInsn& i) { c.write_op(i, 0, c.state().cr0 & size_mask(i.op[0].size)); }
void clts(Cpu& c, const DecodedInsn&) {
  require_cpl0(c);
  if (cr_intercepted(c, 0, CrAccess::clts, 0)) return;
  c.state().cr0 &= ~(1ull << 3);
}

void invlpg(Cpu& c, const DecodedInsn& i) {
  require_cpl0(c);
  uint64_t ea = c.effective_address(i);
  uint64_t lin = c.state().mode == CpuMode::long64 ? ea + (i.seg >= kFs ? c.state().seg[i.seg].base : 0)
                                                   : (c.state().seg[i.seg].base + ea) & 0xffffffff;
  if (c.intercept({.reason = ExitReason::invlpg, .qualification = lin})) return;
  c.invlpg(lin);
}

// INVPCID (Vol. 2A): register operand = type, memory operand = 128-bit
// descriptor (PCID in bits 11:0, bits 63:12 reserved, linear address in
// 127:64). #UD without CPUID.7.EBX.INVPCID or in virtual-8086 mode.
void invpcid(Cpu& c, const DecodedInsn& i) {
  if (!c.cpuid_has(7, 1, 10) || (c.state().rflags & kVM)) throw_fault(vec::kUD);
  require_cpl0(c);
  if (intercepted(c, ExitReason::invpcid)) return;  // before the descriptor is read or checked
  uint64_t type = c.reg(i.op[0].reg, i.op[0].size);
  uint64_t ea = c.effective_address(i);
  uint64_t desc = c.read(i.seg, ea, 8);
  uint64_t lin = c.read(i.seg, (ea + 8) & size_mask(i.asize), 8);
  if (type > 3 || (desc >> 12)) throw_fault(vec::kGP, 0);
  auto pcid = static_cast<uint16_t>(desc & 0xfff);
  if (type == 0 && !c.canonical(lin)) throw_fault(vec::kGP, 0);
  if (type <= 1 && pcid && !(c.state().cr4 & cr4::kPCIDE)) throw_fault(vec::kGP, 0);
  c.mmu().invpcid(static_cast<unsigned>(type), pcid, lin);
  c.state().pending |= pending::kModeChanged;  // the fetch page may be stale, as after INVLPG
}

// STAC/CLAC (Vol. 2B): set or clear RFLAGS.AC, which lets supervisor code
// reach user pages under SMAP; #UD without CPUID.7.EBX.SMAP or at CPL > 0.
template <bool Set>
void stac_clac(Cpu& c, const DecodedInsn&) {
  if (!c.cpuid_has(7, 1, 20) || c.state().cpl != 0) throw_fault(vec::kUD);
  if (Set) c.state().rflags |= kAC;
  else c.state().rflags &= ~kAC;
}

template <ExitReason Reason>
void cache_noop_cpl0(Cpu& c, const DecodedInsn&) {  // WBINVD, INVD
  require_cpl0(c);
  intercepted(c, Reason);
}
// CLFLUSH and friends: no architectural effect besides their memory operand's faults.
void cache_line_noop(Cpu& c, const DecodedInsn& i) { c.read(i.seg, c.effective_address(i), 1); }

void xgetbv(Cpu& c, const DecodedInsn&) {
  if (!(c.state().cr4 & (1ull << 18))) throw_fault(vec::kUD);
  if (c.reg(kRcx, 4) != 0) throw_fault(vec::kGP, 0);
  c.set_reg(kRax, 4, c.state().xcr0);
  c.set_reg(kRdx, 4, c.state().xcr0 >> 32);
}
void xsetbv(Cpu& c, const DecodedInsn&) {
  if (!(c.state().cr4 & (1ull << 18))) throw_fault(vec::kUD);
  require_cpl0(c);
  if (intercepted(c, ExitReason::xsetbv)) return;  // unconditional in VMX non-root operation
  uint64_t v = (c.reg(kRdx, 4) << 32) | c.reg(kRax, 4);
  // Vol. 2C XSETBV: only XCR0 exists (ECX[31:0] = 0); the value must be a
  // valid combination of supported components (Vol. 1 §13.3).
  if (c.reg(kRcx, 4) != 0 || !c.xstate().valid_xcr0(v)) throw_fault(vec::kGP, 0);
  c.set_xcr0(v);
}

void swapgs(Cpu& c, const DecodedInsn&) {
  if (c.state().mode != CpuMode::long64) throw_fault(vec::kUD);
  require_cpl0(c);
  std::swap(c.state().seg[kGs].base, c.state().kernel_gs_base);
}

// PUSHF/POPF (Vol. 2B): VM and RF are not pushed; in virtual-8086 mode IOPL
// must be 3, or CR4.VME set for the 16-bit forms, which then work on VIF
// (Vol. 3A §20.3): PUSHF pushes VIF as IF and IOPL as 3; POPF loads VIF from
// IF and keeps IF and IOPL, and is #GP(0) for an image with TF set, or with
// IF set while VIP is. Elsewhere POPF changes IOPL only at CPL 0 and IF only
// at CPL <= IOPL.
bool virtual_8086_vme_flags(Cpu& c, const DecodedInsn& i) {
  if (!(c.state().rflags & kVM) || c.iopl() == 3) return false;
  if (!(c.state().cr4 & cr4::kVME) || i.osize != 2) throw_fault(vec::kGP, 0);
  return true;
}
void pushf(Cpu& c, const DecodedInsn& i) {
  uint32_t f = c.rflags() & ~(kVM | kRF);
  if (virtual_8086_vme_flags(c, i)) f = (f & ~kIF) | ((f & kVIF) ? kIF : 0) | kIOPL;
  c.push(f, i.osize);
}
void popf(Cpu& c, const DecodedInsn& i) {
  if (virtual_8086_vme_flags(c, i)) {
    const uint32_t v = static_cast<uint32_t>(c.peek_stack(0, 2));
    if ((v & kTF) || ((v & kIF) && (c.state().rflags & kVIP))) throw_fault(vec::kGP, 0);
    c.pop(2);
    constexpr uint32_t kLoaded = kCF | kPF | kAF | kZF | kSF | kTF | kDF | kOF | kNT;
    c.set_rflags((c.rflags() & ~(kLoaded | kVIF)) | (v & kLoaded) | ((v & kIF) ? kVIF : 0));
    return;
  }
  uint32_t v = static_cast<uint32_t>(c.pop(i.osize));
  uint32_t mask = kCF | kPF | kAF | kZF | kSF | kTF | kDF | kOF | kNT | kAC | kID;
  unsigned cpl = c.state().cpl;
  if (!c.protected_mode()) cpl = 0;
  if (cpl <= c.iopl()) mask |= kIF;
  if (cpl == 0 && !(c.state().rflags & kVM)) mask |= kIOPL;
  if (i.osize == 2) mask &= 0xffff;
  uint32_t old = c.rflags();
  c.set_rflags(((old & ~mask) | (v & mask)) & ~kRF);
}

void lahf(Cpu& c, const DecodedInsn&) {
  uint64_t f = c.rflags() & (kSF | kZF | kAF | kPF | kCF | kFixed1);
  c.state().gpr[kRax] = (c.state().gpr[kRax] & ~0xff00ull) | (f << 8);
}
void sahf(Cpu& c, const DecodedInsn&) {
  uint32_t ah = (c.state().gpr[kRax] >> 8) & 0xff;
  c.set_arith_flags(kSF | kZF | kAF | kPF | kCF, ah);
}

void clc(Cpu& c, const DecodedInsn&) { c.set_arith_flags(kCF, 0); }
void stc(Cpu& c, const DecodedInsn&) { c.set_arith_flags(kCF, kCF); }
void cmc(Cpu& c, const DecodedInsn&) { c.set_arith_flags(kCF, c.cf() ? 0 : kCF); }
void cld(Cpu& c, const DecodedInsn&) { c.state().rflags &= ~kDF; }
void std_(Cpu& c, const DecodedInsn&) { c.state().rflags |= kDF; }
void nop(Cpu&, const DecodedInsn&) {}
// MONITOR/MWAIT (Vol. 2B), offered when CPUID.01H:ECX.MONITOR[bit 3] is set;
// #UD at CPL > 0. MONITOR checks DS:rAX as a read; MWAIT may wake for any
// reason ("implementation-dependent events"), so it wakes at once and gives
// other vCPUs the turn, which is what a store to the monitored line would
// wait for anyway.
void require_monitor(Cpu& c) {
  if (!c.cpuid_has(1, 2, 3) || c.state().cpl != 0) throw_fault(vec::kUD);
}
void monitor(Cpu& c, const DecodedInsn& i) {
  require_monitor(c);
  c.read(i.seg, c.reg(kRax, i.asize), 1);
  if (c.reg(kRcx, 4) != 0) throw_fault(vec::kGP, 0);  // no MONITOR extensions are offered
  intercepted(c, ExitReason::monitor);
}
void mwait(Cpu& c, const DecodedInsn&) {
  require_monitor(c);
  if (c.reg(kRcx, 4) & ~1ull) throw_fault(vec::kGP, 0);  // ECX[0]: wake on interrupts even with IF = 0
  if (!intercepted(c, ExitReason::mwait)) c.yield();
}

void pause(Cpu& c, const DecodedInsn&) {
  if (!intercepted(c, ExitReason::pause)) c.pause();
}
void syscall(Cpu& c, const DecodedInsn&) { c.syscall(); }
void sysret(Cpu& c, const DecodedInsn& i) { c.sysret(i.osize); }
void sysenter(Cpu& c, const DecodedInsn&) { c.sysenter(); }
void sysexit(Cpu& c, const DecodedInsn& i) { c.sysexit(i.osize); }
void int1(Cpu& c, const DecodedInsn&) { c.icebp(); }

}  // namespace

Handler select_mov_special(const DecodedInsn& i) {
  switch (i.op[0].kind) {
    case OpKind::creg: return mov_to_cr;
    case OpKind::dreg: return mov_to_dr;
    case OpKind::sreg: return mov_to_sreg;
    default: break;
  }
  switch (i.op[1].kind) {
    case OpKind::creg: return mov_from_cr;
    case OpKind::dreg: return mov_from_dr;
    case OpKind::sreg: return mov_from_sreg;
    default: return nullptr;
  }
}

void add_system_handlers(HandlerTable& t) {
  t.add(ZYDIS_MNEMONIC_CLI, cli);
  t.add(ZYDIS_MNEMONIC_STI, sti);
  t.add(ZYDIS_MNEMONIC_HLT, hlt);
  t.add(ZYDIS_MNEMONIC_IN, in);
  t.add(ZYDIS_MNEMONIC_OUT, out);
  t.add(ZYDIS_MNEMONIC_CPUID, cpuid);
  t.add(ZYDIS_MNEMONIC_RDTSC, rdtsc<false>);
  t.add(ZYDIS_MNEMONIC_RDTSCP, rdtsc<true>);
  t.add(ZYDIS_MNEMONIC_RDPID, rdpid);
  t.add(ZYDIS_MNEMONIC_RDMSR, rdmsr);
  t.add(ZYDIS_MNEMONIC_RDPMC, rdpmc);
  t.add(ZYDIS_MNEMONIC_WRMSR, wrmsr);
  t.add(ZYDIS_MNEMONIC_LGDT, load_table<false>);
  t.add(ZYDIS_MNEMONIC_LIDT, load_table<true>);
  t.add(ZYDIS_MNEMONIC_SGDT, store_table<false>);
  t.add(ZYDIS_MNEMONIC_SIDT, store_table<true>);
  t.add(ZYDIS_MNEMONIC_LLDT, lldt);
  t.add(ZYDIS_MNEMONIC_LTR, ltr);
  t.add(ZYDIS_MNEMONIC_SLDT, sldt);
  t.add(ZYDIS_MNEMONIC_STR, str);
  t.add(ZYDIS_MNEMONIC_LAR, examine_descriptor<DescriptorQuery::access_rights>);
  t.add(ZYDIS_MNEMONIC_ARPL, arpl);
  t.add(ZYDIS_MNEMONIC_LSL, examine_descriptor<DescriptorQuery::limit>);
  t.add(ZYDIS_MNEMONIC_VERR, examine_descriptor<DescriptorQuery::readable>);
  t.add(ZYDIS_MNEMONIC_VERW, examine_descriptor<DescriptorQuery::writable>);
  t.add(ZYDIS_MNEMONIC_LMSW, lmsw);
  t.add(ZYDIS_MNEMONIC_SMSW, smsw);
  t.add(ZYDIS_MNEMONIC_CLTS, clts);
  t.add(ZYDIS_MNEMONIC_INVLPG, invlpg);
  t.add(ZYDIS_MNEMONIC_INVPCID, invpcid);
  t.add(ZYDIS_MNEMONIC_STAC, stac_clac<true>);
  t.add(ZYDIS_MNEMONIC_CLAC, stac_clac<false>);
  t.add(ZYDIS_MNEMONIC_WBINVD, cache_noop_cpl0<ExitReason::wbinvd>);
  t.add(ZYDIS_MNEMONIC_INVD, cache_noop_cpl0<ExitReason::invd>);
  t.add(ZYDIS_MNEMONIC_CLFLUSH, cache_line_noop);
  t.add(ZYDIS_MNEMONIC_CLFLUSHOPT, cache_line_noop);
  t.add(ZYDIS_MNEMONIC_CLWB, cache_line_noop);
  t.add(ZYDIS_MNEMONIC_XGETBV, xgetbv);
  t.add(ZYDIS_MNEMONIC_XSETBV, xsetbv);
  t.add(ZYDIS_MNEMONIC_SWAPGS, swapgs);
  t.add(ZYDIS_MNEMONIC_SYSCALL, syscall);
  t.add(ZYDIS_MNEMONIC_SYSRET, sysret);
  t.add(ZYDIS_MNEMONIC_SYSENTER, sysenter);
  t.add(ZYDIS_MNEMONIC_SYSEXIT, sysexit);
  t.add(ZYDIS_MNEMONIC_INT1, int1);
  t.add(ZYDIS_MNEMONIC_PUSHF, pushf);
  t.add(ZYDIS_MNEMONIC_PUSHFD, pushf);
  t.add(ZYDIS_MNEMONIC_PUSHFQ, pushf);
  t.add(ZYDIS_MNEMONIC_POPF, popf);
  t.add(ZYDIS_MNEMONIC_POPFD, popf);
  t.add(ZYDIS_MNEMONIC_POPFQ, popf);
  t.add(ZYDIS_MNEMONIC_LAHF, lahf);
  t.add(ZYDIS_MNEMONIC_SAHF, sahf);
  t.add(ZYDIS_MNEMONIC_CLC, clc);
  t.add(ZYDIS_MNEMONIC_STC, stc);
  t.add(ZYDIS_MNEMONIC_CMC, cmc);
  t.add(ZYDIS_MNEMONIC_CLD, cld);
  t.add(ZYDIS_MNEMONIC_STD, std_);
  t.add(ZYDIS_MNEMONIC_PAUSE, pause);
  t.add(ZYDIS_MNEMONIC_MONITOR, monitor);
  t.add(ZYDIS_MNEMONIC_MWAIT, mwait);
  // ENDBR32/64 are NOPs while CET indirect-branch tracking is off (the
  // engine does not offer CET; Vol. 1 §18.3.1).
  t.add(ZYDIS_MNEMONIC_ENDBR32, nop);
  t.add(ZYDIS_MNEMONIC_ENDBR64, nop);
  // Fences and prefetches order or warm caches: nothing to do for a CPU that
  // retires one instruction at a time on one thread.
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MFENCE, ZYDIS_MNEMONIC_LFENCE, ZYDIS_MNEMONIC_SFENCE,
                          ZYDIS_MNEMONIC_PREFETCHNTA, ZYDIS_MNEMONIC_PREFETCHT0, ZYDIS_MNEMONIC_PREFETCHT1,
                          ZYDIS_MNEMONIC_PREFETCHT2, ZYDIS_MNEMONIC_PREFETCHW})
    t.add(m, nop);
  t.add(ZYDIS_MNEMONIC_UD0, handle_ud);
  t.add(ZYDIS_MNEMONIC_UD1, handle_ud);
  t.add(ZYDIS_MNEMONIC_UD2, handle_ud);
}

}  // namespace nv
