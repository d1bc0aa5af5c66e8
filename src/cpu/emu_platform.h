// The interrupt controllers and timers the EmuEngine gives a machine: one
// local APIC per vCPU on an ApicBus, the IOAPIC, the 8259 pair and the 8254,
// wired as docs/interrupt-controllers.md describes and driven by a host
// clock, or under -icount by the instruction count (then the ACPI PM timer
// follows that clock too). Registered on the machine's buses and IrqRouter
// for the engine's lifetime (a machine reset builds a new engine).
#pragma once

#include "lapic/apic_bus.h"
#include "devices/device.h"
#include "lapic/host_clock.h"
#include "lapic/ioapic.h"
#include "lapic/pc_interrupt_routing.h"
#include "lapic/pic8259.h"
#include "lapic/manual_clock.h"
#include "lapic/pit8254.h"

#include <cstdint>
#include <memory>

namespace nv {

class Machine;

class EmuPlatform {
 public:
  // The TSC the guest sees counts at this rate (derived from the clock).
  static constexpr uint64_t kTscHz = 2'000'000'000;

  EmuPlatform(Machine& machine, unsigned vcpus, const LocalApic::Config& apic_config);
  ~EmuPlatform();
  EmuPlatform(const EmuPlatform&) = delete;
  EmuPlatform& operator=(const EmuPlatform&) = delete;

  // Fires every timer that is due now.
  void advance_timers();
  // The earliest timer deadline in clock ns (UINT64_MAX when all are idle).
  uint64_t next_deadline_ns();

  const Clock& clock() const { return *clock_; }
  // The -icount clock, or nullptr when time follows the host.
  InstructionCountClock* icount_clock() { return icount_clock_; }
  LocalApic& apic(unsigned vcpu) { return apics_.apic(vcpu); }
  ApicBus& apic_bus() { return apics_; }
  Pic8259& pic() { return pic_; }

 private:
  // The ACPI PM timer port read from the -icount clock (ACPI 6.5 §4.8.3.3:
  // 3.579545 MHz, 32 bits), in place of the machine's host-time one.
  class PmTimer : public Device {
   public:
    explicit PmTimer(const Clock& clock) : clock_(clock) {}
    std::string_view name() const override { return "icount PM timer"; }
    uint32_t io_read(uint16_t port, unsigned size) override;

   private:
    const Clock& clock_;
  };

  Machine& machine_;
  std::unique_ptr<NsDerivedTscClock> clock_;
  InstructionCountClock* icount_clock_ = nullptr;  // clock_ under -icount
  ApicBus apics_;
  Ioapic ioapic_;
  Pic8259 pic_;
  Pit8254 pit_;
  PcInterruptRouting routing_;
  std::unique_ptr<PmTimer> icount_pm_timer_;
  Device* host_pm_timer_ = nullptr;  // the machine's, unregistered while icount_pm_timer_ is
};

}  // namespace nv
