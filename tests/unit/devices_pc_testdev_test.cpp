#include "devices/pc_testdev.h"
#include "devices_test_support.h"
#include "vmm/bus.h"

#include <gtest/gtest.h>

#include <vector>

namespace nv {
namespace {

class PcTestdevTest : public ::testing::Test {
 protected:
  PcTestdevTest() { dev_.attach(io_, mmio_); }
  GuestMemory mem_{16 * layout::kMiB};
  IrqRouter irq_;
  Bus io_{Bus::Kind::io};
  Bus mmio_{Bus::Kind::mmio};
  PcTestdev dev_{mem_, irq_};
};

TEST_F(PcTestdevTest, DataRegisterReadsBackAtEveryWidth) {
  io_.write_or_drop(0xe0, 4, 0x11223344);
  EXPECT_EQ(io_.read_or_float(0xe0, 4), 0x11223344u);
  EXPECT_EQ(io_.read_or_float(0xe0, 2), 0x3344u);
  EXPECT_EQ(io_.read_or_float(0xe2, 2), 0x1122u);
  EXPECT_EQ(io_.read_or_float(0xe1, 1), 0x33u);
  io_.write_or_drop(0xe0, 1, 0xaa);
  EXPECT_EQ(io_.read_or_float(0xe0, 4), 0x112233aau) << "a byte write replaces only its lane";
  io_.write_or_drop(0xe2, 2, 0xbbcc);
  EXPECT_EQ(io_.read_or_float(0xe0, 4), 0xbbcc33aau);
  io_.write_or_drop(0xe0, 2, 0x9999);
  EXPECT_EQ(io_.read_or_float(0xe0, 1), 0x99u) << "emulator.c's outw/inb pattern";
}

TEST_F(PcTestdevTest, BytePortIsATwinOfTheDataRegister) {
  io_.write_or_drop(0xe0, 4, 0xdeadbeef);
  EXPECT_EQ(io_.read_or_float(0xe8, 4), 0xdeadbeefu);
  EXPECT_EQ(io_.read_or_float(0xeb, 1), 0xdeu);
  io_.write_or_drop(0xe9, 1, 0x00);
  EXPECT_EQ(io_.read_or_float(0xe0, 4), 0xdead00efu);
}

TEST_F(PcTestdevTest, IrqPortsRaiseAndLowerTheirLine) {
  test::RecordingSink sink;
  irq_.attach(&sink);
  io_.write_or_drop(0x2000 + 14, 1, 1);
  io_.write_or_drop(0x2000 + 14, 1, 0);
  io_.write_or_drop(0x2000 + 23, 1, 0x80);  // any non-zero value raises
  EXPECT_EQ(sink.take(), (std::vector<std::pair<unsigned, bool>>{{14, true}, {14, false}, {23, true}}));
  EXPECT_EQ(io_.find(0x2000 + 24), nullptr) << "24 lines";
}

TEST_F(PcTestdevTest, ScratchMmioReadsBackAtEverySize) {
  const uint64_t base = layout::kTestdevMmioBase;
  mmio_.write_or_drop(base + 0x100, 8, 0x0123456789abcdefull);
  EXPECT_EQ(mmio_.read_or_float(base + 0x100, 8), 0x0123456789abcdefull);
  EXPECT_EQ(mmio_.read_or_float(base + 0x100, 4), 0x89abcdefu);
  EXPECT_EQ(mmio_.read_or_float(base + 0x104, 2), 0x4567u);
  EXPECT_EQ(mmio_.read_or_float(base + 0x107, 1), 0x01u);
  mmio_.write_or_drop(base + 0x102, 2, 0xfeed);
  mmio_.write_or_drop(base + 0x101, 1, 0x42);
  EXPECT_EQ(mmio_.read_or_float(base + 0x100, 8), 0x01234567feed42efull);
  mmio_.write_or_drop(base + layout::kTestdevMmioSize - 4, 4, 0xcafef00d);
  EXPECT_EQ(mmio_.read_or_float(base + layout::kTestdevMmioSize - 4, 4), 0xcafef00du);
  EXPECT_EQ(mmio_.find(base + layout::kTestdevMmioSize), nullptr);
}

TEST_F(PcTestdevTest, FlushPageKeepsRamContents) {
  const uint64_t page = 0x123000;
  std::vector<uint8_t> pattern(4096);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint8_t>(i * 7 + 3);
  mem_.write(page, pattern.data(), pattern.size());
  io_.write_or_drop(0xe4, 4, page + 0x234);  // any address within the page
  std::vector<uint8_t> after(4096);
  mem_.read(page, after.data(), after.size());
  EXPECT_EQ(after, pattern);
  mem_.host_ptr(page, 1)[0] = 0x5a;  // still writable from the host
  EXPECT_EQ(mem_.read_obj<uint8_t>(page), 0x5a);
}

TEST_F(PcTestdevTest, FlushOfNonRamIsIgnored) {
  io_.write_or_drop(0xe4, 4, 0xfebff000);  // MMIO hole
  io_.write_or_drop(0xe4, 4, 0x7ffff000);  // beyond the 16 MiB of RAM
  EXPECT_EQ(io_.read_or_float(0xe4, 4), 0xffffffffu) << "the flush port is write-only";
}

}  // namespace
}  // namespace nv
