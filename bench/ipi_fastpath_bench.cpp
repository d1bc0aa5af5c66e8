// The x2APIC ICR fast path (seed 001) against generic message routing: the
// cost of one WRMSR to the ICR sending a fixed, physical, single-target IPI,
// as a function of the number of vCPUs. The generic path builds an
// ApicMessage and asks every APIC whether the destination matches; the fast
// path indexes the target by x2APIC ID.
//
//   ipi_fastpath_bench --benchmark_filter=Icr
#include "lapic/apic_bus.h"
#include "lapic/local_apic.h"
#include "lapic/manual_clock.h"

#include <benchmark/benchmark.h>

namespace nv {
namespace {

void BM_IcrWrite(benchmark::State& state) {
  const bool fastpath = state.range(0) != 0;
  const auto vcpus = static_cast<unsigned>(state.range(1));
  ManualClock clock;
  ApicBus bus(vcpus, clock);
  uint64_t wakeups = 0;
  for (unsigned i = 0; i < vcpus; ++i) {
    LocalApic& a = bus.apic(i);
    a.wrmsr(LocalApic::kMsrApicBase, 0xfee00000 | LocalApic::kBaseEnable | LocalApic::kBaseExtd);
    a.wrmsr(0x80f, 0x1ff);  // SVR: software-enabled
    a.set_wakeup([&wakeups] { ++wakeups; });
  }
  bus.set_ipi_fastpath(fastpath);
  const uint64_t icr = (static_cast<uint64_t>(vcpus - 1) << 32) | 0xf0;  // fixed, physical, vector 0xf0
  LocalApic& sender = bus.apic(0);
  for (auto _ : state) benchmark::DoNotOptimize(sender.wrmsr(LocalApic::kMsrX2apicIcr, icr));
  if (wakeups == 0 || bus.fastpath_deliveries() + bus.slowpath_deliveries() == 0)
    state.SkipWithError("no IPI was delivered");
  state.counters["fastpath"] = static_cast<double>(bus.fastpath_deliveries());
  state.counters["slowpath"] = static_cast<double>(bus.slowpath_deliveries());
}

BENCHMARK(BM_IcrWrite)
    ->ArgNames({"fastpath", "vcpus"})
    ->ArgsProduct({{0, 1}, {2, 8, 64, 255}});

}  // namespace
}  // namespace nv
