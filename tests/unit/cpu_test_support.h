// A single software vCPU over 16 MiB of RAM for the CPU unit tests and
// benchmarks. The default state is the engine's flat 64-bit test state:
// CS.L = 1, every base 0, paging off (linear = physical), CPL 0; code is
// placed at kCodeAddr and the stack grows down from kStackTop.
#pragma once

#include "cpu/cpu.h"
#include "cpu/decode_cache.h"
#include "cpu/emu_cpuid.h"
#include "vmm/bus.h"
#include "vmm/guest_memory.h"
#include "vmm/machine_control.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace nv::test {

struct CpuHarness {
  static constexpr uint64_t kCodeAddr = 0x10000;
  static constexpr uint64_t kStackTop = 0x80000;
  static constexpr uint64_t kDataAddr = 0x100000;

  GuestMemory memory{16ull << 20};
  Bus io{Bus::Kind::io};
  Bus mmio{Bus::Kind::mmio};
  MachineControl control;
  DecodeCache code{16ull << 20};
  std::unique_ptr<Cpu> cpu;

  CpuHarness() {
    CpuEnvironment env{memory, io, mmio, control, code, emu_supported_cpuid()};
    cpu = std::make_unique<Cpu>(env, 0);
    cpu->set_flat64_test_state(kCodeAddr, kStackTop);
  }

  VcpuState& s() { return cpu->state(); }

  // Copies `bytes` followed by HLT to `at` and points RIP there.
  void load(const std::vector<uint8_t>& bytes, uint64_t at = kCodeAddr) {
    memory.write(at, bytes.data(), bytes.size());
    uint8_t hlt = 0xf4;
    memory.write(at + bytes.size(), &hlt, 1);
    code.invalidate_code_page(at);
    s().rip = at;
    s().halted = 0;
  }
  // Runs until HLT (or `limit` instructions); returns the exit reason.
  Cpu::Exit run(uint64_t limit = 100000) {
    s().halted = 0;
    return cpu->run(limit);
  }
};

}  // namespace nv::test
