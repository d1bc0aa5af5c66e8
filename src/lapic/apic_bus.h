// The machine's local APICs and the message routing between them, the IOAPIC
// and MSIs: destination matching (§11.6.2, §11.12.10), shorthands, lowest-
// priority arbitration, and EOI broadcasts back to the IOAPIC. Section numbers
// as in local_apic.h (Intel SDM Vol. 3A chapter 11, "APIC").
//
// The x2APIC ICR fast path (seed 001): a WRMSR to the ICR with physical
// destination, fixed delivery, no shorthand and one target ID does not build
// an ApicMessage or scan the APICs; it indexes the target (x2APIC ID = vCPU
// index) and sets its IRR. set_ipi_fastpath(false) sends every IPI through
// route() so the two can be compared (bench/ipi_fastpath_bench.cpp).
#pragma once

#include "lapic/apic_message.h"
#include "lapic/local_apic.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace nv {

class Clock;

class ApicBus {
 public:
  ApicBus(unsigned vcpus, const Clock& clock, const LocalApic::Config& config = {});

  unsigned size() const { return static_cast<unsigned>(apics_.size()); }
  LocalApic& apic(unsigned index) { return *apics_.at(index); }

  // Delivers a message to every APIC it selects; returns how many accepted
  // it. Lowest-priority delivery picks one APIC among the software-enabled
  // matches: the one with the lowest PPR, ties broken round-robin from the APIC
  // after the previous winner (the SDM leaves the choice to the chipset,
  // §11.6.2.4). Hardware-disabled APICs receive nothing (§11.4.3).
  unsigned route(const ApicMessage& msg);

  // Delivers a message to the APIC whose current APIC ID is `apic_id`
  // (physical destination, no broadcast); 1 when it accepted it, else 0. The
  // KVM PV IPI hypercall addresses APICs this way.
  unsigned deliver_to_id(uint32_t apic_id, const ApicMessage& msg);
  // KVM_HC_KICK_CPU: wakes the vCPU of APIC `apic_id` from HLT; false when no
  // APIC has that ID.
  bool kick(uint32_t apic_id);

  // An MSI write (§11.11.1 address and §11.11.2 data register formats).
  unsigned deliver_msi(uint64_t address, uint32_t data);

  // The IOAPIC's remote-IRR clearing on EOI of a level-triggered vector.
  void set_eoi_listener(std::function<void(uint8_t vector)> listener) { eoi_listener_ = std::move(listener); }
  void broadcast_eoi(uint8_t vector);

  // The x2APIC ICR fast path; on by default.
  void set_ipi_fastpath(bool on) { fastpath_.store(on, std::memory_order_relaxed); }
  bool ipi_fastpath() const { return fastpath_.load(std::memory_order_relaxed); }
  // Called by LocalApic for an x2APIC ICR write; true when the fast path
  // delivered the IPI (the caller then skips route()).
  bool try_fastpath_ipi(uint64_t icr);

  // IPIs delivered by the fast path, and messages (IPIs, IOAPIC, MSI) that
  // went through route().
  uint64_t fastpath_deliveries() const { return fastpath_count_.load(std::memory_order_relaxed); }
  uint64_t slowpath_deliveries() const { return slowpath_count_.load(std::memory_order_relaxed); }

 private:
  LocalApic* find_id(uint32_t apic_id);

  std::vector<std::unique_ptr<LocalApic>> apics_;
  std::function<void(uint8_t)> eoi_listener_;
  std::atomic<bool> fastpath_{true};
  std::atomic<uint64_t> fastpath_count_{0}, slowpath_count_{0};
  std::atomic<unsigned> lowest_priority_next_{0};
};

}  // namespace nv
