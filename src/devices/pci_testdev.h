// QEMU's pci-testdev (1b36:0005). BAR0 (4 KiB of memory) and BAR1 (256 I/O
// ports) each start with a header describing the selected test:
//   u8 test; u8 width; u8 pad[2]; u32 offset; u32 data; u32 count; char name[];
// Writing n to `test` selects that BAR's test n (an unknown n deselects, and
// the header then reads as zero); each write of `data` at `width` bytes to
// `offset` in the same BAR increments `count`. Every access is carried out
// byte by byte, as in QEMU. kvm-unit-tests' lib/pci-testdev.c and x86/vmexit.c
// walk the tests by name.
#pragma once

#include "devices/pci_device.h"

#include <cstdint>
#include <mutex>

namespace nv {

class PciTestdev : public PciDevice {
 public:
  static constexpr uint16_t kVendorRedHat = 0x1b36;  // PCI SIG vendor ID of Red Hat (QEMU)
  static constexpr uint16_t kDeviceTest = 0x0005;    // QEMU docs/specs/pci-ids: pci-testdev
  // QEMU stores PCI_CLASS_OTHERS (0xff) as the 16-bit class, so the device
  // reads as base class 0x00, sub-class 0xff (lspci: "Unclassified device [00ff]").
  static constexpr uint32_t kClassCode = 0x00ff00;
  // BAR layout and test count of QEMU's hw/misc/pci-testdev.c.
  static constexpr unsigned kMemoryBar = 0, kIoBar = 1;
  static constexpr uint32_t kMemoryBarSize = 4096, kIoBarSize = 256;
  static constexpr unsigned kTestsPerBar = 3;

  PciTestdev();
  std::string_view name() const override { return "pci-testdev"; }

 protected:
  uint64_t bar_read(unsigned bar, uint64_t offset, unsigned size) override;
  void bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override;

 private:
  uint8_t header_byte(uint64_t offset) const;
  void write_byte(unsigned bar, uint64_t offset, uint8_t byte);

  std::mutex mutex_;
  int current_ = -1;  // index into the test table, -1 when none is selected
  uint32_t count_ = 0;
};

}  // namespace nv
