#include "cpu/emu_platform.h"

#include "devices/acpi_tables.h"
#include "vmm/machine.h"
#include "vmm/memory_layout.h"

#include <algorithm>

namespace nv {

EmuPlatform::EmuPlatform(Machine& machine, unsigned vcpus, const LocalApic::Config& apic_config)
    : machine_(machine),
      apics_(vcpus, clock_, apic_config),
      ioapic_(apics_, kIoapicId),  // the ID the MADT gives it (acpi_tables.h)
      pit_(clock_, machine.irq()),
      routing_(pic_, ioapic_) {
  ioapic_.attach(machine.mmio_bus());
  pic_.attach(machine.io_bus());
  pit_.attach(machine.io_bus());
  // The 8259's INT output is the BSP's LINT0 (ExtINT at reset, as KVM sets it).
  pic_.set_intr_listener([this](bool level) { apics_.apic(0).set_lint(0, level); });
  machine.irq().attach(&routing_);
}

EmuPlatform::~EmuPlatform() {
  machine_.irq().detach();
  Bus& io = machine_.io_bus();
  io.remove(Pic8259::kMasterBase, &pic_);
  io.remove(Pic8259::kSlaveBase, &pic_);
  io.remove(Pic8259::kElcrBase, &pic_);
  io.remove(Pit8254::kCounterPort0, &pit_);
  io.remove(Pit8254::kPortB, &pit_);
  machine_.mmio_bus().remove(layout::kIoapicBase, &ioapic_);
}

void EmuPlatform::advance_timers() {
  uint64_t now = clock_.now_ns();
  for (unsigned i = 0; i < apics_.size(); ++i) {
    if (apics_.apic(i).next_deadline_ns() <= now) apics_.apic(i).advance(now);
  }
  if (pit_.next_deadline_ns() <= now) pit_.advance(now);
}

uint64_t EmuPlatform::next_deadline_ns() {
  uint64_t next = pit_.next_deadline_ns();
  for (unsigned i = 0; i < apics_.size(); ++i)
    next = std::min(next, apics_.apic(i).next_deadline_ns());
  return next;
}

}  // namespace nv
