#include "lapic/local_apic.h"

#include "lapic/apic_bus.h"
#include "lapic/clock.h"
#include "util/log.h"
#include "vmm/memory_layout.h"

#include <algorithm>
#include <bit>
#include <utility>

namespace nv {

// Work that must happen after the APIC's mutex is released: messages to other
// APICs (which lock them, or this APIC for shorthand self), EOI broadcasts
// (the IOAPIC may redeliver to this APIC) and the wake-up callback.
struct LocalApic::Outgoing {
  std::optional<ApicMessage> ipi;
  std::optional<uint64_t> x2apic_icr;  // candidate for the fast path
  std::optional<uint8_t> eoi_vector;
  bool wake = false;
};

namespace {

constexpr uint32_t kApicVersion = 0x14;  // integrated APIC (§11.4.8: 1xH), as KVM and QEMU report
constexpr uint32_t kSvrEnable = 1u << 8, kSvrEoiSuppression = 1u << 12;
constexpr uint64_t kIcrWritable = 0x000ccfff;  // vector, mode, dest mode, level, trigger, shorthand (§11.6.1)
constexpr uint32_t kLvtDeliveryModeMask = 7u << 8;
constexpr uint32_t kLvtActiveLow = 1u << 13;
// Writable bits of the LVT entries (§11.5.1 Figure 11-8); delivery status
// and remote IRR are read-only.
constexpr uint32_t kLvtVectorMask = 0x100ff;                    // error
constexpr uint32_t kLvtModeMask = 0x107ff;                      // thermal, performance, CMCI
constexpr uint32_t kLvtLintMask = 0x1a7ff;                      // LINT0/1: + polarity, trigger
constexpr uint32_t kDivideMask = 0xb;                           // §11.5.4 Figure 11-10
constexpr unsigned kTimerModeOneShot = 0, kTimerModePeriodic = 1, kTimerModeDeadline = 2;

DeliveryMode lvt_mode(uint32_t lvt) { return static_cast<DeliveryMode>((lvt >> 8) & 7); }

}  // namespace

LocalApic::LocalApic(ApicBus& bus, unsigned index, const Clock& clock, const Config& config)
    : bus_(bus), index_(index), clock_(clock), config_(config) {
  reset();
}

void LocalApic::set(Vec256& v, unsigned bit, bool on) {
  uint64_t m = 1ull << (bit % 64);
  v[bit / 64] = on ? v[bit / 64] | m : v[bit / 64] & ~m;
}

int LocalApic::highest(const Vec256& v) {
  for (int w = 3; w >= 0; --w)
    if (v[w]) return w * 64 + 63 - std::countl_zero(v[w]);
  return -1;
}

void LocalApic::reset() {
  std::lock_guard lock(mutex_);
  // §11.4.4, §11.4.7.1: enabled, xAPIC mode, base 0xfee00000, BSP flag on
  // the bootstrap processor (vCPU 0).
  apic_base_ = layout::kLapicBase | kBaseEnable | (index_ == 0 ? kBaseBsp : 0);
  xapic_id_ = index_ << 24;  // §11.4.6: the initial APIC ID
  reset_registers_locked();
  if (index_ == 0) lvt_lint0_ = static_cast<uint32_t>(DeliveryMode::extint) << 8;
}

void LocalApic::init_reset() {
  std::lock_guard lock(mutex_);
  reset_registers_locked();
}

void LocalApic::reset_registers_locked() {
  // §11.4.7.1: IRR, ISR, TMR, ICR, LDR and TPR zero; DFR all ones; LVT
  // entries masked; SVR 0xff (software-disabled).
  tpr_ = 0;
  ldr_ = x2apic_mode_locked() ? logical_id_locked() : 0;
  dfr_ = 0xffffffff;
  svr_ = 0xff;
  esr_ = esr_pending_ = 0;
  icr_ = 0;
  lvt_timer_ = lvt_thermal_ = lvt_perf_ = lvt_lint0_ = lvt_lint1_ = lvt_error_ = lvt_cmci_ = kLvtMasked;
  irr_ = isr_ = tmr_ = {};
  nmi_pending_ = smi_pending_ = init_pending_ = extint_latched_ = kicked_ = false;
  sipi_vector_.reset();
  timer_initial_ = timer_divide_ = 0;
  tsc_deadline_ = 0;
  timer_stop_locked();
}

// --- State queries ----------------------------------------------------------

bool LocalApic::hardware_enabled_locked() const { return apic_base_ & kBaseEnable; }
bool LocalApic::software_enabled_locked() const { return svr_ & kSvrEnable; }
bool LocalApic::x2apic_mode_locked() const {
  return (apic_base_ & (kBaseEnable | kBaseExtd)) == (kBaseEnable | kBaseExtd);
}

bool LocalApic::hardware_enabled() const {
  std::lock_guard lock(mutex_);
  return hardware_enabled_locked();
}
bool LocalApic::software_enabled() const {
  std::lock_guard lock(mutex_);
  return software_enabled_locked();
}
bool LocalApic::x2apic_mode() const {
  std::lock_guard lock(mutex_);
  return x2apic_mode_locked();
}

uint64_t LocalApic::mmio_base() const {
  std::lock_guard lock(mutex_);
  return apic_base_ & ~0xfffull & ((1ull << config_.phys_bits) - 1);
}

bool LocalApic::claims_mmio(uint64_t addr) const {
  std::lock_guard lock(mutex_);
  uint64_t base = apic_base_ & ~0xfffull & ((1ull << config_.phys_bits) - 1);
  return hardware_enabled_locked() && !x2apic_mode_locked() && addr - base < kMmioSize;
}

uint32_t LocalApic::logical_id_locked() const {
  // §11.12.10.2: cluster ID = x2APIC ID[19:4] in bits 31:16, bit x2APIC
  // ID[3:0] set in bits 15:0.
  return ((index_ >> 4) << 16) | (1u << (index_ & 0xf));
}

uint8_t LocalApic::ppr_locked() const {
  // §11.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4.
  int isrv = std::max(highest(isr_), 0);
  return static_cast<uint8_t>((tpr_ & 0xf0) >= (static_cast<uint32_t>(isrv) & 0xf0) ? tpr_ & 0xff : isrv & 0xf0);
}

uint8_t LocalApic::apr_locked() const {
  // §11.6.2.4 (arbitration priority as defined for the P6 family): TPR when
  // it is at least the highest IRR class and above the highest ISR class,
  // else the highest of the three classes.
  uint32_t isrv = static_cast<uint32_t>(std::max(highest(isr_), 0)) & 0xf0;
  uint32_t irrv = static_cast<uint32_t>(std::max(highest(irr_), 0)) & 0xf0;
  uint32_t tpr = tpr_ & 0xf0;
  if (tpr >= irrv && tpr > isrv) return static_cast<uint8_t>(tpr_);
  return static_cast<uint8_t>(std::max({tpr, isrv, irrv}));
}

uint8_t LocalApic::ppr() const {
  std::lock_guard lock(mutex_);
  return ppr_locked();
}

bool LocalApic::interrupt_pending_locked() const {
  int v = highest(irr_);
  // §11.8.4: the highest IRR vector is dispatched when its priority class
  // is above the PPR's.
  return hardware_enabled_locked() && v >= 0 && (static_cast<uint32_t>(v) & 0xf0) > (ppr_locked() & 0xf0u);
}

bool LocalApic::interrupt_pending() const {
  std::lock_guard lock(mutex_);
  return interrupt_pending_locked();
}

bool LocalApic::irr(uint8_t v) const {
  std::lock_guard lock(mutex_);
  return test(irr_, v);
}
bool LocalApic::isr(uint8_t v) const {
  std::lock_guard lock(mutex_);
  return test(isr_, v);
}
bool LocalApic::tmr(uint8_t v) const {
  std::lock_guard lock(mutex_);
  return test(tmr_, v);
}

// --- CPU interface ------------------------------------------------------------

int LocalApic::acknowledge() {
  std::lock_guard lock(mutex_);
  if (!interrupt_pending_locked()) return static_cast<int>(svr_ & 0xff);  // §11.9 spurious interrupt
  int v = highest(irr_);
  set(irr_, static_cast<unsigned>(v), false);
  set(isr_, static_cast<unsigned>(v), true);
  return v;
}

bool LocalApic::extint_pending() const {
  std::lock_guard lock(mutex_);
  return extint_pending_locked();
}

bool LocalApic::extint_pending_locked() const {
  if (extint_latched_) return true;
  // §11.4.3: with the APIC hardware-disabled, LINT0 is the processor's INTR.
  if (!hardware_enabled_locked()) return lint_level_[0];
  bool active = lint_level_[0] != static_cast<bool>(lvt_lint0_ & kLvtActiveLow);
  return !(lvt_lint0_ & kLvtMasked) && lvt_mode(lvt_lint0_) == DeliveryMode::extint && active;
}

bool LocalApic::take_extint() {
  std::lock_guard lock(mutex_);
  bool pending = extint_pending_locked();
  extint_latched_ = false;
  return pending;
}

bool LocalApic::take_nmi() {
  std::lock_guard lock(mutex_);
  return std::exchange(nmi_pending_, false);
}

bool LocalApic::take_smi() {
  std::lock_guard lock(mutex_);
  return std::exchange(smi_pending_, false);
}

bool LocalApic::take_init() {
  std::lock_guard lock(mutex_);
  return std::exchange(init_pending_, false);
}

void LocalApic::kick() {
  Outgoing out;
  {
    std::lock_guard lock(mutex_);
    kicked_ = true;
    out.wake = true;
  }
  finish(out);
}

bool LocalApic::take_kick() {
  std::lock_guard lock(mutex_);
  return std::exchange(kicked_, false);
}

uint32_t LocalApic::apic_id() const {
  std::lock_guard lock(mutex_);
  return x2apic_mode_locked() ? index_ : xapic_id_ >> 24;
}

std::optional<uint8_t> LocalApic::take_sipi() {
  std::lock_guard lock(mutex_);
  return std::exchange(sipi_vector_, std::nullopt);
}

void LocalApic::set_wakeup(std::function<void()> wakeup) {
  std::lock_guard lock(mutex_);
  wakeup_ = std::move(wakeup);
}

uint8_t LocalApic::cr8() const {
  std::lock_guard lock(mutex_);
  return static_cast<uint8_t>((tpr_ >> 4) & 0xf);
}

void LocalApic::set_cr8(uint8_t value) {
  Outgoing out;
  {
    std::lock_guard lock(mutex_);
    tpr_ = (value & 0xfu) << 4;  // §11.8.6: CR8[3:0] = TPR[7:4], TPR[3:0] = 0
    out.wake = true;
  }
  finish(out);
}

void LocalApic::finish(Outgoing& out) {
  if (out.x2apic_icr) {
    if (!bus_.try_fastpath_ipi(*out.x2apic_icr)) bus_.route(*out.ipi);
  } else if (out.ipi) {
    bus_.route(*out.ipi);
  }
  if (out.eoi_vector) bus_.broadcast_eoi(*out.eoi_vector);
  if (!out.wake) return;
  std::function<void()> wakeup;
  {
    std::lock_guard lock(mutex_);
    bool pending = interrupt_pending_locked() || nmi_pending_ || smi_pending_ || init_pending_ ||
                   sipi_vector_.has_value() || extint_pending_locked() || kicked_;
    if (!pending || !wakeup_) return;
    wakeup = wakeup_;
  }
  wakeup();
}

// --- Interrupt acceptance -------------------------------------------------

void LocalApic::record_error_locked(uint32_t esr_bits) {
  // §11.5.3: errors collect until the next ESR write; each raises the error
  // LVT interrupt. An illegal vector in the error LVT itself is only logged.
  esr_pending_ |= esr_bits;
  if (lvt_error_ & kLvtMasked) return;
  uint8_t v = lvt_error_ & 0xff;
  if (v < 16) {
    esr_pending_ |= kEsrReceiveIllegalVector;
    return;
  }
  set(irr_, v, true);
  set(tmr_, v, false);
}

bool LocalApic::accept_fixed_locked(uint8_t vector, bool level_trigger) {
  // §11.5.2: vectors 0-15 are illegal; receiving one logs an error.
  if (vector < 16) {
    record_error_locked(kEsrReceiveIllegalVector);
    return false;
  }
  set(irr_, vector, true);
  set(tmr_, vector, level_trigger);  // §11.8.4: TMR records the trigger mode
  return true;
}

bool LocalApic::accept_locked(const ApicMessage& msg) {
  if (!hardware_enabled_locked()) return false;
  switch (msg.mode) {
    case DeliveryMode::fixed:
    case DeliveryMode::lowest_priority:
      // §11.4.7.2: a software-disabled APIC accepts only NMI, SMI, INIT and SIPI.
      return software_enabled_locked() && accept_fixed_locked(msg.vector, msg.level_trigger);
    case DeliveryMode::smi:
      smi_pending_ = true;
      return true;
    case DeliveryMode::nmi:
      nmi_pending_ = true;
      return true;
    case DeliveryMode::init:
      // §11.6.1: INIT level de-assert only resynchronises arbitration IDs,
      // which nestvisor does not model.
      if (msg.level_trigger && !msg.level_asserted) return true;
      init_pending_ = true;
      sipi_vector_.reset();
      return true;
    case DeliveryMode::startup:
      sipi_vector_ = msg.vector;
      return true;
    case DeliveryMode::extint:
      extint_latched_ = true;
      return true;
  }
  return false;
}

bool LocalApic::accept(const ApicMessage& msg) {
  Outgoing out;
  {
    std::lock_guard lock(mutex_);
    out.wake = accept_locked(msg);
  }
  bool accepted = out.wake;
  finish(out);
  return accepted;
}

bool LocalApic::accept_fastpath_ipi(uint8_t vector, bool level_trigger) {
  Outgoing out;
  {
    std::lock_guard lock(mutex_);
    // The fast path indexes APICs by x2APIC ID; an APIC in another mode or
    // state takes the generic path, which knows every rule.
    if (!x2apic_mode_locked() || !software_enabled_locked()) return false;
    out.wake = accept_fixed_locked(vector, level_trigger);
  }
  finish(out);
  return true;
}

bool LocalApic::matches(const ApicMessage& msg) const {
  std::lock_guard lock(mutex_);
  if (!hardware_enabled_locked()) return false;
  if (x2apic_mode_locked()) {
    // §11.12.10: 0xffffffff is the broadcast; an 8-bit (xAPIC-format) 0xff
    // from the IOAPIC or an MSI is a broadcast as well (§11.12.6).
    if (msg.x2apic_format ? msg.dest == 0xffffffff : msg.dest == 0xff) return true;
    if (!msg.logical) return msg.dest == index_;
    // §11.12.10.1: cluster in bits 31:16 must match, bits 15:0 are a mask.
    uint32_t ldr = logical_id_locked();
    return (msg.dest >> 16) == (ldr >> 16) && (msg.dest & ldr & 0xffff) != 0;
  }
  uint32_t dest = msg.dest;
  if (msg.x2apic_format) {
    if (dest == 0xffffffff) return true;
    if (dest > 0xff) return false;
  }
  if (dest == 0xff) return true;  // §11.6.2.3 broadcast
  if (!msg.logical) return dest == xapic_id_ >> 24;  // §11.6.2.1
  uint32_t ldr = ldr_ >> 24;
  if ((dfr_ >> 28) == 0xf) return (dest & ldr) != 0;  // §11.6.2.2 flat model
  // §11.6.2.2 cluster model: cluster in bits 7:4, member mask in bits 3:0.
  return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf) != 0;
}

