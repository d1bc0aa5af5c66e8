// A machine's local APICs driven as a guest drives them: each APIC's xAPIC
// page through its own MMIO bus (the page is per-vCPU), MSRs through
// rdmsr/wrmsr, time through a ManualClock.
#pragma once

#include "lapic/apic_bus.h"
#include "lapic/local_apic.h"
#include "lapic/manual_clock.h"
#include "vmm/bus.h"
#include "vmm/memory_layout.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace nv::test {

class ApicMachine {
 public:
  explicit ApicMachine(unsigned vcpus, LocalApic::Config config = {}, uint64_t tsc_hz = 1'000'000'000)
      : clock(tsc_hz), bus(vcpus, clock, config) {
    for (unsigned i = 0; i < vcpus; ++i) {
      mmio.push_back(std::make_unique<Bus>(Bus::Kind::mmio));
      mmio.back()->add(layout::kLapicBase, LocalApic::kMmioSize, &bus.apic(i));
    }
  }
  LocalApic& apic(unsigned i) { return bus.apic(i); }
  uint32_t read(unsigned cpu, uint32_t reg) {
    return static_cast<uint32_t>(mmio[cpu]->read_or_float(layout::kLapicBase + reg, 4));
  }
  void write(unsigned cpu, uint32_t reg, uint32_t value) {
    mmio[cpu]->write_or_drop(layout::kLapicBase + reg, 4, value);
  }
  void software_enable(unsigned cpu) { write(cpu, LocalApic::kSvr, 0x1ff); }
  void enable_x2apic(unsigned cpu) {
    ASSERT_TRUE(apic(cpu).wrmsr(LocalApic::kMsrApicBase,
                                layout::kLapicBase | LocalApic::kBaseEnable | LocalApic::kBaseExtd |
                                    (cpu == 0 ? LocalApic::kBaseBsp : 0)));
  }
  uint64_t rdmsr(unsigned cpu, uint32_t msr) {
    uint64_t v = 0;
    EXPECT_TRUE(apic(cpu).rdmsr(msr, v)) << "rdmsr " << std::hex << msr;
    return v;
  }
  // Sends an xAPIC IPI: ICR high (destination) then ICR low.
  void send_ipi(unsigned cpu, uint8_t dest, uint32_t low) {
    write(cpu, LocalApic::kIcrHigh, static_cast<uint32_t>(dest) << 24);
    write(cpu, LocalApic::kIcrLow, low);
  }

  ManualClock clock;
  ApicBus bus;
  std::vector<std::unique_ptr<Bus>> mmio;
};

}  // namespace nv::test
