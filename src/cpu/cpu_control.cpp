// Control registers, EFER and the other MSRs, CPUID, the TSC, the CPU mode
// and the boot states.
#include "cpu/cpu.h"

#include "lapic/clock.h"
#include "lapic/local_apic.h"
#include "util/log.h"
#include "vmm/multiboot_loader.h"

#include <x86intrin.h>

namespace nv {

namespace {

constexpr uint64_t kCr0Pe = 1, kCr0Et = 1ull << 4, kCr0Nw = 1ull << 29, kCr0Cd = 1ull << 30;
// CR0 bits software may set (SDM Vol. 3A §2.5): PE MP EM TS ET NE WP AM NW CD PG.
constexpr uint64_t kCr0Writable = 0xe005003f;
// CR4 bits every model allows: VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR
// OSXMMEXCPT (Vol. 3A §2.5); the others exist only with their CPUID feature.
constexpr uint64_t kCr4Always = 0x7ff;
constexpr uint64_t kCr4OsXsave = 1ull << 18;

struct Cr4Feature {
  uint64_t bit;
  uint32_t leaf;
  unsigned reg;  // 1 = EBX, 2 = ECX
  unsigned cpuid_bit;
};
// Vol. 3A §2.5 (each bit's "if CPUID.x reports support") and Vol. 2A CPUID.
constexpr Cr4Feature kCr4Features[] = {
    {1ull << 11, 7, 2, 2},   // UMIP
    {1ull << 12, 7, 2, 16},  // LA57
    {1ull << 16, 7, 1, 0},   // FSGSBASE
    {1ull << 17, 1, 2, 17},  // PCIDE
    {1ull << 18, 1, 2, 26},  // OSXSAVE
    {1ull << 20, 7, 1, 7},   // SMEP
    {1ull << 21, 7, 1, 20},  // SMAP
    {1ull << 22, 7, 2, 3},   // PKE
};
constexpr uint64_t kEferSce = 1;

constexpr uint16_t kCodeAttr32 = 0xc09b;  // G, D, P, S, type execute/read accessed
constexpr uint16_t kDataAttr32 = 0xc093;  // G, B, P, S, type read/write accessed
constexpr uint16_t kCodeAttr64 = 0xa09b;  // G, L, P, S, type execute/read accessed

}  // namespace

void Cpu::update_mode() {
  CpuMode m;
  const SegmentCache& cs = s_.seg[kCs];
  if (!(s_.cr0 & kCr0Pe)) m = CpuMode::real;
  else if (s_.rflags & rflags::kVM) m = CpuMode::v8086;
  else if (s_.efer & efer::kLMA) m = cs.l() ? CpuMode::long64 : cs.db() ? CpuMode::compat32 : CpuMode::compat16;
  else m = cs.db() ? CpuMode::prot32 : CpuMode::prot16;
  s_.mode = m;
  s_.pending |= pending::kModeChanged;
  update_alignment_check();  // CR0 writes and CPL changes all end here
}

PagingState Cpu::paging_state() const {
  PagingState ps = paging_constants_;
  ps.cr0 = s_.cr0;
  ps.cr3 = s_.cr3;
  ps.cr4 = s_.cr4;
  ps.efer = s_.efer;
  return ps;
}

void Cpu::sync_paging() {
  const PagingState ps = paging_state();
  if (!mmu_.set_paging_state(ps)) throw_fault(vec::kGP, 0);  // PAE PDPTE with reserved bits (§4.4.1)
  s_.pending |= pending::kModeChanged;
}

uint64_t Cpu::read_cr(unsigned n) const {
  switch (n) {
    case 0: return s_.cr0;
    case 2: return s_.cr2;
    case 3: return s_.cr3;
    case 4: return s_.cr4;
    case 8: return apic_ ? apic_->cr8() : s_.cr8;  // §11.8.6: CR8 is the TPR's priority class
    default: throw_fault(vec::kUD);
  }
}

void Cpu::write_cr(unsigned n, uint64_t v) {
  switch (n) {
    case 0: {
      // Vol. 2B "MOV—Move to/from Control Registers", Vol. 3A §2.5, §10.8.5.
      if (v >> 32) throw_fault(vec::kGP, 0);
      v = (v & kCr0Writable) | kCr0Et;
      bool pg = v & cr0::kPG;
      if (pg && !(v & kCr0Pe)) throw_fault(vec::kGP, 0);
      if ((v & kCr0Nw) && !(v & kCr0Cd)) throw_fault(vec::kGP, 0);
      uint64_t efer = s_.efer;
      if (pg && !(s_.cr0 & cr0::kPG) && (efer & efer::kLME)) {
        if (!(s_.cr4 & cr4::kPAE) || s_.seg[kCs].l()) throw_fault(vec::kGP, 0);
        efer |= efer::kLMA;  // §10.8.5: IA-32e mode becomes active
      }
      if (!pg && (s_.cr0 & cr0::kPG) && (efer & efer::kLMA)) {
        if (s_.mode == CpuMode::long64) throw_fault(vec::kGP, 0);
        efer &= ~efer::kLMA;  // §10.8.5.4: leaving IA-32e mode
      }
      uint64_t old_cr0 = s_.cr0, old_efer = s_.efer;
      s_.cr0 = v;
      s_.efer = efer;
      try {
        sync_paging();
      } catch (const GuestFault&) {
        s_.cr0 = old_cr0;
        s_.efer = old_efer;
        throw;
      }
      update_mode();
      return;
    }
    case 2:
      s_.cr2 = v;
      return;
    case 3: {
      bool no_flush = (s_.cr4 & cr4::kPCIDE) && (v >> 63);
      v &= ~(1ull << 63);
      if (!mmu_.write_cr3(v, no_flush)) throw_fault(vec::kGP, 0);
      s_.cr3 = v;
      s_.pending |= pending::kModeChanged;
      return;
    }
    case 4: {
      uint64_t allowed = kCr4Always;
      for (const Cr4Feature& f : kCr4Features)
        if (cpuid_has(f.leaf, f.reg, f.cpuid_bit)) allowed |= f.bit;
      if (v & ~allowed) throw_fault(vec::kGP, 0);
      bool lma = s_.efer & efer::kLMA;
      if (lma && !(v & cr4::kPAE)) throw_fault(vec::kGP, 0);
      if (lma && ((v ^ s_.cr4) & cr4::kLA57)) throw_fault(vec::kGP, 0);
      if ((v & cr4::kPCIDE) && !(s_.cr4 & cr4::kPCIDE) && ((s_.cr3 & 0xfff) || !lma)) throw_fault(vec::kGP, 0);
      uint64_t old = s_.cr4;
      s_.cr4 = v;
      try {
        sync_paging();
      } catch (const GuestFault&) {
        s_.cr4 = old;
        throw;
      }
      return;
    }
    case 8:
      if (v & ~0xfull) throw_fault(vec::kGP, 0);
      s_.cr8 = v;
      if (apic_) {
        apic_->set_cr8(static_cast<uint8_t>(v));
        s_.pending |= pending::kInterrupt;  // a lower TPR may unmask a pending vector
      }
      return;
    default:
      throw_fault(vec::kUD);
  }
}

void Cpu::write_efer(uint64_t v) {
  // Vol. 4 Table 2-2, IA32_EFER: SCE, LME, LMA (read-only), NXE.
  uint64_t allowed = kEferSce | efer::kLME | efer::kLMA;
  if (cpuid(0x80000001, 0).edx & (1u << 20)) allowed |= efer::kNXE;
  if (v & ~allowed) throw_fault(vec::kGP, 0);
  if ((s_.cr0 & cr0::kPG) && ((v ^ s_.efer) & efer::kLME)) throw_fault(vec::kGP, 0);  // §10.8.5
  v = (v & ~efer::kLMA) | (s_.efer & efer::kLMA);
  uint64_t old = s_.efer;
  s_.efer = v;
  try {
    sync_paging();
  } catch (const GuestFault&) {
    s_.efer = old;
    throw;
  }
}

uint64_t Cpu::read_tsc() const { return (clock_ ? clock_->tsc() : __rdtsc()) + s_.tsc_offset; }

// AMD's legacy PerfEvtSel0-3/PerfCtr0-3 (0xc0010000-0xc0010007) exist on
// every AMD64 CPU (AMD APM Vol. 2 §13.2.1). Without counting, KVM reads them
// as 0 and drops writes; the engine does the same on an AMD-vendor CPUID
// (kvm-unit-tests' PMU set-up writes them on AMD).
bool Cpu::amd_legacy_perf_msr(uint32_t msr) const { return msr >= 0xc0010000 && msr <= 0xc0010007 && amd_vendor(); }

std::optional<uint64_t> Cpu::read_msr(uint32_t msr) {
  if (apic_ && LocalApic::handles_msr(msr)) {
    // IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC range; the APIC says
    // which accesses #GP (Vol. 3A §11.12.1.2).
    uint64_t v;
    if (!apic_->rdmsr(msr, v)) throw_fault(vec::kGP, 0);
    return v;
  }
  if (amd_legacy_perf_msr(msr)) return 0;
  switch (msr) {
    case 0x10: return read_tsc();
    case 0x1b: return s_.apic_base;
    case 0x3a: return 1;  // IA32_FEATURE_CONTROL: locked, VMX off
    case 0x3b:
      if (!cpuid_has(7, 1, 1)) return std::nullopt;
      return s_.tsc_adjust;
    case 0x8b: return 0;  // IA32_BIOS_SIGN_ID
    case 0x179: return 0;  // IA32_MCG_CAP: no machine-check banks (Vol. 3B §17.3.1.1)
    case 0x17a: return 0;  // IA32_MCG_STATUS
    case 0x174: return s_.sysenter_cs;
    case 0x175: return s_.sysenter_esp;
    case 0x176: return s_.sysenter_eip;
    case 0x1a0: return s_.misc_enable;
    case 0x277: return s_.pat;
    case 0xc0000080: return s_.efer;
    case 0xc0000081: return s_.star;
    case 0xc0000082: return s_.lstar;
    case 0xc0000083: return s_.cstar;
    case 0xc0000084: return s_.sfmask;
    case 0xc0000100: return s_.seg[kFs].base;
    case 0xc0000101: return s_.seg[kGs].base;
    case 0xc0000102: return s_.kernel_gs_base;
    case 0xc0000103: return s_.tsc_aux;
    default: return std::nullopt;
  }
}

bool Cpu::write_msr(uint32_t msr, uint64_t v) {
  auto set_canonical = [&](uint64_t& field) {
    if (!canonical(v)) throw_fault(vec::kGP, 0);
    field = v;
  };
  if (apic_ && LocalApic::handles_msr(msr)) {
    if (!apic_->wrmsr(msr, v)) throw_fault(vec::kGP, 0);
    s_.pending |= pending::kInterrupt;  // EOI, TPR, ICR: look again
    return true;
  }
  if (amd_legacy_perf_msr(msr)) return true;  // dropped
  switch (msr) {
    case 0x10: {
      // Vol. 3B §18.17.3: a write to IA32_TSC moves IA32_TSC_ADJUST by the same amount.
      uint64_t delta = v - read_tsc();
      s_.tsc_offset += delta;
      s_.tsc_adjust += delta;
      return true;
    }
    case 0x3b:
      // IA32_TSC_ADJUST (CPUID.7.EBX[1]): writing it moves the TSC by the change.
      if (!cpuid_has(7, 1, 1)) return false;
      s_.tsc_offset += v - s_.tsc_adjust;
      s_.tsc_adjust = v;
      return true;
    case 0x1b:
      // Vol. 3A §12.4.4: BSP (bit 8) is read-only; base within MAXPHYADDR.
      if (v & 0x2ff) throw_fault(vec::kGP, 0);
      s_.apic_base = (v & ~(1ull << 8)) | (s_.apic_base & (1ull << 8));
      return true;
    case 0x17a:
      if (v != 0) throw_fault(vec::kGP, 0);  // only 0 may be written without MCA
      return true;
    case 0x174: s_.sysenter_cs = v & 0xffff; return true;
    case 0x175: set_canonical(s_.sysenter_esp); return true;
    case 0x176: set_canonical(s_.sysenter_eip); return true;
    case 0x1a0: s_.misc_enable = v; return true;
    case 0x277: s_.pat = v; return true;
    case 0xc0000080: write_efer(v); return true;
    case 0xc0000081: s_.star = v; return true;
    case 0xc0000082: set_canonical(s_.lstar); return true;
    case 0xc0000083: set_canonical(s_.cstar); return true;
    case 0xc0000084: s_.sfmask = v & 0xffffffff; return true;
    case 0xc0000100: set_canonical(s_.seg[kFs].base); return true;
    case 0xc0000101: set_canonical(s_.seg[kGs].base); return true;
    case 0xc0000102: set_canonical(s_.kernel_gs_base); return true;
    case 0xc0000103: s_.tsc_aux = v & 0xffffffff; return true;
    default: return false;
  }
}

Cpu::CpuidRegs Cpu::cpuid(uint32_t leaf, uint32_t subleaf) const {
  CpuidRegs out;
  for (const CpuidEntry& e : cpuid_) {
    if (e.function != leaf) continue;
    if ((e.flags & kCpuidFlagSignificantIndex) && e.index != subleaf) continue;
    out = {e.eax, e.ebx, e.ecx, e.edx};
    break;
  }
  // CPUID.1:ECX.OSXSAVE[27] mirrors CR4.OSXSAVE (Vol. 2A CPUID).
  if (leaf == 1) out.ecx = (out.ecx & ~(1u << 27)) | ((s_.cr4 & kCr4OsXsave) ? 1u << 27 : 0);
  // CPUID.0xD.0:EBX: the XSAVE area size for the current XCR0 (Vol. 2A CPUID).
  if (leaf == 0xd && subleaf == 0) out.ebx = xsizes_.standard;
  // CPUID.1:EDX.APIC[9] reads 0 while IA32_APIC_BASE.EN is clear (Vol. 3A §11.4.3).
  if (leaf == 1 && apic_ && !apic_->hardware_enabled()) out.edx &= ~(1u << 9);
  return out;
}

bool Cpu::amd_vendor() const {
  const CpuidRegs r = cpuid(0, 0);
  return r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163;  // "Auth" "enti" "cAMD"
}

void Cpu::set_xcr0(uint64_t xcr0) {
  s_.xcr0 = xcr0;
  xsizes_ = xsizer_.recompute(xcr0, 0);
}

bool Cpu::cpuid_has(uint32_t leaf, unsigned reg, unsigned bit) const {
  const CpuidRegs r = cpuid(leaf, 0);
  const uint32_t v = reg == 0 ? r.eax : reg == 1 ? r.ebx : reg == 2 ? r.ecx : r.edx;
  return (v >> bit) & 1;
}

void Cpu::set_multiboot_state(const BootInfo& boot) {
  // Multiboot §3.2: flat 4 GiB code and data segments, CR0.PE set, paging
  // off, interrupts off; the kernel loads its own GDT and IDT.
  for (unsigned i = 0; i < kSegCount; ++i) s_.seg[i] = {0, 0xffffffff, 0x18, kDataAttr32};
  s_.seg[kCs] = {0, 0xffffffff, 0x10, kCodeAttr32};
  s_.ldtr = {0, 0xffff, 0, 0x82};
  s_.tr = {0, 0xffff, 0, 0x8b};
  s_.gdtr = {0, 0};
  s_.idtr = {0, 0};
  s_.cr0 = kCr0Pe | kCr0Et;
  s_.cr3 = s_.cr4 = s_.efer = 0;
  s_.cpl = 0;
  set_rflags(rflags::kFixed1);
  s_.rip = boot.entry;
  s_.gpr[kRax] = 0x2badb002;  // Multiboot §3.2: the boot loader's magic value
  s_.gpr[kRbx] = boot.mbi_addr;
  s_.halted = 0;
  shutdown_ = false;
  sync_paging();
  update_mode();
}

void Cpu::enter_wait_for_sipi() {
  // Vol. 3A Table 10-1 (state after INIT): real mode at F000:FFF0, caches
  // of 64 KiB segments; MSRs, the APIC and x87/SSE state are kept.
  for (unsigned i = 0; i < kSegCount; ++i) s_.seg[i] = {0, 0xffff, 0, 0x93};
  s_.seg[kCs] = {0xffff0000, 0xffff, 0xf000, 0x9b};
  s_.ldtr = {0, 0xffff, 0, 0x82};
  s_.tr = {0, 0xffff, 0, 0x8b};
  s_.gdtr = {0, 0xffff};
  s_.idtr = {0, 0xffff};
  s_.cr0 = (s_.cr0 & (kCr0Cd | kCr0Nw)) | kCr0Et;
  s_.cr2 = s_.cr3 = s_.cr4 = 0;
  s_.efer = 0;
  s_.cpl = 0;
  for (uint64_t& r : s_.gpr) r = 0;
  s_.gpr[kRdx] = cpuid(1, 0).eax;  // the processor signature
  set_rflags(rflags::kFixed1);
  s_.rip = 0xfff0;
  s_.halted = 1;
  irr_.reset();
  nmi_blocked_ = false;
  wait_for_sipi_ = true;
  sync_paging();
  update_mode();
}

void Cpu::set_flat64_test_state(uint64_t rip, uint64_t rsp) {
  for (unsigned i = 0; i < kSegCount; ++i) s_.seg[i] = {0, 0xffffffff, 0x10, kDataAttr32};
  s_.seg[kCs] = {0, 0xffffffff, 0x08, kCodeAttr64};
  s_.tr = {0, 0x67, 0, 0x8b};
  s_.cr0 = kCr0Pe | kCr0Et;
  s_.cr3 = s_.cr4 = 0;
  s_.efer = efer::kLME | efer::kLMA;
  s_.cpl = 0;
  set_rflags(rflags::kFixed1);
  s_.rip = rip;
  s_.gpr[kRsp] = rsp;
  s_.halted = 0;
  shutdown_ = false;
  // The MMU sees paging off (linear = physical); the CPU decodes as 64-bit.
  PagingState ps;
  ps.cr0 = s_.cr0;
  mmu_.set_paging_state(ps);
  update_mode();
}


void Cpu::enter_l2(uint32_t space) {
  mmu_.enter_l2(paging_state(), space);
  update_mode();
  s_.pending |= pending::kModeChanged | pending::kInterrupt;  // new fetch page; L2's interrupt state
}

bool Cpu::exit_to_l1() {
  const bool pdptes_ok = mmu_.exit_to_l1(paging_state());
  update_mode();
  s_.pending |= pending::kModeChanged | pending::kInterrupt;
  return pdptes_ok;
}

void Cpu::set_window_exiting(bool interrupt_window, bool nmi_window) {
  interrupt_window_exiting_ = interrupt_window;
  nmi_window_exiting_ = nmi_window;
  if (interrupt_window || nmi_window) s_.pending |= pending::kInterrupt;  // look at the next boundary
}

}  // namespace nv