// --- Local interrupts -------------------------------------------------------

bool LocalApic::deliver_lvt_locked(uint32_t lvt) {
  if (lvt & kLvtMasked) return false;
  ApicMessage msg;
  msg.mode = lvt_mode(lvt);
  msg.vector = lvt & 0xff;
  return accept_locked(msg);
}

void LocalApic::set_lint(unsigned pin, bool level) {
  Outgoing out;
  {
    std::lock_guard lock(mutex_);
    if (pin > 1) return;
    bool was = lint_level_[pin];
    lint_level_[pin] = level;
    if (!hardware_enabled_locked()) {
      // §11.4.3: the pins are INTR and NMI when the APIC is disabled.
      if (pin == 1 && level && !was) nmi_pending_ = true;
      out.wake = level;
    } else {
      uint32_t& lvt = pin ? lvt_lint1_ : lvt_lint0_;
      bool active = level != static_cast<bool>(lvt & kLvtActiveLow);
      bool was_active = was != static_cast<bool>(lvt & kLvtActiveLow);
      DeliveryMode mode = lvt_mode(lvt);
      if (lvt & kLvtMasked) {
        // a masked pin signals nothing
      } else if (mode == DeliveryMode::extint) {
        out.wake = active;  // level-sensitive; extint_pending() reads the pin
      } else if (mode == DeliveryMode::fixed && (lvt & kLvtLevel)) {
        // §11.5.1: remote IRR is set when a level-triggered fixed interrupt
        // is accepted and cleared by the EOI for its vector.
        if (active && !(lvt & kLvtRemoteIrr) && accept_fixed_locked(lvt & 0xff, true)) {
          lvt |= kLvtRemoteIrr;
          out.wake = true;
        }
      } else if (active && !was_active) {
        out.wake = deliver_lvt_locked(lvt);  // NMI, SMI and INIT are always edge-triggered (§11.5.1)
      }
    }
  }
  finish(out);
}

