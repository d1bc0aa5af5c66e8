#include "devices/pci_host.h"
#include "devices/pci_testdev.h"
#include "util/error.h"
#include "vmm/bus.h"
#include "vmm/memory_layout.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

// A function with one BAR of each kind and chosen sizes.
class SizedDevice : public PciDevice {
 public:
  SizedDevice(uint32_t mem_size, uint32_t io_size) : PciDevice(0x1234, 0x5678, 0x020000, 0x01) {
    add_bar(2, BarKind::memory32, mem_size);
    add_bar(4, BarKind::io, io_size);
  }
  std::string_view name() const override { return "sized"; }

 protected:
  uint64_t bar_read(unsigned bar, uint64_t offset, unsigned) override { return bar * 0x1000 + offset; }
};

class PciTest : public ::testing::Test {
 protected:
  PciTest() { host_.attach(io_, mmio_); }

  // Configuration mechanism #1 as a guest drives it.
  uint32_t cfg_read(unsigned slot, unsigned offset, unsigned size, unsigned function = 0) {
    io_.write_or_drop(0xcf8, 4, 0x80000000u | slot << 11 | function << 8 | (offset & 0xfc));
    return static_cast<uint32_t>(io_.read_or_float(0xcfc + (offset & 3), size));
  }
  void cfg_write(unsigned slot, unsigned offset, unsigned size, uint32_t value) {
    io_.write_or_drop(0xcf8, 4, 0x80000000u | slot << 11 | (offset & 0xfc));
    io_.write_or_drop(0xcfc + (offset & 3), size, value);
  }

  Bus io_{Bus::Kind::io};
  Bus mmio_{Bus::Kind::mmio};
  PciHost host_;
};

TEST_F(PciTest, HostBridgeIsAnI440fxAtSlot0) {
  EXPECT_EQ(cfg_read(0, 0x00, 4), 0x12378086u);
  EXPECT_EQ(cfg_read(0, 0x00, 2), 0x8086u);
  EXPECT_EQ(cfg_read(0, 0x02, 2), 0x1237u);
  EXPECT_EQ(cfg_read(0, 0x08, 4) >> 8, 0x060000u) << "class: host bridge";
  EXPECT_EQ(cfg_read(0, 0x0b, 1), 0x06u);
  EXPECT_EQ(cfg_read(0, 0x0e, 1), 0x00u) << "header type 0, single function";
}

TEST_F(PciTest, AbsentFunctionsReadAllOnes) {
  EXPECT_EQ(cfg_read(5, 0x00, 4), 0xffffffffu) << "empty slot";
  EXPECT_EQ(cfg_read(0, 0x00, 2, 1), 0xffffu) << "function 1";
  io_.write_or_drop(0xcf8, 4, 0x80010000u);  // bus 1
  EXPECT_EQ(io_.read_or_float(0xcfc, 4), 0xffffffffu);
  io_.write_or_drop(0xcf8, 4, 0x00000000u);  // enable bit clear
  EXPECT_EQ(io_.read_or_float(0xcfc, 4), 0xffffffffu);
}

TEST_F(PciTest, ConfigAddressIsDwordOnly) {
  io_.write_or_drop(0xcf8, 4, 0x80000000u);
  EXPECT_EQ(io_.read_or_float(0xcf8, 4), 0x80000000u);
  io_.write_or_drop(0xcfb, 1, 0x01);  // Linux's pci_check_type1 probe
  EXPECT_EQ(io_.read_or_float(0xcf8, 4), 0x80000000u) << "byte writes do not change CONFIG_ADDRESS";
  EXPECT_EQ(io_.find(0xcf9), nullptr) << "0xcf9 is left for the reset control register";
}

