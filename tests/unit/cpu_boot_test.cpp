// Boots the project's guests on the EmuEngine: multiboot hand-off in 32-bit
// protected mode, the guest's own GDT, PAE page tables, long mode, C code,
// serial output and isa-debug-exit.
#include "cpu/emu_engine.h"
#include "cpu/unimplemented_log.h"
#include "util/log.h"
#include "vmm/machine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

namespace nv {
namespace {

struct BootResult {
  int status;          // isa-debug-exit status, -1 when the guest did not exit that way
  std::string serial;  // what the guest wrote to COM1
};

bool built(const std::string& guest) {
  return std::filesystem::exists(std::string(NV_BINARY_DIR) + "/guests/" + guest + ".elf");
}

// Runs `guest` on the EmuEngine with a watchdog, with the devices of the
// guest tests (tests/guest): isa-debug-exit at 0xf4, pc-testdev, pci-testdev.
BootResult boot(const std::string& guest, const std::string& append = "", unsigned vcpus = 1,
                std::chrono::seconds timeout = std::chrono::seconds(30)) {
  MachineConfig cfg;
  cfg.append = append;
  cfg.vcpus = vcpus;
  cfg.pc_testdev = cfg.pci_testdev = true;
  const LogLevel old_level = log_level();
  set_log_level(LogLevel::error);  // unassigned ports (PIC, PIT) are expected here
  std::string serial_path = ::testing::TempDir() + "/emu_boot_" + guest + ".serial";
  cfg.serial = SerialConfig{SerialMode::file, serial_path};
  cfg.engine = EngineKind::emu;
  cfg.kernel = std::string(NV_BINARY_DIR) + "/guests/" + guest + ".elf";
  cfg.debug_exit = DebugExitConfig{0xf4, 0x4};
  cfg.no_reboot = true;
  cfg.ram_bytes = 64ull << 20;
  Machine machine(cfg);
  EmuEngine engine(machine);
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(m);
    if (!cv.wait_for(lock, timeout, [&] { return done; })) machine.control().request_termination(9);
  });
  engine.run();
  {
    std::lock_guard lock(m);
    done = true;
  }
  cv.notify_all();
  watchdog.join();
  set_log_level(old_level);
  BootResult r{machine.control().stop_kind() == MachineControl::Stop::exit ? machine.control().exit_status() : -1, ""};
  std::ifstream in(serial_path);
  r.serial.assign(std::istreambuf_iterator<char>(in), {});
  return r;
}

TEST(CpuBoot, NothingGuestExitsWithSuccess) {
  if (!built("nothing")) GTEST_SKIP() << "guests not built (ninja guests)";
  EXPECT_EQ(boot("nothing").status, 1);  // isa-debug-exit: (0 << 1) | 1
}

TEST(CpuBoot, HelloGuestPrintsItsBanner) {
  if (!built("hello")) GTEST_SKIP() << "guests not built";
  BootResult r = boot("hello");
  EXPECT_EQ(r.status, 1) << r.serial;
  EXPECT_NE(r.serial.find("Hello from a nestvisor test guest"), std::string::npos) << r.serial;
  // The run ends at the isa-debug-exit write: nothing the guest does after it runs.
  EXPECT_EQ(r.serial.find("did not stop the VM"), std::string::npos) << r.serial;
}

TEST(CpuBoot, DebugExitStatusReachesTheMachine) {
  if (!built("debug_exit")) GTEST_SKIP() << "guests not built";
  EXPECT_EQ(boot("debug_exit", "code=5").status, 11);  // (5 << 1) | 1
}

// Every guest test of the project passes on the software engine: devices,
// ACPI tables, PCI, the LAPIC timer and IOAPIC interrupts, and SMP start-up
// through INIT-SIPI-SIPI.
TEST(CpuBoot, GuestTestsPass) {
  struct Case {
    const char* guest;
    const char* append;
    unsigned vcpus;
  };
  for (const Case& c : {Case{"serial", "", 1}, Case{"acpi", "", 1}, Case{"fw_cfg", "cpus=2 mem=64", 2},
                        Case{"pci", "", 1}, Case{"pc_testdev", "", 1}, Case{"apic_timer", "", 1},
                        Case{"smp", "", 4}, Case{"latency", "", 1}}) {
    if (!built(c.guest)) GTEST_SKIP() << "guests not built";
    BootResult r = boot(c.guest, c.append, c.vcpus);
    EXPECT_EQ(r.status, 1) << c.guest << ":\n" << r.serial;
    EXPECT_NE(r.serial.find(" 0 failures"), std::string::npos) << c.guest << ":\n" << r.serial;
  }
}

}  // namespace
}  // namespace nv