void LocalApic::eoi_locked(Outgoing& out) {
  // §11.8.5: EOI clears the highest-priority ISR bit; for a level-triggered
  // vector the EOI goes to the IOAPICs unless SVR bit 12 suppresses it.
  int v = highest(isr_);
  if (v < 0) return;
  set(isr_, static_cast<unsigned>(v), false);
  for (uint32_t* lvt : {&lvt_lint0_, &lvt_lint1_})
    if ((*lvt & 0xff) == static_cast<uint32_t>(v)) *lvt &= ~kLvtRemoteIrr;
  if (test(tmr_, static_cast<unsigned>(v)) && !(svr_ & kSvrEoiSuppression)) out.eoi_vector = static_cast<uint8_t>(v);
  out.wake = true;
}

// --- Timer (§11.5.4) --------------------------------------------------------

uint64_t LocalApic::timer_divisor_locked() const {
  // Figure 11-10: bits 3,1:0 = 000 divide by 2 ... 110 divide by 128, 111 by 1.
  unsigned v = (timer_divide_ & 3) | ((timer_divide_ >> 1) & 4);
  return v == 7 ? 1 : 2ull << v;
}

void LocalApic::timer_stop_locked() { timer_deadline_ns_ = UINT64_MAX; }

void LocalApic::timer_start_locked(uint64_t now, uint32_t count) {
  timer_base_ns_ = now;
  timer_base_count_ = count;
  timer_deadline_ns_ = count ? now + count * timer_divisor_locked() * kTimerTickNs : UINT64_MAX;
}

