// A PCI function with a type 0 configuration header (PCI Local Bus
// Specification 3.0 §6.1): 256 bytes of configuration space with per-byte
// write masks, up to six 32-bit memory or I/O BARs with size probing, and the
// command register's decode enables. While decoding is enabled the device's
// BARs are registered on the I/O and MMIO buses; moving a BAR or toggling
// decode moves or removes the registration.
//
// Concurrency: configuration accesses are serialised by the PciHost; BAR
// accesses arrive from any vCPU thread and derived classes guard their state.
#pragma once

#include "devices/device.h"

#include <array>
#include <atomic>
#include <cstdint>

namespace nv {

class Bus;

class PciDevice : public Device {
 public:
  static constexpr unsigned kConfigSize = 256;  // PCI 3.0 §6.1: conventional configuration space
  static constexpr unsigned kMaxBars = 6;       // PCI 3.0 §6.2.5.1: BARs at 0x10-0x24

  // Configuration header offsets, PCI 3.0 §6.1 Figure 6-1.
  static constexpr unsigned kVendorId = 0x00, kDeviceId = 0x02, kCommand = 0x04, kRevisionId = 0x08, kClassCode = 0x09,
                            kCacheLineSize = 0x0c, kHeaderType = 0x0e, kBar0 = 0x10, kInterruptLine = 0x3c,
                            kInterruptPin = 0x3d;
  // Command register bits, PCI 3.0 §6.2.2.
  static constexpr uint16_t kCommandIo = 0x1, kCommandMemory = 0x2;

  enum class BarKind : uint8_t { none, memory32, io };

  // Configuration space access at a byte offset (size 1, 2 or 4, little
  // endian); bytes past the end of the space read as zero and ignore writes.
  uint32_t config_read(unsigned offset, unsigned size) const;
  void config_write(unsigned offset, unsigned size, uint32_t value);

  BarKind bar_kind(unsigned bar) const { return bars_[bar].kind; }
  uint32_t bar_size(unsigned bar) const { return bars_[bar].size; }
  // Base address where the BAR currently decodes, or kUnmapped.
  static constexpr uint64_t kUnmapped = ~0ull;
  uint64_t bar_address(unsigned bar) const { return bars_[bar].mapped.load(std::memory_order_acquire); }

  // The buses BARs decode on. Called by PciHost; maps the BARs that are
  // already enabled.
  void connect(Bus& io, Bus& mmio);

  // Accesses to a mapped BAR, turned into bar_read/bar_write with an offset.
  uint32_t io_read(uint16_t port, unsigned size) final;
  void io_write(uint16_t port, unsigned size, uint32_t value) final;
  uint64_t mmio_read(uint64_t addr, unsigned size) final;
  void mmio_write(uint64_t addr, unsigned size, uint64_t value) final;

 protected:
  PciDevice(uint16_t vendor_id, uint16_t device_id, uint32_t class_code, uint8_t revision);

  // Declares BAR `bar` (before the device is connected). `size` is a power
  // of two: at least 16 for memory, 4 to 256 for I/O (PCI 3.0 §6.2.5.1).
  void add_bar(unsigned bar, BarKind kind, uint32_t size);

  // Accesses to BAR `bar` at `offset` from its base. Functions without BARs
  // keep these defaults.
  virtual uint64_t bar_read(unsigned bar, uint64_t offset, unsigned size) {
    (void)bar, (void)offset;
    return size_mask(size);
  }
  virtual void bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) {
    (void)bar, (void)offset, (void)size, (void)value;
  }

 private:
  struct Bar {
    BarKind kind = BarKind::none;
    uint32_t size = 0;
    std::atomic<uint64_t> mapped{kUnmapped};
  };

  uint32_t read32(unsigned offset) const;
  uint64_t decode_address(unsigned bar) const;
  void update_mappings();
  // Finds the mapped BAR of `kind` that contains `addr`; false if none.
  bool find_bar(BarKind kind, uint64_t addr, unsigned& bar, uint64_t& offset) const;

  std::array<uint8_t, kConfigSize> config_{};
  std::array<uint8_t, kConfigSize> wmask_{};
  std::array<Bar, kMaxBars> bars_;
  Bus* io_ = nullptr;
  Bus* mmio_ = nullptr;
};

}  // namespace nv
