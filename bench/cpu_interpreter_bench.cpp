// Guest instructions per second of the EmuEngine interpreter on a tight ALU
// loop in the flat 64-bit test state (tests/unit/cpu_test_support.h: CS.L = 1,
// paging off). Items/s in the output is guest instructions per second.
//   ninja -C build cpu_interpreter_bench && build/bench/cpu_interpreter_bench
#include "../tests/unit/cpu_test_support.h"

#include <benchmark/benchmark.h>

namespace {

using nv::test::CpuHarness;

// loop: add rax, rbx; xor rdx, rax; sub rbx, 3; inc rsi; dec rcx; jnz loop (6 instructions)
const std::vector<uint8_t> kAluLoop = {0x48, 0x01, 0xd8, 0x48, 0x31, 0xc2, 0x48, 0x83, 0xeb, 0x03,
                                       0x48, 0xff, 0xc6, 0x48, 0xff, 0xc9, 0x75, 0xee};
// The same with a load and a store per iteration: mov r8, [rdi]; add r8, rax; mov [rdi], r8; dec rcx; jnz
const std::vector<uint8_t> kMemLoop = {0x4c, 0x8b, 0x07, 0x49, 0x01, 0xc0, 0x4c, 0x89,
                                       0x07, 0x48, 0xff, 0xc9, 0x75, 0xf3};

void run_loop(benchmark::State& state, const std::vector<uint8_t>& code) {
  CpuHarness h;
  h.load(code);
  uint64_t instructions = 0;
  for (auto _ : state) {
    h.s().rip = CpuHarness::kCodeAddr;
    h.s().gpr[nv::kRcx] = 1'000'000;
    h.s().gpr[nv::kRdi] = CpuHarness::kDataAddr;
    uint64_t before = h.s().icount;
    if (h.run(100'000'000) != nv::Cpu::Exit::halted) state.SkipWithError("the loop did not reach HLT");
    instructions += h.s().icount - before;
  }
  state.SetItemsProcessed(static_cast<int64_t>(instructions));
}

void BM_AluLoop(benchmark::State& state) { run_loop(state, kAluLoop); }
void BM_MemoryLoop(benchmark::State& state) { run_loop(state, kMemLoop); }

BENCHMARK(BM_AluLoop)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MemoryLoop)->Unit(benchmark::kMillisecond);

}  // namespace