uint32_t LocalApic::timer_current_locked(uint64_t now) const {
  // TSC-deadline mode: the current-count register reads 0 (§11.5.4.1).
  if (timer_mode_locked() == kTimerModeDeadline || timer_deadline_ns_ == UINT64_MAX || timer_initial_ == 0) return 0;
  uint64_t elapsed = (now - timer_base_ns_) / (timer_divisor_locked() * kTimerTickNs);
  if (elapsed < timer_base_count_) return static_cast<uint32_t>(timer_base_count_ - elapsed);
  if (timer_mode_locked() != kTimerModePeriodic) return 0;
  return static_cast<uint32_t>(timer_initial_ - (elapsed - timer_base_count_) % timer_initial_);
}

bool LocalApic::timer_fire_locked(uint64_t now) {
  if (timer_deadline_ns_ > now) return false;
  switch (timer_mode_locked()) {
    case kTimerModePeriodic: {
      // Re-arm at the next period boundary after `now`: missed periods
      // coalesce into one interrupt, as they would in the IRR.
      uint64_t period = timer_initial_ * timer_divisor_locked() * kTimerTickNs;
      timer_deadline_ns_ += period * ((now - timer_deadline_ns_) / period + 1);
      break;
    }
    case kTimerModeDeadline:
      tsc_deadline_ = 0;  // §11.5.4.1: the MSR reads 0 after the timer fires
      timer_deadline_ns_ = UINT64_MAX;
      break;
    default:
      timer_deadline_ns_ = UINT64_MAX;
      break;
  }
  if (lvt_timer_ & kLvtMasked) return false;
  return accept_fixed_locked(lvt_timer_ & 0xff, false);
}

