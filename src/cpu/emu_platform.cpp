#include "cpu/emu_platform.h"

#include "devices/acpi_pm.h"
#include "devices/acpi_tables.h"
#include "vmm/machine.h"
#include "vmm/memory_layout.h"

#include <algorithm>

namespace nv {

namespace {

std::unique_ptr<NsDerivedTscClock> make_clock(const MachineConfig& config, uint64_t tsc_hz) {
  if (config.icount) return std::make_unique<InstructionCountClock>(tsc_hz, config.icount->shift);
  return std::make_unique<HostClock>(tsc_hz);
}

}  // namespace

EmuPlatform::EmuPlatform(Machine& machine, unsigned vcpus, const LocalApic::Config& apic_config)
    : machine_(machine),
      clock_(make_clock(machine.config(), kTscHz)),
      icount_clock_(dynamic_cast<InstructionCountClock*>(clock_.get())),
      apics_(vcpus, *clock_, apic_config),
      ioapic_(apics_, kIoapicId),  // the ID the MADT gives it (acpi_tables.h)
      pit_(*clock_, machine.irq()),
      routing_(pic_, ioapic_) {
  apics_.set_ipi_fastpath(machine.config().ipi_fastpath);
  if (icount_clock_) {
    Bus& io = machine.io_bus();
    host_pm_timer_ = io.find(layout::kPmTmrBlk);
    if (host_pm_timer_) io.remove(layout::kPmTmrBlk, host_pm_timer_);
    icount_pm_timer_ = std::make_unique<PmTimer>(*clock_);
    io.add(layout::kPmTmrBlk, AcpiPm::kPmTmrLen, icount_pm_timer_.get());
  }
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
  if (icount_pm_timer_) {
    io.remove(layout::kPmTmrBlk, icount_pm_timer_.get());
    if (host_pm_timer_) io.add(layout::kPmTmrBlk, AcpiPm::kPmTmrLen, host_pm_timer_);
  }
}

uint32_t EmuPlatform::PmTimer::io_read(uint16_t port, unsigned size) {
  const uint64_t ticks = static_cast<uint64_t>(static_cast<unsigned __int128>(clock_.now_ns()) * AcpiPm::kPmTimerHz /
                                               1'000'000'000);
  return static_cast<uint32_t>((static_cast<uint32_t>(ticks) >> (8 * (port - layout::kPmTmrBlk))) & size_mask(size));
}

void EmuPlatform::advance_timers() {
  uint64_t now = clock_->now_ns();
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
