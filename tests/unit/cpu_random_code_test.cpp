// Random bytes as guest code: whatever a guest executes, the software CPU
// answers architecturally (a fault delivered through the guest's IDT, a
// triple fault, a halt) and never lets a host exception or a crash out of
// Cpu::run. Run under ASan/UBSan (NV_SANITIZE=1) this checks every decode,
// fault and delivery path the bytes reach for memory errors too.
#include "cpu_legacy_harness.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace nv::test {
namespace {

constexpr unsigned kCodeBytes = 4096;
constexpr unsigned kRunsPerMode = 1500;
constexpr uint64_t kInstructionsPerRun = 2000;

// Fills the code page with random bytes, the GPRs with random values (RSP
// left valid half the time), and runs. Returns how the run ended.
Cpu::Exit run_random(CpuHarness& h, std::mt19937_64& rng) {
  std::vector<uint8_t> code(kCodeBytes);
  for (uint8_t& b : code) b = static_cast<uint8_t>(rng());
  h.memory.write(CpuHarness::kCodeAddr, code.data(), code.size());
  h.code.invalidate_code_page(CpuHarness::kCodeAddr);
  for (uint64_t& r : h.s().gpr) r = rng() >> (rng() % 64);
  if (rng() & 1) h.s().gpr[kRsp] = CpuHarness::kStackTop;
  h.s().rip = CpuHarness::kCodeAddr;
  return h.run(kInstructionsPerRun);
}

void expect_contained(Cpu::Exit e) {
  EXPECT_TRUE(e == Cpu::Exit::halted || e == Cpu::Exit::quantum || e == Cpu::Exit::shutdown || e == Cpu::Exit::stop);
}

TEST(CpuRandomCode, LongModeBytesStayInTheGuest) {
  std::mt19937_64 rng(0x5eed64);
  unsigned shutdowns = 0;
  for (unsigned run = 0; run < kRunsPerMode; ++run) {
    CpuHarness h;
    h.install_long_mode_tables();
    Cpu::Exit e = run_random(h, rng);
    expect_contained(e);
    shutdowns += e == Cpu::Exit::shutdown;
  }
  // Most runs end in a fault the IDT's HLT stub takes; a few wreck the
  // tables first and triple-fault. Neither extreme may be everything.
  EXPECT_LT(shutdowns, kRunsPerMode);
}

TEST(CpuRandomCode, ProtectedModeBytesStayInTheGuest) {
  std::mt19937_64 rng(0x5eed32);
  for (unsigned run = 0; run < kRunsPerMode; ++run) {
    LegacyHarness h;
    if (run % 2) h.enter_ring3();  // user mode: privileged bytes fault instead of running
    expect_contained(run_random(h, rng));
  }
}

TEST(CpuRandomCode, RealModeBytesStayInTheGuest) {
  std::mt19937_64 rng(0x5eed16);
  for (unsigned run = 0; run < kRunsPerMode; ++run) {
    CpuHarness h;
    h.cpu->enter_wait_for_sipi();  // the reset state: real mode, CS base 0xf0000 until a SIPI
    h.cpu->load_real_segment(kCs, static_cast<uint16_t>(CpuHarness::kCodeAddr >> 4));
    h.s().halted = 0;
    std::vector<uint8_t> code(kCodeBytes);
    for (uint8_t& b : code) b = static_cast<uint8_t>(rng());
    h.memory.write(CpuHarness::kCodeAddr, code.data(), code.size());
    h.code.invalidate_code_page(CpuHarness::kCodeAddr);
    for (uint64_t& r : h.s().gpr) r = rng() & 0xffff;
    h.s().rip = 0;
    expect_contained(h.cpu->run(kInstructionsPerRun));
  }
}

}  // namespace
}  // namespace nv::test
