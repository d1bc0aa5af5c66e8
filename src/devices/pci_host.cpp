#include "devices/pci_host.h"

#include "util/error.h"
#include "vmm/bus.h"
#include "vmm/memory_layout.h"

namespace nv {
namespace {

// Intel 82441FX (i440FX) PMC, the host bridge of QEMU's pc machine.
class I440fxHostBridge : public PciDevice {
 public:
  I440fxHostBridge() : PciDevice(0x8086, 0x1237, 0x060000 /* bridge, host bridge (PCI 3.0 App. D) */, 0x02) {}
  std::string_view name() const override { return "i440FX"; }
};

// CONFIG_ADDRESS fields (PCI 3.0 §3.2.2.3.2, Figure 3-1).
constexpr uint32_t kConfigEnable = 0x80000000u;
unsigned bus_number(uint32_t address) { return (address >> 16) & 0xff; }
unsigned device_number(uint32_t address) { return (address >> 11) & 0x1f; }
unsigned function_number(uint32_t address) { return (address >> 8) & 0x7; }

uint64_t align_up(uint64_t value, uint64_t alignment) { return (value + alignment - 1) & ~(alignment - 1); }

}  // namespace

PciHost::PciHost()
    : host_bridge_(std::make_unique<I440fxHostBridge>()),
      next_mmio_(layout::kPciMmioBase),
      next_io_(layout::kPciIoBase) {
  slots_[0] = host_bridge_.get();
}

PciHost::~PciHost() = default;

void PciHost::attach(Bus& io, Bus& mmio) {
  // Bytes 0xcf9 and 0xcfa-0xcfb of CONFIG_ADDRESS's dword are ordinary I/O
  // ports for anything but dword accesses (§3.2.2.3.2); 0xcf9 is the reset
  // control register, so only 0xcf8 itself and 0xcfa-0xcfb are claimed here.
  io.add(kConfigAddressPort, 1, this);
  io.add(kConfigAddressPort + 2, 2, this);
  io.add(kConfigDataPort, 4, this);
  std::lock_guard lock(mutex_);
  io_ = &io;
  mmio_ = &mmio;
  for (PciDevice* device : slots_)
    if (device) device->connect(io, mmio);
}

unsigned PciHost::add_device(PciDevice* device) {
  std::lock_guard lock(mutex_);
  unsigned slot = 1;
  while (slot < kSlots && slots_[slot]) ++slot;
  if (slot == kSlots) fail("cannot add PCI device {}: all {} slots of bus 0 are in use", device->name(), kSlots - 1);

  // Firmware's BAR assignment: each BAR at the next address of its window
  // aligned to its size, as BARs decode naturally aligned ranges (§6.2.5.1).
  for (unsigned bar = 0; bar < PciDevice::kMaxBars; ++bar) {
    PciDevice::BarKind kind = device->bar_kind(bar);
    if (kind == PciDevice::BarKind::none) continue;
    uint64_t size = device->bar_size(bar);
    bool io = kind == PciDevice::BarKind::io;
    uint64_t& next = io ? next_io_ : next_mmio_;
    uint64_t base = align_up(next, size);
    uint64_t end = io ? uint64_t{layout::kPciIoEnd} + 1 : layout::kPciMmioEnd;
    if (base + size > end)
      fail("cannot add PCI device {}: no room for its {:#x}-byte {} BAR{} in the PCI window", device->name(), size,
           io ? "I/O" : "memory", bar);
    device->config_write(PciDevice::kBar0 + 4 * bar, 4, static_cast<uint32_t>(base));
    next = base + size;
  }
  if (io_) device->connect(*io_, *mmio_);
  uint32_t command = device->config_read(PciDevice::kCommand, 2);
  device->config_write(PciDevice::kCommand, 2, command | PciDevice::kCommandIo | PciDevice::kCommandMemory);
  slots_[slot] = device;
  return slot;
}

PciDevice* PciHost::device(unsigned slot) const {
  std::lock_guard lock(mutex_);
  return slot < kSlots ? slots_[slot] : nullptr;
}

// Bus 0 only; functions other than 0 and empty slots master-abort, which
// reads as all ones (§6.1).
PciDevice* PciHost::selected(unsigned& offset, uint16_t port, unsigned size) const {
  unsigned lane = port - kConfigDataPort;
  if (!(address_ & kConfigEnable) || lane + size > 4) return nullptr;
  if (bus_number(address_) != 0 || function_number(address_) != 0) return nullptr;
  // Like QEMU, the register number's low two bits (which the specification
  // wants zero) combine with the data port's byte lane; kvm-unit-tests
  // relies on it by reading byte registers through 0xcfc.
  offset = (address_ & 0xff) | lane;
  return slots_[device_number(address_)];
}

uint32_t PciHost::io_read(uint16_t port, unsigned size) {
  std::lock_guard lock(mutex_);
  if (port == kConfigAddressPort) return size == 4 ? address_ : static_cast<uint32_t>(size_mask(size));
  if (port < kConfigDataPort) return static_cast<uint32_t>(size_mask(size));  // 0xcfa-0xcfb: nothing behind
  unsigned offset;
  PciDevice* device = selected(offset, port, size);
  return device ? device->config_read(offset, size) : static_cast<uint32_t>(size_mask(size));
}

void PciHost::io_write(uint16_t port, unsigned size, uint32_t value) {
  std::lock_guard lock(mutex_);
  if (port == kConfigAddressPort) {
    if (size == 4) address_ = value;
    return;
  }
  if (port < kConfigDataPort) return;
  unsigned offset;
  if (PciDevice* device = selected(offset, port, size)) device->config_write(offset, size, value);
}

}  // namespace nv
