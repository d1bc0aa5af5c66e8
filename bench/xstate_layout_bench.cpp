// Seed 000's point, measured here: recomputing a guest's XSAVE sizes (on an
// XCR0/XSS change or a nested VM entry/exit) from the CPUID.0xD table built at
// start-up versus executing host CPUID 0xD.i for every enabled component each
// time (--xstate-cache=off). On a host that is itself a VM every CPUID exits to
// the hypervisor, which is what made nested transitions slow in KVM.
// Results and the command line: docs/xstate.md.
#include "cpuid/xstate_layout.h"

#include <benchmark/benchmark.h>

#include <cpuid.h>
#include <x86intrin.h>

namespace nv {
namespace {

const XstateLayout& host_layout() {
  static const XstateLayout layout = XstateLayout::from_host();
  return layout;
}

// The host's XCR0 (XGETBV 0) when the OS enabled XSAVE (CPUID.1:ECX.OSXSAVE),
// else the x87/SSE pair.
uint64_t host_xcr0() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return 0x3;
  uint32_t lo, hi;
  asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return uint64_t{hi} << 32 | lo;
}

// TSC cycles and host CPUIDs per recomputation, next to Google Benchmark's time.
void recompute(benchmark::State& state, bool use_cache) {
  const XstateLayout& layout = host_layout();
  XstateSizer sizer(layout, use_cache);
  uint64_t xcr0 = host_xcr0(), xss = layout.supported_xss();
  uint64_t start = __rdtsc();
  for (auto _ : state) {
    benchmark::DoNotOptimize(xcr0);
    benchmark::DoNotOptimize(sizer.recompute(xcr0, xss));
  }
  uint64_t cycles = __rdtsc() - start;
  state.counters["tsc_cycles"] = benchmark::Counter(double(cycles), benchmark::Counter::kAvgIterations);
  state.counters["host_cpuids"] =
      benchmark::Counter(double(sizer.host_cpuid_executions()), benchmark::Counter::kAvgIterations);
}

void BM_RecomputeFromTable(benchmark::State& state) { recompute(state, true); }
void BM_RecomputeWithHostCpuid(benchmark::State& state) { recompute(state, false); }

// The one-time cost paid at start-up instead.
void BM_BuildLayoutFromHost(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(XstateLayout::from_host());
}

BENCHMARK(BM_RecomputeFromTable);
BENCHMARK(BM_RecomputeWithHostCpuid);
BENCHMARK(BM_BuildLayoutFromHost);

}  // namespace
}  // namespace nv
