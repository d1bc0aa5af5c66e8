// One vCPU's local APIC: the xAPIC MMIO register page, the x2APIC MSRs,
// IA32_APIC_BASE, the LVT, the APIC timer (one-shot, periodic, TSC-deadline)
// and the IRR/ISR/TMR state the CPU core takes interrupts from.
//
// Section numbers (§) are those of the Intel SDM Vol. 3A editions where
// chapter 11 is "Advanced Programmable Interrupt Controller (APIC)"
// (2023 and later; the same sections are 10.x in older editions).
//
// Threads: every public method may be called from any thread; the state is
// guarded by a per-APIC mutex. Messages to other APICs and EOI broadcasts are
// sent after that mutex is released, and the wake-up callback is called
// without it, so the callback may not call back into interrupt controllers
// of a lock it holds.
#pragma once

#include "devices/device.h"
#include "lapic/apic_message.h"

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

namespace nv {

class ApicBus;
class Clock;

class LocalApic : public Device {
 public:
  struct Config {
    bool x2apic = true;        // CPUID.1:ECX.x2APIC: IA32_APIC_BASE.EXTD may be set
    bool tsc_deadline = true;  // CPUID.1:ECX.TSC_Deadline: LVT timer mode 2 and MSR 0x6e0
    bool lvt_cmci = false;     // the CMCI LVT entry (0x2f0); max LVT entry 6 instead of 5
    bool eoi_broadcast_suppression = false;  // version bit 24; SVR bit 12 writable
    unsigned phys_bits = 40;   // MAXPHYADDR: IA32_APIC_BASE bits above it are reserved
  };

  // MSRs (SDM Vol. 4 Table 2-2; §11.4.4, §11.5.4.1, §11.12.1.2).
  static constexpr uint32_t kMsrApicBase = 0x1b;
  static constexpr uint32_t kMsrTscDeadline = 0x6e0;
  static constexpr uint32_t kMsrX2apicFirst = 0x800, kMsrX2apicLast = 0x8ff;
  static constexpr uint32_t kMsrX2apicIcr = 0x830;

  // IA32_APIC_BASE bits (§11.4.4, §11.12.1).
  static constexpr uint64_t kBaseBsp = 1u << 8, kBaseExtd = 1u << 10, kBaseEnable = 1u << 11;

  // Register offsets in the xAPIC page (§11.4.1 Table 11-1); the x2APIC MSR
  // of a register is 0x800 + offset / 16 (§11.12.1.2 Table 11-6).
  enum Reg : uint32_t {
    kId = 0x020, kVersion = 0x030, kTpr = 0x080, kApr = 0x090, kPpr = 0x0a0, kEoi = 0x0b0, kRrd = 0x0c0,
    kLdr = 0x0d0, kDfr = 0x0e0, kSvr = 0x0f0, kIsr = 0x100, kTmr = 0x180, kIrr = 0x200, kEsr = 0x280,
    kLvtCmci = 0x2f0, kIcrLow = 0x300, kIcrHigh = 0x310, kLvtTimer = 0x320, kLvtThermal = 0x330,
    kLvtPerf = 0x340, kLvtLint0 = 0x350, kLvtLint1 = 0x360, kLvtError = 0x370, kTimerInitial = 0x380,
    kTimerCurrent = 0x390, kTimerDivide = 0x3e0, kSelfIpi = 0x3f0,  // SELF IPI: x2APIC only
  };
  static constexpr uint64_t kMmioSize = 0x1000;

  // ESR bits (§11.5.3 Figure 11-9).
  static constexpr uint32_t kEsrSendIllegalVector = 1u << 5, kEsrReceiveIllegalVector = 1u << 6,
                            kEsrIllegalRegister = 1u << 7;

  // LVT bits (§11.5.1 Figure 11-8).
  static constexpr uint32_t kLvtMasked = 1u << 16, kLvtLevel = 1u << 15, kLvtRemoteIrr = 1u << 14;
  static constexpr uint32_t kTimerPeriodic = 1u << 17, kTimerTscDeadline = 2u << 17;

  // The APIC timer counts at 1 GHz before the divider (as KVM's in-kernel
  // APIC): one count per `divisor` nanoseconds.
  static constexpr uint64_t kTimerTickNs = 1;

  LocalApic(ApicBus& bus, unsigned index, const Clock& clock, const Config& config);