TEST_F(PciTest, RegisterLowBitsSelectTheByteAsInQemu) {
  // kvm-unit-tests reads byte registers as outl(0x80000000 | devfn << 8 | reg, 0xcf8); inb(0xcfc).
  io_.write_or_drop(0xcf8, 4, 0x80000000u | 0x0b);
  EXPECT_EQ(io_.read_or_float(0xcfc, 1), 0x06u);
  io_.write_or_drop(0xcf8, 4, 0x80000000u | 0x02);
  EXPECT_EQ(io_.read_or_float(0xcfc, 2), 0x1237u);
}

TEST_F(PciTest, AddDeviceAssignsAlignedBarsInTheWindowsAndEnablesDecode) {
  PciTestdev testdev;
  SizedDevice sized(64 * 1024, 16);
  EXPECT_EQ(host_.add_device(&testdev), 1u);
  EXPECT_EQ(host_.add_device(&sized), 2u);
  EXPECT_EQ(cfg_read(1, 0x00, 4), 0x00051b36u);
  EXPECT_EQ(cfg_read(2, 0x00, 4), 0x56781234u);
  EXPECT_EQ(cfg_read(1, 0x04, 2) & 0x3, 0x3u) << "I/O and memory decode on";

  for (PciDevice* d : {static_cast<PciDevice*>(&testdev), static_cast<PciDevice*>(&sized)}) {
    for (unsigned bar = 0; bar < PciDevice::kMaxBars; ++bar) {
      if (d->bar_kind(bar) == PciDevice::BarKind::none) continue;
      uint64_t base = d->bar_address(bar);
      uint64_t size = d->bar_size(bar);
      ASSERT_NE(base, PciDevice::kUnmapped) << d->name() << " BAR" << bar;
      EXPECT_EQ(base % size, 0u) << "naturally aligned";
      if (d->bar_kind(bar) == PciDevice::BarKind::io) {
        EXPECT_GE(base, layout::kPciIoBase);
        EXPECT_EQ(io_.find(base), d);
        EXPECT_EQ(io_.find(base + size - 1), d);
      } else {
        EXPECT_GE(base, layout::kPciMmioBase);
        EXPECT_LE(base + size, layout::kPciMmioEnd);
        EXPECT_EQ(mmio_.find(base), d);
      }
    }
  }
  uint64_t sized_mem = sized.bar_address(2);
  EXPECT_EQ(mmio_.read_or_float(sized_mem + 0x10, 4), 0x2010u) << "BAR accesses arrive with their offset";
  EXPECT_EQ(cfg_read(2, 0x18, 4), static_cast<uint32_t>(sized_mem)) << "BAR2 register holds the address";
}

TEST_F(PciTest, BarSizeProbingReturnsTheSizeMask) {
  PciTestdev testdev;
  unsigned slot = host_.add_device(&testdev);
  uint32_t bar0 = cfg_read(slot, 0x10, 4);
  uint32_t bar1 = cfg_read(slot, 0x14, 4);
  EXPECT_EQ(bar0 & 0xf, 0x0u) << "32-bit non-prefetchable memory";
  EXPECT_EQ(bar1 & 0x3, 0x1u) << "I/O";
  cfg_write(slot, 0x10, 4, 0xffffffff);
  cfg_write(slot, 0x14, 4, 0xffffffff);
  EXPECT_EQ(cfg_read(slot, 0x10, 4), 0xfffff000u) << "4 KiB";
  EXPECT_EQ(cfg_read(slot, 0x14, 4), 0xffffff01u) << "256 ports";
  EXPECT_EQ(testdev.bar_address(0), PciDevice::kUnmapped) << "all ones is not a usable address";
  cfg_write(slot, 0x10, 4, bar0);
  cfg_write(slot, 0x14, 4, bar1);
  EXPECT_EQ(testdev.bar_address(0), bar0);
  EXPECT_EQ(testdev.bar_address(1), bar1 & ~3u);
  EXPECT_EQ(cfg_read(slot, 0x18, 4), 0u) << "unimplemented BAR";
  cfg_write(slot, 0x18, 4, 0xffffffff);
  EXPECT_EQ(cfg_read(slot, 0x18, 4), 0u) << "unimplemented BARs are read-only zero";
}

