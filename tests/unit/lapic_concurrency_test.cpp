#include "lapic/ioapic.h"
#include "lapic_test_support.h"

#include <atomic>
#include <thread>

namespace nv {
namespace {

using test::ApicMachine;

// vCPU threads sending IPIs, taking and EOIing interrupts while a device
// thread toggles a level-triggered IOAPIC line: every lock order the models
// use (IOAPIC -> LAPIC, LAPIC -> bus -> other LAPIC, EOI -> IOAPIC) is
// exercised at once. A deadlock hangs the test; lost IPIs fail the counts.
TEST(LapicConcurrency, IpisEoisAndIoapicLinesFromSeveralThreads) {
  constexpr unsigned kCpus = 4, kIpis = 20000;
  ApicMachine m(kCpus);
  Ioapic ioapic(m.bus, kCpus);
  for (unsigned i = 0; i < kCpus; ++i) {
    m.enable_x2apic(i);
    ASSERT_TRUE(m.apic(i).wrmsr(0x80f, 0x1ff));
  }
  Bus mmio(Bus::Kind::mmio);
  ioapic.attach(mmio);
  mmio.write_or_drop(layout::kIoapicBase, 1, 0x10 + 2 * 5);
  mmio.write_or_drop(layout::kIoapicBase + 0x10, 4, 0x8000 | 0x35);  // level, vector 0x35, to APIC 0

  std::atomic<bool> stop{false};
  std::atomic<unsigned> taken{0};
  std::vector<std::thread> threads;
  for (unsigned cpu = 0; cpu < kCpus; ++cpu) {
    threads.emplace_back([&, cpu] {
      uint64_t icr = (static_cast<uint64_t>((cpu + 1) % kCpus) << 32) | 0x40;
      for (unsigned n = 0; n < kIpis; ++n) {
        EXPECT_TRUE(m.apic(cpu).wrmsr(0x830, icr));
        while (m.apic(cpu).interrupt_pending()) {
          if (m.apic(cpu).acknowledge() == 0x40) taken.fetch_add(1);
          EXPECT_TRUE(m.apic(cpu).wrmsr(0x80b, 0));
        }
      }
    });
  }
  std::thread device([&] {
    for (bool level = true; !stop.load(); level = !level) ioapic.set_pin(5, level);
  });
  for (auto& t : threads) t.join();
  stop = true;
  device.join();
  EXPECT_EQ(m.bus.fastpath_deliveries(), kCpus * kIpis);
  EXPECT_GT(taken.load(), 0u);
  EXPECT_LE(taken.load(), kCpus * kIpis) << "IPIs to a vector already in the IRR merge";
}

}  // namespace
}  // namespace nv
