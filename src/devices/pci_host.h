// The PCI host bridge and bus 0, reached through configuration mechanism #1
// (PCI Local Bus Specification 3.0 §3.2.2.3.2): CONFIG_ADDRESS at 0xcf8
// (32-bit accesses only) selects bus/device/function/register, and
// CONFIG_DATA at 0xcfc-0xcff reads or writes it at byte, word or dword width.
// Device 0 is the i440FX host bridge, as on QEMU's pc machine; add_device()
// plugs further functions into slots 1, 2, ... and does what firmware does
// before it boots a kernel: assign BAR addresses and enable decoding.
#pragma once

#include "devices/device.h"
#include "devices/pci_device.h"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>

namespace nv {

class Bus;

class PciHost : public Device {
 public:
  static constexpr uint16_t kConfigAddressPort = 0xcf8;  // PCI 3.0 §3.2.2.3.2
  static constexpr uint16_t kConfigDataPort = 0xcfc;     // PCI 3.0 §3.2.2.3.2
  static constexpr unsigned kSlots = 32;                 // device number is 5 bits (§3.2.2.3.2)

  PciHost();
  ~PciHost() override;

  std::string_view name() const override { return "i440FX-pcihost"; }
  // Claims the configuration ports and connects every plugged function to the buses.
  void attach(Bus& io, Bus& mmio);

  // Plugs `device` (not owned) into the next free slot, assigns its BARs
  // naturally aligned addresses in the PCI windows of memory_layout.h and
  // enables I/O and memory decoding. Returns the slot. Throws nv::Error when
  // the bus or a window is full.
  unsigned add_device(PciDevice* device);
  PciDevice* device(unsigned slot) const;

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  // The function CONFIG_ADDRESS selects, or nullptr (master abort).
  PciDevice* selected(unsigned& offset, uint16_t port, unsigned size) const;

  mutable std::mutex mutex_;
  uint32_t address_ = 0;
  std::array<PciDevice*, kSlots> slots_{};
  std::unique_ptr<PciDevice> host_bridge_;
  Bus* io_ = nullptr;
  Bus* mmio_ = nullptr;
  uint64_t next_mmio_;
  uint64_t next_io_;
};

}  // namespace nv