uint64_t LocalApic::next_deadline_ns() const {
  std::lock_guard lock(mutex_);
  return timer_deadline_ns_;
}

void LocalApic::advance(uint64_t now_ns) {
  Outgoing out;
  {
    std::lock_guard lock(mutex_);
    out.wake = timer_fire_locked(now_ns);
  }
  finish(out);
}

// --- Registers --------------------------------------------------------------

uint32_t* LocalApic::lvt_slot(uint32_t offset) {
  switch (offset) {
    case kLvtTimer: return &lvt_timer_;
    case kLvtThermal: return &lvt_thermal_;
    case kLvtPerf: return &lvt_perf_;
    case kLvtLint0: return &lvt_lint0_;
    case kLvtLint1: return &lvt_lint1_;
    case kLvtError: return &lvt_error_;
    case kLvtCmci: return config_.lvt_cmci ? &lvt_cmci_ : nullptr;
    default: return nullptr;
  }
}

bool LocalApic::register_readable(uint32_t offset, bool x2apic) const {
  switch (offset) {
    case kId: case kVersion: case kTpr: case kPpr: case kLdr: case kSvr: case kEsr: case kIcrLow:
    case kLvtTimer: case kLvtThermal: case kLvtPerf: case kLvtLint0: case kLvtLint1: case kLvtError:
    case kTimerInitial: case kTimerCurrent: case kTimerDivide:
      return true;
    case kLvtCmci:
      return config_.lvt_cmci;
    // §11.12.1.2 Table 11-6: APR, DFR and ICR high have no x2APIC MSR; EOI
    // is write-only (#GP on RDMSR), in xAPIC mode it reads as 0.
    case kApr: case kDfr: case kIcrHigh: case kEoi:
      return !x2apic;
    default:
      return offset >= kIsr && offset < kIrr + 0x80;  // ISR, TMR, IRR
  }
}

