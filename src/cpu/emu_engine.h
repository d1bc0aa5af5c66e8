// The software engine: every vCPU is a Cpu (cpu.h) and all of them run
// round-robin on the calling thread, `quantum` instructions at a time, so a
// run is deterministic for a given guest and input up to the timers, which
// follow the host clock unless -icount makes them follow the instruction
// count.
#pragma once

#include "cpu/cpu.h"
#include "cpu/decode_cache.h"
#include "cpu/emu_platform.h"
#include "vmm/engine.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace nv {

class Machine;

struct EmuEngineOptions {
  // Instructions per vCPU turn. 1000 keeps a cross-vCPU round trip (IPI and
  // reply) near 10 µs while the per-turn cost stays about 1% (docs/emu-engine.md).
  uint64_t quantum = 1000;
};

class EmuEngine : public Engine {
 public:
  // Builds the vCPUs (CPUID from emu_supported_cpuid() shaped by -cpu) with
  // their local APICs and the platform's interrupt controllers and timers
  // (EmuPlatform), and puts the BSP in the multiboot hand-off state; APs
  // wait for INIT/SIPI. Throws nv::Error for a -cpu the engine cannot honour.
  explicit EmuEngine(Machine& machine, EmuEngineOptions options = {});
  ~EmuEngine() override;

  void run() override;

  Cpu& vcpu(unsigned i) { return *cpus_[i]; }
  unsigned vcpu_count() const { return static_cast<unsigned>(cpus_.size()); }
  DecodeCache& code_cache() { return code_; }
  EmuPlatform& platform() { return *platform_; }

 private:
  void wait_while_halted();

  Machine& machine_;
  EmuEngineOptions options_;
  DecodeCache code_;
  XstateLayout xstate_;  // of the shaped CPUID, once per machine (docs/xstate.md)
  std::unique_ptr<EmuPlatform> platform_;
  std::vector<std::unique_ptr<Cpu>> cpus_;  // after platform_: they point at its APICs
};

}  // namespace nv
