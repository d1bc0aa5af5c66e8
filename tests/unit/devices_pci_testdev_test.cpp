#include "devices/pci_host.h"
#include "devices/pci_testdev.h"
#include "vmm/bus.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nv {
namespace {

// Offsets in struct pci_test_dev_hdr (kvm-unit-tests lib/pci.h).
constexpr uint64_t kTest = 0, kWidth = 1, kOffset = 4, kData = 8, kCount = 12, kName = 16;

// Reaches one BAR of the device the way the guest does: MMIO or port I/O.
struct BarAccess {
  Bus& bus;
  uint64_t base;
  uint64_t read(uint64_t off, unsigned size) { return bus.read_or_float(base + off, size); }
  void write(uint64_t off, unsigned size, uint64_t v) { bus.write_or_drop(base + off, size, v); }
};

class PciTestdevTest : public ::testing::Test {
 protected:
  PciTestdevTest() {
    host_.attach(io_, mmio_);
    host_.add_device(&dev_);
  }
  BarAccess mem() { return {mmio_, dev_.bar_address(PciTestdev::kMemoryBar)}; }
  BarAccess io() { return {io_, dev_.bar_address(PciTestdev::kIoBar)}; }

  // kvm-unit-tests' pci_testdev_all(): select tests 0, 1, ... until one
  // fails; each must start at count 0, have width 1/2/4, and count 16
  // writes of its data to its offset. Returns the names that passed.
  static std::vector<std::string> walk(BarAccess bar) {
    std::vector<std::string> names;
    for (unsigned n = 0;; ++n) {
      bar.write(kTest, 1, n);
      if (bar.read(kCount, 4) != 0) break;
      unsigned width = static_cast<unsigned>(bar.read(kWidth, 1));
      if (width != 1 && width != 2 && width != 4) break;
      uint64_t data = bar.read(kData, 4);
      uint64_t offset = bar.read(kOffset, 4);
      for (int i = 0; i < 16; ++i) bar.write(offset, width, data);
      if (bar.read(kCount, 4) != 16) break;
      std::string name;
      for (uint64_t i = 0;; ++i) {
        char c = static_cast<char>(bar.read(kName + i, 1));
        if (!c) break;
        name.push_back(c);
      }
      names.push_back(name);
    }
    return names;
  }

  Bus io_{Bus::Kind::io};
  Bus mmio_{Bus::Kind::mmio};
  PciHost host_;
  PciTestdev dev_;
};

TEST_F(PciTestdevTest, IdentifiesAsRedHatTestDevice) {
  EXPECT_EQ(dev_.config_read(PciDevice::kVendorId, 2), 0x1b36u);
  EXPECT_EQ(dev_.config_read(PciDevice::kDeviceId, 2), 0x0005u);
  EXPECT_EQ(dev_.config_read(PciDevice::kRevisionId, 4) >> 8, 0x00ff00u) << "as QEMU: base class 0, sub-class 0xff";
  EXPECT_EQ(dev_.bar_kind(0), PciDevice::BarKind::memory32);
  EXPECT_EQ(dev_.bar_size(0), 4096u);
  EXPECT_EQ(dev_.bar_kind(1), PciDevice::BarKind::io);
  EXPECT_EQ(dev_.bar_size(1), 256u);
}

TEST_F(PciTestdevTest, KvmUnitTestsWalkPassesEveryTestOfBothBars) {
  EXPECT_EQ(walk(mem()),
            (std::vector<std::string>{"mmio-no-eventfd", "mmio-wildcard-eventfd", "mmio-datamatch-eventfd"}));
  EXPECT_EQ(walk(io()),
            (std::vector<std::string>{"portio-no-eventfd", "portio-wildcard-eventfd", "portio-datamatch-eventfd"}));
}

TEST_F(PciTestdevTest, HeaderDescribesTheSelectedTest) {
  BarAccess bar = io();
  bar.write(kTest, 1, 2);
  EXPECT_EQ(bar.read(kTest, 1), 5u) << "QEMU's global test index";
  EXPECT_EQ(bar.read(kWidth, 1), 1u);
  EXPECT_EQ(bar.read(kOffset, 4), 128u + 5);
  EXPECT_EQ(bar.read(kData, 4), 0xfau);
  EXPECT_EQ(bar.read(kName, 4), 0x74726f70u) << "\"port\"";
}

TEST_F(PciTestdevTest, OnlyMatchingDataCountsUnlessWildcard) {
  BarAccess bar = mem();
  bar.write(kTest, 1, 2);  // mmio-datamatch-eventfd
  uint64_t offset = bar.read(kOffset, 4);
  bar.write(offset, 1, 0x11);
  bar.write(offset + 1, 1, 0xfa);
  EXPECT_EQ(bar.read(kCount, 4), 0u) << "wrong data or wrong offset";
  bar.write(offset, 4, 0x000000fa);
  EXPECT_EQ(bar.read(kCount, 4), 1u) << "a dword write counts its first byte";

  bar.write(kTest, 1, 1);  // mmio-wildcard-eventfd
  EXPECT_EQ(bar.read(kCount, 4), 0u) << "selecting a test resets its count";
  offset = bar.read(kOffset, 4);
  bar.write(offset, 1, 0x11);
  bar.write(offset, 1, 0xce);
  EXPECT_EQ(bar.read(kCount, 4), 2u);
}

TEST_F(PciTestdevTest, UnknownTestDeselectsAndTheHeaderReadsZero) {
  BarAccess bar = mem();
  bar.write(kTest, 1, 0);
  EXPECT_EQ(bar.read(kWidth, 1), 1u);
  bar.write(kTest, 1, 3);
  EXPECT_EQ(bar.read(kWidth, 1), 0u);
  EXPECT_EQ(bar.read(kOffset, 4), 0u);
  EXPECT_EQ(bar.read(kName, 4), 0u);
}

}  // namespace
}  // namespace nv