uint32_t LocalApic::read_register_locked(uint32_t offset) const {
  bool x2apic = x2apic_mode_locked();
  switch (offset) {
    case kId: return x2apic ? index_ : xapic_id_;
    case kVersion:
      // §11.4.8: version, max LVT entry (entries - 1), EOI-broadcast suppression.
      return kApicVersion | ((config_.lvt_cmci ? 6u : 5u) << 16) | (config_.eoi_broadcast_suppression ? 1u << 24 : 0);
    case kTpr: return tpr_;
    case kApr: return apr_locked();
    case kPpr: return ppr_locked();
    case kLdr: return ldr_;
    case kDfr: return dfr_;
    case kSvr: return svr_;
    case kEsr: return esr_;
    case kIcrLow: return static_cast<uint32_t>(icr_);  // delivery status (bit 12) idle: delivery is immediate
    case kIcrHigh: return static_cast<uint32_t>(icr_ >> 32);
    case kLvtTimer: return lvt_timer_;
    case kLvtThermal: return lvt_thermal_;
    case kLvtPerf: return lvt_perf_;
    case kLvtLint0: return lvt_lint0_;
    case kLvtLint1: return lvt_lint1_;
    case kLvtError: return lvt_error_;
    case kLvtCmci: return lvt_cmci_;
    case kTimerInitial: return timer_initial_;
    case kTimerCurrent: return timer_current_locked(clock_.now_ns());
    case kTimerDivide: return timer_divide_;
    default: break;
  }
  if (offset >= kIsr && offset < kIrr + 0x80) {
    const Vec256& v = offset < kTmr ? isr_ : offset < kIrr ? tmr_ : irr_;
    unsigned word = (offset & 0x70) >> 4;  // 32-bit word 0..7
    return static_cast<uint32_t>(v[word / 2] >> (32 * (word % 2)));
  }
  return 0;
}

void LocalApic::write_lvt_locked(uint32_t offset, uint32_t value) {
  uint32_t* slot = lvt_slot(offset);
  if (!software_enabled_locked()) value |= kLvtMasked;  // §11.4.7.2: masks stay set while software-disabled
  if (offset == kLvtLint0 || offset == kLvtLint1) value = (value & ~kLvtRemoteIrr) | (*slot & kLvtRemoteIrr);
  if (offset == kLvtTimer) {
    unsigned old_mode = timer_mode_locked(), new_mode = (value >> 17) & 3;
    // §11.5.4.1: switching into or out of TSC-deadline mode disarms the
    // timer (initial count and IA32_TSC_DEADLINE both read 0 afterwards).
    if (old_mode != new_mode && (old_mode == kTimerModeDeadline || new_mode == kTimerModeDeadline)) {
      timer_initial_ = 0;
      tsc_deadline_ = 0;
      timer_stop_locked();
    }
  }
  *slot = value;
}

bool LocalApic::write_register_locked(uint32_t offset, uint64_t value, bool x2apic, Outgoing& out) {
  // §11.12.1.3: in x2APIC mode a WRMSR that sets a reserved bit raises #GP;
  // bits 63:32 are reserved in every register except the ICR. In xAPIC mode
  // reserved bits are ignored.
  auto fits = [&](uint64_t writable) { return !x2apic || (value & ~writable) == 0; };
  if (x2apic && offset != kIcrLow && (value >> 32)) return false;
  auto v32 = static_cast<uint32_t>(value);
  uint64_t now = clock_.now_ns();
  switch (offset) {
    case kId:
      if (x2apic) return false;  // read-only x2APIC ID (§11.12.5.1)
      xapic_id_ = v32 & 0xff000000;
      return true;
    case kTpr:
      if (!fits(0xff)) return false;
      tpr_ = v32 & 0xff;
      out.wake = true;
      return true;
    case kEoi:
      if (!fits(0)) return false;  // §11.12.1.3: non-zero EOI writes #GP in x2APIC mode
      eoi_locked(out);
      return true;
    case kLdr:
      if (x2apic) return false;  // derived from the x2APIC ID, read-only (§11.12.10.2)
      ldr_ = v32 & 0xff000000;
      return true;
    case kDfr:
      if (x2apic) return false;
      dfr_ = v32 | 0x0fffffff;  // bits 27:0 are reserved, read as ones (§11.6.2.2)
      return true;
    case kSvr: {
      uint32_t writable = 0x3ff | (config_.eoi_broadcast_suppression ? kSvrEoiSuppression : 0);
      if (!fits(writable)) return false;
      svr_ = v32 & writable;
      if (!software_enabled_locked())  // §11.4.7.2: software disable masks every LVT entry
        for (uint32_t reg : {kLvtTimer, kLvtThermal, kLvtPerf, kLvtLint0, kLvtLint1, kLvtError, kLvtCmci})
          if (uint32_t* slot = lvt_slot(reg)) *slot |= kLvtMasked;
      out.wake = true;
      return true;
    }
    case kEsr:
      // §11.5.3: a write loads the errors logged since the previous write.
      if (!fits(0)) return false;
      esr_ = std::exchange(esr_pending_, 0);
      return true;
    case kIcrLow:
      if (x2apic) {
        if (value & ~(0xffffffff00000000ull | kIcrWritable)) return false;
        icr_ = value;
      } else {
        icr_ = (icr_ & 0xffffffff00000000ull) | (v32 & kIcrWritable);
      }
      send_icr_locked(icr_, x2apic, out);
      return true;
    case kIcrHigh:
      if (x2apic) return false;
      icr_ = static_cast<uint32_t>(icr_) | (static_cast<uint64_t>(v32 & 0xff000000) << 32);
      return true;
    case kLvtTimer: {
      uint32_t writable = kLvtVectorMask | kTimerPeriodic | (config_.tsc_deadline ? kTimerTscDeadline : 0);
      if (!fits(writable)) return false;
      // Switching between one-shot and periodic keeps counting from the
      // current count (§11.5.4): a count that ran out before this write ends
      // under the old mode (an expired one-shot stays at 0, whether or not
      // the engine's timer pass has fired it yet), a running one continues
      // from where it is, not from where the last period began.
      uint64_t now = clock_.now_ns();
      out.wake = timer_fire_locked(now);
      if (timer_deadline_ns_ != UINT64_MAX && timer_mode_locked() != kTimerModeDeadline)
        timer_start_locked(now, timer_current_locked(now));
      write_lvt_locked(offset, v32 & writable);
      return true;
    }
    case kLvtThermal: case kLvtPerf: case kLvtCmci: case kLvtLint0: case kLvtLint1: case kLvtError: {
      if (!lvt_slot(offset)) break;
      uint32_t writable = offset == kLvtError ? kLvtVectorMask
                          : (offset == kLvtLint0 || offset == kLvtLint1) ? kLvtLintMask : kLvtModeMask;
      if (!fits(writable)) return false;
      write_lvt_locked(offset, v32 & writable);
      out.wake = offset == kLvtLint0;  // an unmasked ExtINT LINT0 may now pass the 8259's INTR
      return true;
    }
    case kTimerInitial:
      // §11.5.4: the count starts on the write; 0 stops the timer. Ignored
      // in TSC-deadline mode (§11.5.4.1).
      if (timer_mode_locked() == kTimerModeDeadline) return true;
      timer_initial_ = v32;
      timer_start_locked(now, v32);
      return true;
    case kTimerDivide: {
      if (!fits(kDivideMask)) return false;
      // The remaining count continues at the new rate.
      bool running = timer_deadline_ns_ != UINT64_MAX && timer_mode_locked() != kTimerModeDeadline;
      uint32_t current = timer_current_locked(now);
      timer_divide_ = v32 & kDivideMask;
      if (running) timer_start_locked(now, current);
      return true;
    }
    case kSelfIpi:
      if (!x2apic) break;
      if (!fits(0xff)) return false;
      // §11.12.11: a fixed, edge-triggered IPI to this APIC.
      out.wake = accept_fixed_locked(v32 & 0xff, false);
      return true;
    default:
      break;
  }
  if (register_readable(offset, x2apic)) return !x2apic;  // read-only: #GP in x2APIC mode, ignored in xAPIC mode
  if (x2apic) return false;
  record_error_locked(kEsrIllegalRegister);  // §11.5.3: illegal register address
  return true;
}

