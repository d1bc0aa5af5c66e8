// The software engine's -icount and --ipi-fastpath options reach the
// platform: the clock, the PM timer port and the ApicBus.
#include "cpu/emu_engine.h"
#include "devices/acpi_pm.h"
#include "util/log.h"
#include "vmm/machine.h"
#include "vmm/memory_layout.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace nv {
namespace {

const std::string kNothing = std::string(NV_BINARY_DIR) + "/guests/nothing.elf";

MachineConfig emu_config() {
  MachineConfig cfg;
  cfg.engine = EngineKind::emu;
  cfg.kernel = kNothing;
  cfg.ram_bytes = 32ull << 20;
  cfg.debug_exit = DebugExitConfig{0xf4, 0x4};
  return cfg;
}

uint32_t read_pm_timer(Machine& machine) {
  uint64_t value = 0;
  EXPECT_TRUE(machine.io_bus().read(layout::kPmTmrBlk, 4, value));
  return static_cast<uint32_t>(value);
}

// An x2APIC fixed IPI from vCPU 0 to vCPU 1 takes the fast path only when
// --ipi-fastpath is on, and arrives either way.
TEST(IcountEngine, IpiFastpathFlagReachesTheApicBus) {
  if (!std::filesystem::exists(kNothing)) GTEST_SKIP() << "guests not built (ninja guests)";
  constexpr uint32_t kApicBase = 0x1b, kSvr = 0x80f, kIcr = 0x830;  // SDM Vol. 3A §11.4.4, §11.12.1.2
  constexpr uint64_t kX2apicEnabled = 0xfee00000 | (1 << 11) | (1 << 10);
  for (bool on : {false, true}) {
    MachineConfig cfg = emu_config();
    cfg.vcpus = 2;
    cfg.cpu.flags.push_back(CpuFlag{"x2apic", true});
    cfg.ipi_fastpath = on;
    Machine machine(cfg);
    EmuEngine engine(machine);
    ApicBus& bus = engine.platform().apic_bus();
    EXPECT_EQ(bus.ipi_fastpath(), on);
    for (unsigned i = 0; i < 2; ++i) {
      LocalApic& apic = bus.apic(i);
      ASSERT_TRUE(apic.wrmsr(kApicBase, kX2apicEnabled | (i == 0 ? 1 << 8 : 0)));
      ASSERT_TRUE(apic.wrmsr(kSvr, 0x1ff));
    }
    const uint64_t fast = bus.fastpath_deliveries(), slow = bus.slowpath_deliveries();
    ASSERT_TRUE(bus.apic(0).wrmsr(kIcr, (uint64_t{1} << 32) | 0x40));  // fixed, physical, to x2APIC ID 1
    EXPECT_TRUE(bus.apic(1).irr(0x40));
    EXPECT_EQ(bus.fastpath_deliveries() - fast, on ? 1u : 0u);
    EXPECT_EQ(bus.slowpath_deliveries() - slow, on ? 0u : 1u);
  }
}

TEST(IcountEngine, ClockAndPmTimerFollowTheInstructionCount) {
  if (!std::filesystem::exists(kNothing)) GTEST_SKIP() << "guests not built (ninja guests)";
  MachineConfig cfg = emu_config();
  cfg.icount = IcountConfig{4, false};
  const LogLevel old_level = log_level();
  set_log_level(LogLevel::error);  // the guest writes to the serial ports this machine lacks
  Machine machine(cfg);
  {
    EmuEngine engine(machine);
    ASSERT_NE(engine.platform().icount_clock(), nullptr);
    EXPECT_EQ(read_pm_timer(machine), 0u) << "no instruction ran yet: time 0, not host time";
    engine.run();
    ASSERT_EQ(machine.control().exit_status(), 1) << "the guest ran to its isa-debug-exit";
    const uint64_t retired = engine.vcpu(0).state().icount;
    ASSERT_GT(retired, 0u);
    const uint64_t ns = engine.platform().clock().now_ns();
    EXPECT_EQ(ns, retired << 4) << "16 ns per instruction, no idle time skipped";
    EXPECT_EQ(read_pm_timer(machine), static_cast<uint32_t>(ns * AcpiPm::kPmTimerHz / 1'000'000'000));
  }
  set_log_level(old_level);
  // Without the engine the machine's own (host-time) PM timer is back.
  EXPECT_NE(read_pm_timer(machine), 0u);
}

TEST(IcountEngine, WithoutIcountTimeIsHostTime) {
  if (!std::filesystem::exists(kNothing)) GTEST_SKIP() << "guests not built (ninja guests)";
  Machine machine(emu_config());
  EmuEngine engine(machine);
  EXPECT_EQ(engine.platform().icount_clock(), nullptr);
  EXPECT_TRUE(engine.platform().apic_bus().ipi_fastpath()) << "on by default";
}

}  // namespace
}  // namespace nv