  std::string_view name() const override { return "local-apic"; }
  unsigned index() const { return index_; }

  // Power-on/RESET state (§11.4.7.1): xAPIC mode at 0xfee00000, all LVTs
  // masked, SVR 0xff. The BSP's LINT0 is then set to ExtINT, unmasked, as
  // KVM's in-kernel APIC and a PC BIOS (MP spec virtual-wire mode) leave it,
  // so the 8259's INTR reaches the BSP under both engines.
  void reset();
  // INIT (§11.4.7.3): as reset, but the APIC ID, IA32_APIC_BASE (including
  // the x2APIC mode, §11.12.5.1) and the BSP flag are kept.
  void init_reset();

  // --- Guest register interfaces ------------------------------------------
  // The xAPIC page at mmio_base(); a Device so tests and the engine's MMIO
  // path can drive it. Accesses are meant to be 32-bit and 16-byte aligned
  // (§11.4.1); narrower reads return the addressed bytes, other writes are
  // dropped (logged once). In x2APIC mode the page is not decoded
  // (§11.12.1.2): claims_mmio() is false and the engine treats the range as
  // memory.
  uint64_t mmio_read(uint64_t addr, unsigned size) override;
  void mmio_write(uint64_t addr, unsigned size, uint64_t value) override;
  bool claims_mmio(uint64_t addr) const;
  uint64_t mmio_base() const;

  // IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC MSRs. false means the
  // access raises #GP(0).
  static bool handles_msr(uint32_t msr);
  bool rdmsr(uint32_t msr, uint64_t& value);
  bool wrmsr(uint32_t msr, uint64_t value);

  // --- Interface towards the CPU core --------------------------------------
  // A fixed interrupt is deliverable: the highest IRR vector's priority class
  // is above the PPR's (§11.8.3.1, §11.8.4). The CPU still checks RFLAGS.IF
  // and interrupt shadows itself.
  bool interrupt_pending() const;
  // INTA: moves the highest IRR vector to the ISR and returns it; returns the
  // spurious vector (SVR[7:0], §11.9) when nothing is deliverable.
  int acknowledge();
  // External (8259) interrupt requested through LINT0 in ExtINT mode, an
  // ExtINT message, or LINT0 while the APIC is hardware-disabled (§11.4.3:
  // LINT0 is then the INTR pin). The CPU takes the vector from the PIC's INTA
  // cycle (Pic8259::acknowledge). Checked before interrupt_pending(): ExtINT
  // bypasses the APIC priority logic.
  bool extint_pending() const;
  bool take_extint();
  bool take_nmi();
  bool take_smi();
  bool take_init();
  // KVM_HC_KICK_CPU (Linux Documentation/virt/kvm/x86/hypercalls.rst): the
  // vCPU leaves HLT even with interrupts masked, as KVM's pv_unhalted; the
  // flag is kept until the CPU takes it.
  void kick();
  bool take_kick();
  // The latest SIPI vector, held until taken or until the next INIT. A CPU
  // that is not in wait-for-SIPI discards it by taking it (§11.6.1: SIPIs are
  // ignored outside wait-for-SIPI).
  std::optional<uint8_t> take_sipi();
  // Called (without the APIC's lock) whenever an interrupt, NMI, SMI, INIT,
  // SIPI or ExtINT becomes pending, so a halted vCPU can be woken.
  void set_wakeup(std::function<void()> wakeup);

  // CR8 is TPR[7:4] (§11.8.6).
  uint8_t cr8() const;
  void set_cr8(uint8_t value);

  // Local interrupt pins (LINT0: the 8259's INTR on the BSP; LINT1: NMI).
  // Level-sensitive; an edge-triggered LVT fires on the rising edge.
  void set_lint(unsigned pin, bool level);

  // --- Timer --------------------------------------------------------------
  uint64_t next_deadline_ns() const;  // UINT64_MAX when the timer is idle
  void advance(uint64_t now_ns);