void LocalApic::send_icr_locked(uint64_t icr, bool x2apic, Outgoing& out) {
  ApicMessage msg;
  msg.vector = icr & 0xff;
  unsigned mode = (icr >> 8) & 7;
  msg.logical = icr & (1u << 11);
  msg.level_asserted = icr & (1u << 14);
  msg.level_trigger = icr & (1u << 15);
  msg.shorthand = static_cast<DestShorthand>((icr >> 18) & 3);
  msg.x2apic_format = x2apic;
  msg.dest = x2apic ? static_cast<uint32_t>(icr >> 32) : static_cast<uint32_t>(icr >> 56);
  msg.source = static_cast<int>(index_);
  // §11.6.1: delivery modes 011 and 111 are reserved in the ICR.
  if (mode == 3 || mode == 7) {
    log_warn_once("icr-mode", mode, "vCPU {} sent an IPI with reserved delivery mode {}; dropped", index_, mode);
    return;
  }
  msg.mode = static_cast<DeliveryMode>(mode);
  if ((msg.mode == DeliveryMode::fixed || msg.mode == DeliveryMode::lowest_priority) && msg.vector < 16) {
    record_error_locked(kEsrSendIllegalVector);  // §11.5.2
    out.wake = true;
    return;
  }
  out.ipi = msg;
  if (x2apic) out.x2apic_icr = icr;
}

// --- Guest interfaces ---------------------------------------------------------

uint64_t LocalApic::mmio_read(uint64_t addr, unsigned size) {
  std::lock_guard lock(mutex_);
  uint64_t offset = addr - (apic_base_ & ~0xfffull);
  if (!hardware_enabled_locked() || x2apic_mode_locked() || offset >= kMmioSize) return size_mask(size);
  auto reg = static_cast<uint32_t>(offset & ~0xfull);
  unsigned byte = offset & 0xf;
  if (!register_readable(reg, false)) {
    record_error_locked(kEsrIllegalRegister);
    return 0;
  }
  // §11.4.1: registers are 32 bits wide at 16-byte alignment; a narrower
  // read returns the addressed bytes, bytes 4-15 of each slot read as 0.
  if (byte >= 4) return 0;
  return (static_cast<uint64_t>(read_register_locked(reg)) >> (8 * byte)) & size_mask(size);
}

