// The interrupt controllers and timers the EmuEngine gives a machine: one
// local APIC per vCPU on an ApicBus, the IOAPIC, the 8259 pair and the 8254,
// wired as docs/interrupt-controllers.md describes and driven by a host
// clock. Registered on the machine's buses and IrqRouter for the engine's
// lifetime (a machine reset builds a new engine).
#pragma once

#include "lapic/apic_bus.h"
#include "lapic/host_clock.h"
#include "lapic/ioapic.h"
#include "lapic/pc_interrupt_routing.h"
#include "lapic/pic8259.h"
#include "lapic/pit8254.h"

#include <cstdint>

namespace nv {

class Machine;

class EmuPlatform {
 public:
  // The TSC the guest sees counts at this rate (derived from the host clock).
  static constexpr uint64_t kTscHz = 2'000'000'000;

  EmuPlatform(Machine& machine, unsigned vcpus, const LocalApic::Config& apic_config);
  ~EmuPlatform();
  EmuPlatform(const EmuPlatform&) = delete;
  EmuPlatform& operator=(const EmuPlatform&) = delete;

  // Fires every timer that is due now.
  void advance_timers();
  // The earliest timer deadline in clock ns (UINT64_MAX when all are idle).
  uint64_t next_deadline_ns();

  const Clock& clock() const { return clock_; }
  LocalApic& apic(unsigned vcpu) { return apics_.apic(vcpu); }
  ApicBus& apic_bus() { return apics_; }
  Pic8259& pic() { return pic_; }

 private:
  Machine& machine_;
  HostClock clock_{kTscHz};
  ApicBus apics_;
  Ioapic ioapic_;
  Pic8259 pic_;
  Pit8254 pit_;
  PcInterruptRouting routing_;
};

}  // namespace nv
