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

// Runs `guest` on the EmuEngine with a watchdog.
BootResult boot(const std::string& guest, std::chrono::seconds timeout = std::chrono::seconds(20)) {
  MachineConfig cfg;
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
  if (!std::filesystem::exists(std::string(NV_BINARY_DIR) + "/guests/nothing.elf"))
    GTEST_SKIP() << "guests not built (ninja guests)";
  EXPECT_EQ(boot("nothing").status, 1);  // isa-debug-exit: (0 << 1) | 1
}

TEST(CpuBoot, HelloGuestPrintsItsBanner) {
  if (!std::filesystem::exists(std::string(NV_BINARY_DIR) + "/guests/hello.elf")) GTEST_SKIP() << "guests not built";
  BootResult r = boot("hello");
  EXPECT_EQ(r.status, 1) << r.serial;
  EXPECT_NE(r.serial.find("Hello from a nestvisor test guest"), std::string::npos) << r.serial;
  // The run ends at the isa-debug-exit write: nothing the guest does after it runs.
  EXPECT_EQ(r.serial.find("did not stop the VM"), std::string::npos) << r.serial;
}

TEST(CpuBoot, SerialAndAcpiGuestsPass) {
  for (const char* g : {"serial", "acpi"}) {
    if (!std::filesystem::exists(std::string(NV_BINARY_DIR) + "/guests/" + g + ".elf")) GTEST_SKIP() << "guests not built";
    BootResult r = boot(g);
    EXPECT_EQ(r.status, 1) << g << ":\n" << r.serial;
    EXPECT_NE(r.serial.find("0 failures"), std::string::npos) << g << ":\n" << r.serial;
  }
}

}  // namespace
}  // namespace nv