void LocalApic::mmio_write(uint64_t addr, unsigned size, uint64_t value) {
  Outgoing out;
  {
    std::lock_guard lock(mutex_);
    uint64_t offset = addr - (apic_base_ & ~0xfffull);
    if (!hardware_enabled_locked() || x2apic_mode_locked() || offset >= kMmioSize) return;
    if (size != 4 || (offset & 0xf)) {
      log_warn_once("lapic-write", offset, "local APIC write of size {} at offset {:#x} is not a 32-bit aligned "
                    "register access (SDM §11.4.1); ignored", size, offset);
      return;
    }
    write_register_locked(static_cast<uint32_t>(offset), static_cast<uint32_t>(value), false, out);
  }
  finish(out);
}

bool LocalApic::handles_msr(uint32_t msr) {
  return msr == kMsrApicBase || msr == kMsrTscDeadline || (msr >= kMsrX2apicFirst && msr <= kMsrX2apicLast);
}

bool LocalApic::rdmsr(uint32_t msr, uint64_t& value) {
  std::lock_guard lock(mutex_);
  if (msr == kMsrApicBase) {
    value = apic_base_;
    return true;
  }
  if (msr == kMsrTscDeadline) {
    if (!config_.tsc_deadline) return false;
    value = timer_mode_locked() == kTimerModeDeadline ? tsc_deadline_ : 0;
    return true;
  }
  // §11.12.1.2: the x2APIC MSRs #GP unless x2APIC mode is on.
  if (msr < kMsrX2apicFirst || msr > kMsrX2apicLast || !x2apic_mode_locked()) return false;
  uint32_t offset = (msr - kMsrX2apicFirst) << 4;
  if (!register_readable(offset, true)) return false;
  value = offset == kIcrLow ? icr_ : read_register_locked(offset);  // §11.12.9: one 64-bit ICR
  return true;
}

bool LocalApic::write_apic_base_locked(uint64_t value) {
  // §11.4.4 Figure 11-5: bits 7:0, 9 and those above MAXPHYADDR are reserved;
  // EXTD (bit 10) only exists with x2APIC support. The BSP flag is
  // read-only here (the machine designates the BSP).
  uint64_t reserved = 0x2ffull | (config_.x2apic ? 0 : kBaseExtd) | ~((1ull << config_.phys_bits) - 1);
  if (value & reserved) return false;
  bool en = value & kBaseEnable, extd = value & kBaseExtd;
  bool was_en = hardware_enabled_locked(), was_x2 = x2apic_mode_locked();
  // §11.12.5 "x2APIC State Transitions": EN=0 with EXTD=1 is
  // invalid; x2APIC -> xAPIC and disabled -> x2APIC are illegal.
  if (!en && extd) return false;
  if (was_x2 && en && !extd) return false;
  if (!was_en && en && extd) return false;
  apic_base_ = (value & ~kBaseBsp) | (apic_base_ & kBaseBsp);
  if (was_en && !en) {
    // §11.4.3/§11.12.5.1: disabling resets the APIC; re-enabling it starts
    // from the power-on register state with the initial APIC ID.
    xapic_id_ = index_ << 24;
    reset_registers_locked();
  } else if (!was_x2 && x2apic_mode_locked()) {
    ldr_ = logical_id_locked();  // §11.12.5.1: xAPIC -> x2APIC keeps the state, IDs become x2APIC IDs
  }
  return true;
}

bool LocalApic::wrmsr(uint32_t msr, uint64_t value) {
  Outgoing out;
  bool ok = false;
  {
    std::lock_guard lock(mutex_);
    if (msr == kMsrApicBase) {
      ok = write_apic_base_locked(value);
      out.wake = ok;
    } else if (msr == kMsrTscDeadline) {
      ok = config_.tsc_deadline;
      // §11.5.4.1: writes outside TSC-deadline mode are ignored; 0 disarms;
      // a deadline already passed fires at once.
      if (ok && timer_mode_locked() == kTimerModeDeadline) {
        tsc_deadline_ = value;
        timer_deadline_ns_ = value ? clock_.ns_at_tsc(value) : UINT64_MAX;
        out.wake = timer_fire_locked(clock_.now_ns());
      }
    } else if (msr >= kMsrX2apicFirst && msr <= kMsrX2apicLast && x2apic_mode_locked()) {
      ok = write_register_locked((msr - kMsrX2apicFirst) << 4, value, true, out);
    }
  }
  finish(out);
  return ok;
}

}  // namespace nv
