// Everything the command line decides about a machine. Produced by
// cli/command_line.cpp, consumed by vmm/machine.cpp and the engines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nv {

enum class EngineKind { kvm, emu };

enum class SerialMode { stdio, file, none };

struct SerialConfig {
  SerialMode mode = SerialMode::none;
  std::string path;  // SerialMode::file
};

struct DebugExitConfig {
  uint16_t iobase = 0x501;  // QEMU's default
  uint16_t iosize = 0x2;
};

// One `+name` / `-name` (or `name=on|off`) item of `-cpu`.
struct CpuFlag {
  std::string name;
  bool enable;
};

// One `key=value` property of `-cpu` (vendor=, phys-bits=, level=, ...),
// checked by cpuid/cpu_model.h's check_cpu_property.
struct CpuProperty {
  std::string key;
  std::string value;
};

struct CpuConfig {
  std::string model = "qemu64";  // QEMU's default for the pc machine
  std::vector<CpuFlag> flags;
  std::vector<CpuProperty> properties;  // in command-line order; a later one wins
};

// -icount shift=N[,sleep=on|off] (QEMU's syntax): the software engine's
// clocks follow the retired-instruction count, 2^shift ns per instruction.
struct IcountConfig {
  unsigned shift = 0;
  // When every vCPU is halted waiting for a timer: off jumps time to the
  // deadline at once, on waits for it in real time (QEMU's default is on).
  bool sleep = true;
};

struct MachineConfig {
  EngineKind engine = EngineKind::kvm;
  uint64_t ram_bytes = 128ull << 20;  // QEMU's default
  unsigned vcpus = 1;
  CpuConfig cpu;

  std::string kernel;
  std::string append;
  std::string initrd;

  SerialConfig serial;
  bool no_reboot = false;
  bool in_kernel_pit = true;   // -machine pit=off clears it

  bool pc_testdev = false;
  bool pci_testdev = false;
  std::optional<DebugExitConfig> debug_exit;

  // CPUID.0xD sizes and offsets come from the table built at start-up
  // (cpuid/xstate_layout.h, seed 000); off executes host CPUID on every
  // XSAVE-size recomputation, for comparison.
  bool xstate_cache = true;

  // Software engine only (the command line rejects them with accel=kvm).
  std::optional<IcountConfig> icount;
  // The x2APIC ICR fast path of the software engine's ApicBus (seed 001);
  // off routes every IPI through the general path, for comparison.
  bool ipi_fastpath = true;
};

}  // namespace nv