TEST_F(PciTest, MovingABarMovesTheDeviceOnTheBus) {
  PciTestdev testdev;
  unsigned slot = host_.add_device(&testdev);
  uint64_t old_mem = testdev.bar_address(0);
  uint64_t old_io = testdev.bar_address(1);
  cfg_write(slot, 0x10, 4, 0xd0000000);
  cfg_write(slot, 0x14, 2, 0xe000);
  EXPECT_EQ(mmio_.find(old_mem), nullptr);
  EXPECT_EQ(io_.find(old_io), nullptr);
  EXPECT_EQ(mmio_.find(0xd0000000), &testdev);
  EXPECT_EQ(mmio_.find(0xd0000fff), &testdev);
  EXPECT_EQ(io_.find(0xe000), &testdev);
  EXPECT_EQ(io_.find(0xe0ff), &testdev);
  EXPECT_EQ(io_.find(0xe100), nullptr);
}

TEST_F(PciTest, ClearingDecodeBitsRemovesTheBars) {
  PciTestdev testdev;
  unsigned slot = host_.add_device(&testdev);
  uint64_t mem = testdev.bar_address(0);
  uint64_t io = testdev.bar_address(1);
  uint16_t command = static_cast<uint16_t>(cfg_read(slot, 0x04, 2));
  cfg_write(slot, 0x04, 2, command & ~0x2);
  EXPECT_EQ(mmio_.find(mem), nullptr);
  EXPECT_EQ(io_.find(io), &testdev) << "I/O decode still on";
  cfg_write(slot, 0x04, 2, command & ~0x3);
  EXPECT_EQ(io_.find(io), nullptr);
  EXPECT_EQ(mmio_.read_or_float(mem, 4), 0xffffffffu);
  cfg_write(slot, 0x04, 2, command);
  EXPECT_EQ(mmio_.find(mem), &testdev);
  EXPECT_EQ(io_.find(io), &testdev);
}

TEST_F(PciTest, OverlappingBarIsLeftUnmapped) {
  PciTestdev a, b;
  unsigned slot_a = host_.add_device(&a);
  host_.add_device(&b);
  cfg_write(slot_a, 0x10, 4, static_cast<uint32_t>(b.bar_address(0)));
  EXPECT_EQ(a.bar_address(0), PciDevice::kUnmapped);
  EXPECT_EQ(mmio_.find(b.bar_address(0)), &b);
}

TEST_F(PciTest, DevicesAddedBeforeAttachAreMappedOnAttach) {
  PciHost host;
  PciTestdev testdev;
  host.add_device(&testdev);
  EXPECT_EQ(testdev.bar_address(0), PciDevice::kUnmapped);
  Bus io(Bus::Kind::io), mmio(Bus::Kind::mmio);
  host.attach(io, mmio);
  ASSERT_NE(testdev.bar_address(0), PciDevice::kUnmapped);
  EXPECT_EQ(mmio.find(testdev.bar_address(0)), &testdev);
  EXPECT_EQ(io.find(testdev.bar_address(1)), &testdev);
}

TEST_F(PciTest, ReadOnlyFieldsIgnoreWrites) {
  cfg_write(0, 0x00, 4, 0);
  EXPECT_EQ(cfg_read(0, 0x00, 4), 0x12378086u);
  cfg_write(0, 0x3c, 1, 11);
  EXPECT_EQ(cfg_read(0, 0x3c, 1), 11u) << "interrupt line is writable";
}

TEST_F(PciTest, FullBusIsAnError) {
  std::vector<std::unique_ptr<SizedDevice>> devices;
  for (unsigned i = 1; i < PciHost::kSlots; ++i) {
    devices.push_back(std::make_unique<SizedDevice>(16, 4));
    EXPECT_EQ(host_.add_device(devices.back().get()), i);
  }
  SizedDevice extra(16, 4);
  EXPECT_THROW(host_.add_device(&extra), Error);
}

}  // namespace
}  // namespace nv
