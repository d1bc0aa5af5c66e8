#include "devices/pci_device.h"

#include "util/error.h"
#include "util/log.h"
#include "vmm/bus.h"

#include <bit>

namespace nv {
namespace {

// Writable command bits: I/O space, memory space, bus master, parity error
// response, SERR# enable, interrupt disable (PCI 3.0 §6.2.2).
constexpr uint16_t kCommandWritable = 0x0001 | 0x0002 | 0x0004 | 0x0040 | 0x0100 | 0x0400;
// BAR low bits (PCI 3.0 §6.2.5.1): bit 0 selects I/O space; memory BARs keep
// type and prefetchable in bits 3:0, I/O BARs a reserved bit 1.
constexpr uint32_t kBarIoSpace = 0x1;
constexpr uint32_t kBarMemoryFlags = 0xf;
constexpr uint32_t kBarIoFlags = 0x3;

}  // namespace

PciDevice::PciDevice(uint16_t vendor_id, uint16_t device_id, uint32_t class_code, uint8_t revision) {
  config_[kVendorId] = static_cast<uint8_t>(vendor_id);
  config_[kVendorId + 1] = static_cast<uint8_t>(vendor_id >> 8);
  config_[kDeviceId] = static_cast<uint8_t>(device_id);
  config_[kDeviceId + 1] = static_cast<uint8_t>(device_id >> 8);
  config_[kRevisionId] = revision;
  config_[kClassCode] = static_cast<uint8_t>(class_code);            // programming interface
  config_[kClassCode + 1] = static_cast<uint8_t>(class_code >> 8);   // sub-class
  config_[kClassCode + 2] = static_cast<uint8_t>(class_code >> 16);  // base class
  config_[kHeaderType] = 0x00;                                       // type 0, single function (PCI 3.0 §6.2.1)
  wmask_[kCommand] = static_cast<uint8_t>(kCommandWritable);
  wmask_[kCommand + 1] = static_cast<uint8_t>(kCommandWritable >> 8);
  wmask_[kCacheLineSize] = 0xff;
  wmask_[kInterruptLine] = 0xff;
}

void PciDevice::add_bar(unsigned bar, BarKind kind, uint32_t size) {
  bool ok = bar < kMaxBars && kind != BarKind::none && std::has_single_bit(size) &&
            (kind == BarKind::memory32 ? size >= 16 : size >= 4 && size <= 256);
  if (!ok) fail("{}: invalid BAR{} of {:#x} bytes", name(), bar, size);
  bars_[bar].kind = kind;
  bars_[bar].size = size;
  unsigned offset = kBar0 + 4 * bar;
  uint32_t flags = kind == BarKind::io ? kBarIoSpace : 0;  // memory: 32-bit, not prefetchable
  // Address bits below the size read as zero, which is how software sizes a
  // BAR: write all ones, read back ~(size - 1) | flags (PCI 3.0 §6.2.5.1).
  uint32_t writable = ~(size - 1) & ~(kind == BarKind::io ? kBarIoFlags : kBarMemoryFlags);
  for (unsigned i = 0; i < 4; ++i) {
    config_[offset + i] = static_cast<uint8_t>(flags >> (8 * i));
    wmask_[offset + i] = static_cast<uint8_t>(writable >> (8 * i));
  }
}

uint32_t PciDevice::config_read(unsigned offset, unsigned size) const {
  uint32_t value = 0;
  for (unsigned i = 0; i < size && offset + i < kConfigSize; ++i) value |= uint32_t{config_[offset + i]} << (8 * i);
  return value;
}

void PciDevice::config_write(unsigned offset, unsigned size, uint32_t value) {
  bool remap = false;
  for (unsigned i = 0; i < size && offset + i < kConfigSize; ++i) {
    unsigned at = offset + i;
    uint8_t byte = static_cast<uint8_t>(value >> (8 * i));
    config_[at] = static_cast<uint8_t>((config_[at] & ~wmask_[at]) | (byte & wmask_[at]));
    remap |= (at >= kCommand && at < kCommand + 2) || (at >= kBar0 && at < kBar0 + 4 * kMaxBars);
  }
  if (remap) update_mappings();
}

uint32_t PciDevice::read32(unsigned offset) const { return config_read(offset, 4); }

// Where BAR `bar` decodes now, or kUnmapped: decode disabled in the command
// register, address 0, or a range that would run past the top of its space
// (the state a BAR is in while software sizes it with all ones).
uint64_t PciDevice::decode_address(unsigned bar) const {
  const Bar& b = bars_[bar];
  uint16_t command = static_cast<uint16_t>(config_read(kCommand, 2));
  uint32_t reg = read32(kBar0 + 4 * bar);
  switch (b.kind) {
    case BarKind::memory32: {
      if (!(command & kCommandMemory)) return kUnmapped;
      uint64_t base = reg & ~kBarMemoryFlags;
      return base == 0 || base + b.size - 1 >= 0xffffffffu ? kUnmapped : base;
    }
    case BarKind::io: {
      if (!(command & kCommandIo)) return kUnmapped;
      uint64_t base = reg & ~kBarIoFlags;
      return base == 0 || base + b.size - 1 > 0xffff ? kUnmapped : base;  // x86 I/O space is 64 KiB
    }
    case BarKind::none:
      break;
  }
  return kUnmapped;
}

void PciDevice::connect(Bus& io, Bus& mmio) {
  io_ = &io;
  mmio_ = &mmio;
  update_mappings();
}

void PciDevice::update_mappings() {
  if (!io_ || !mmio_) return;
  for (unsigned i = 0; i < kMaxBars; ++i) {
    Bar& b = bars_[i];
    if (b.kind == BarKind::none) continue;
    Bus& bus = b.kind == BarKind::io ? *io_ : *mmio_;
    uint64_t want = decode_address(i);
    uint64_t have = b.mapped.load(std::memory_order_relaxed);
    if (want == have) continue;
    if (have != kUnmapped) bus.remove(have, this);
    // Publish the new base before the range goes live, so that every access
    // the bus routes here finds its BAR.
    b.mapped.store(want, std::memory_order_release);
    if (want == kUnmapped) continue;
    try {
      bus.add(want, b.size, this);
    } catch (const Error& e) {
      // A guest that programs overlapping BARs gets no decode for this one,
      // as with an address conflict on real hardware.
      b.mapped.store(kUnmapped, std::memory_order_release);
      log_warn_once("pci-bar-conflict", want, "{} BAR{} not mapped: {}", name(), i, e.what());
    }
  }
}

bool PciDevice::find_bar(BarKind kind, uint64_t addr, unsigned& bar, uint64_t& offset) const {
  for (unsigned i = 0; i < kMaxBars; ++i) {
    if (bars_[i].kind != kind) continue;
    uint64_t base = bars_[i].mapped.load(std::memory_order_acquire);
    if (base != kUnmapped && addr - base < bars_[i].size) {
      bar = i;
      offset = addr - base;
      return true;
    }
  }
  return false;
}

uint32_t PciDevice::io_read(uint16_t port, unsigned size) {
  unsigned bar;
  uint64_t offset;
  if (!find_bar(BarKind::io, port, bar, offset)) return static_cast<uint32_t>(size_mask(size));
  return static_cast<uint32_t>(bar_read(bar, offset, size));
}

void PciDevice::io_write(uint16_t port, unsigned size, uint32_t value) {
  unsigned bar;
  uint64_t offset;
  if (find_bar(BarKind::io, port, bar, offset)) bar_write(bar, offset, size, value);
}

uint64_t PciDevice::mmio_read(uint64_t addr, unsigned size) {
  unsigned bar;
  uint64_t offset;
  if (!find_bar(BarKind::memory32, addr, bar, offset)) return size_mask(size);
  return bar_read(bar, offset, size);
}

void PciDevice::mmio_write(uint64_t addr, unsigned size, uint64_t value) {
  unsigned bar;
  uint64_t offset;
  if (find_bar(BarKind::memory32, addr, bar, offset)) bar_write(bar, offset, size, value);
}

}  // namespace nv