  // --- Used by ApicBus ---------------------------------------------------
  bool hardware_enabled() const;
  bool software_enabled() const;
  bool x2apic_mode() const;
  uint32_t x2apic_id() const { return index_; }
  // The current APIC ID: the x2APIC ID in x2APIC mode, else ID register bits
  // 31:24 (§11.4.6).
  uint32_t apic_id() const;
  uint8_t ppr() const;
  // Whether a message's destination selects this APIC (§11.6.2, §11.12.10);
  // shorthands are resolved by the bus.
  bool matches(const ApicMessage& msg) const;
  // Accepts a message addressed to this APIC (§11.6.3, §11.8.4); false
  // when the APIC refused it (hardware-disabled, or a fixed interrupt to a
  // software-disabled APIC).
  bool accept(const ApicMessage& msg);
  // The ICR fast path's delivery (seed 001): a fixed interrupt straight into
  // the IRR. Returns false, accepting nothing, unless this APIC is in x2APIC
  // mode and software-enabled (the caller then routes the IPI generically).
  bool accept_fastpath_ipi(uint8_t vector, bool level_trigger);

  // Register-state accessors for diagnostics and tests.
  bool irr(uint8_t vector) const;
  bool isr(uint8_t vector) const;
  bool tmr(uint8_t vector) const;

 private:
  using Vec256 = std::array<uint64_t, 4>;
  struct Outgoing;  // work done after the lock is released

  static bool test(const Vec256& v, unsigned bit) { return (v[bit / 64] >> (bit % 64)) & 1; }
  static void set(Vec256& v, unsigned bit, bool on);
  static int highest(const Vec256& v);

  bool hardware_enabled_locked() const;
  bool software_enabled_locked() const;
  bool x2apic_mode_locked() const;
  void reset_registers_locked();
  uint32_t read_register_locked(uint32_t offset) const;
  bool register_readable(uint32_t offset, bool x2apic) const;
  // Writes one register; returns false for #GP (x2APIC reserved bits).
  bool write_register_locked(uint32_t offset, uint64_t value, bool x2apic, Outgoing& out);
  bool write_apic_base_locked(uint64_t value);
  void write_lvt_locked(uint32_t offset, uint32_t value);
  uint32_t* lvt_slot(uint32_t offset);
  uint8_t ppr_locked() const;
  uint8_t apr_locked() const;
  bool interrupt_pending_locked() const;
  bool extint_pending_locked() const;
  uint32_t logical_id_locked() const;
  // A fixed interrupt into the IRR; true when it was accepted.
  bool accept_fixed_locked(uint8_t vector, bool level_trigger);
  bool accept_locked(const ApicMessage& msg);
  void record_error_locked(uint32_t esr_bits);
  bool deliver_lvt_locked(uint32_t lvt);
  void send_icr_locked(uint64_t icr, bool x2apic, Outgoing& out);
  void eoi_locked(Outgoing& out);
  void finish(Outgoing& out);

  // Timer helpers (§11.5.4).
  unsigned timer_mode_locked() const { return (lvt_timer_ >> 17) & 3; }
  uint64_t timer_divisor_locked() const;
  uint32_t timer_current_locked(uint64_t now) const;
  void timer_start_locked(uint64_t now, uint32_t count);
  void timer_stop_locked();
  bool timer_fire_locked(uint64_t now);

  ApicBus& bus_;
  const unsigned index_;
  const Clock& clock_;
  const Config config_;

  mutable std::mutex mutex_;
  std::function<void()> wakeup_;

  uint64_t apic_base_ = 0;
  uint32_t xapic_id_ = 0;  // ID register bits 31:24 in xAPIC mode
  uint32_t tpr_ = 0, ldr_ = 0, dfr_ = 0, svr_ = 0;
  uint32_t esr_ = 0, esr_pending_ = 0;
  uint64_t icr_ = 0;
  uint32_t lvt_timer_ = 0, lvt_thermal_ = 0, lvt_perf_ = 0, lvt_lint0_ = 0, lvt_lint1_ = 0, lvt_error_ = 0,
           lvt_cmci_ = 0;
  Vec256 irr_{}, isr_{}, tmr_{};
  std::array<bool, 2> lint_level_{};

  bool nmi_pending_ = false, smi_pending_ = false, init_pending_ = false, extint_latched_ = false, kicked_ = false;
  std::optional<uint8_t> sipi_vector_;

  uint32_t timer_initial_ = 0, timer_divide_ = 0;
  uint64_t timer_base_ns_ = 0;         // when the count was timer_base_count_
  uint32_t timer_base_count_ = 0;
  uint64_t timer_deadline_ns_ = UINT64_MAX;  // next expiry, UINT64_MAX when idle
  uint64_t tsc_deadline_ = 0;          // IA32_TSC_DEADLINE; 0 when disarmed
};

}  // namespace nv
