#include "lapic/apic_bus.h"

#include "util/log.h"

namespace nv {

ApicBus::ApicBus(unsigned vcpus, const Clock& clock, const LocalApic::Config& config) {
  apics_.reserve(vcpus);
  for (unsigned i = 0; i < vcpus; ++i) apics_.push_back(std::make_unique<LocalApic>(*this, i, clock, config));
}

unsigned ApicBus::route(const ApicMessage& msg) {
  slowpath_count_.fetch_add(1, std::memory_order_relaxed);
  auto selected = [&](unsigned i) {
    LocalApic& a = *apics_[i];
    switch (msg.shorthand) {  // §11.6.1: a shorthand overrides the destination
      case DestShorthand::self: return static_cast<int>(i) == msg.source && a.hardware_enabled();
      case DestShorthand::all_including_self: return a.hardware_enabled();
      case DestShorthand::all_excluding_self: return static_cast<int>(i) != msg.source && a.hardware_enabled();
      case DestShorthand::none: break;
    }
    return a.matches(msg);
  };
  unsigned n = size();
  if (msg.mode == DeliveryMode::lowest_priority) {
    // §11.6.2.4: one processor among the destinations. Lowest PPR wins; ties
    // go round-robin, starting after the previous winner.
    unsigned start = lowest_priority_next_.load(std::memory_order_relaxed) % (n ? n : 1);
    LocalApic* best = nullptr;
    for (unsigned k = 0; k < n; ++k) {
      unsigned i = (start + k) % n;
      if (!selected(i) || !apics_[i]->software_enabled()) continue;
      if (!best || apics_[i]->ppr() < best->ppr()) best = apics_[i].get();
    }
    if (!best) return 0;
    lowest_priority_next_.store(best->index() + 1, std::memory_order_relaxed);
    best->accept(msg);
    return 1;
  }
  unsigned accepted = 0;
  for (unsigned i = 0; i < n; ++i) {
    if (!selected(i)) continue;
    apics_[i]->accept(msg);
    ++accepted;
  }
  return accepted;
}

LocalApic* ApicBus::find_id(uint32_t apic_id) {
  for (auto& a : apics_)
    if (a->hardware_enabled() && a->apic_id() == apic_id) return a.get();
  return nullptr;
}

unsigned ApicBus::deliver_to_id(uint32_t apic_id, const ApicMessage& msg) {
  LocalApic* a = find_id(apic_id);
  slowpath_count_.fetch_add(1, std::memory_order_relaxed);
  return a && a->accept(msg) ? 1 : 0;
}

bool ApicBus::kick(uint32_t apic_id) {
  LocalApic* a = find_id(apic_id);
  if (a) a->kick();
  return a != nullptr;
}

unsigned ApicBus::deliver_msi(uint64_t address, uint32_t data) {
  // §11.11.1: address 0xfeeXXXXX, destination ID in bits 19:12, destination
  // mode in bit 2. §11.11.2: vector 7:0, delivery mode 10:8, level 14,
  // trigger mode 15.
  if ((address >> 20) != 0xfee) {
    log_warn_once("msi-address", address, "MSI to {:#x} outside the 0xfee00000 interrupt range; dropped", address);
    return 0;
  }
  ApicMessage msg;
  msg.dest = (address >> 12) & 0xff;
  msg.logical = address & 4;
  msg.vector = data & 0xff;
  msg.mode = static_cast<DeliveryMode>((data >> 8) & 7);
  msg.level_asserted = data & (1u << 14);
  msg.level_trigger = data & (1u << 15);
  return route(msg);
}

void ApicBus::broadcast_eoi(uint8_t vector) {
  if (eoi_listener_) eoi_listener_(vector);
}

bool ApicBus::try_fastpath_ipi(uint64_t icr) {
  if (!ipi_fastpath()) return false;
  // Seed 001: fixed delivery (bits 10:8 = 0), physical destination (bit 11
  // clear), no shorthand (bits 19:18 = 0), one target (not 0xffffffff).
  auto dest = static_cast<uint32_t>(icr >> 32);
  if ((icr & 0xc0f00) != 0 || dest == 0xffffffff || (icr & 0xff) < 16) return false;
  if (dest >= size()) {
    // No APIC has this x2APIC ID: the IPI goes nowhere, as on the bus.
    fastpath_count_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (!apics_[dest]->accept_fastpath_ipi(icr & 0xff, icr & (1u << 15))) return false;
  fastpath_count_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace nv
