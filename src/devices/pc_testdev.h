// QEMU's pc-testdev, the ISA test device kvm-unit-tests drives:
//   0xe0-0xe3  a 32-bit data register, any access width, read back as written
//   0xe4-0xe7  flush page: a 32-bit write of a guest-physical address drops
//              and re-establishes the host mapping of that page, so KVM's
//              MMU notifiers zap the guest's mapping of it
//   0xe8-0xeb  the same data register, reached byte by byte
//   0x2000-0x2017  IRQ lines: writing 0/1 to 0x2000+n lowers/raises GSI n
//   0xff000000 64 KiB of scratch MMIO, read back as written
#pragma once

#include "devices/device.h"
#include "vmm/guest_memory.h"
#include "vmm/irq_router.h"
#include "vmm/memory_layout.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

namespace nv {

class Bus;

class PcTestdev : public Device {
 public:
  // Port map of QEMU's hw/misc/pc-testdev.c, which kvm-unit-tests hard-codes.
  static constexpr uint16_t kDataPort = 0xe0;
  static constexpr uint16_t kFlushPagePort = 0xe4;
  static constexpr uint16_t kDataBytePort = 0xe8;
  static constexpr uint16_t kIrqPortBase = 0x2000;
  static constexpr unsigned kIrqLines = 24;  // one per IOAPIC pin (82093AA datasheet: 24 inputs)
  static constexpr uint64_t kMmioBase = layout::kTestdevMmioBase;
  static constexpr uint64_t kMmioSize = layout::kTestdevMmioSize;

  PcTestdev(GuestMemory& mem, IrqRouter& irq);

  std::string_view name() const override { return "pc-testdev"; }
  void attach(Bus& io, Bus& mmio);

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;
  uint64_t mmio_read(uint64_t addr, unsigned size) override;
  void mmio_write(uint64_t addr, unsigned size, uint64_t value) override;

 private:
  void flush_page(uint64_t gpa);

  GuestMemory& mem_;
  IrqRouter& irq_;
  std::atomic<uint32_t> data_{0};
  std::mutex scratch_mutex_;
  std::array<uint8_t, kMmioSize> scratch_{};
};

}  // namespace nv
