#include "devices/pc_testdev.h"

#include "util/log.h"
#include "vmm/bus.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace nv {
namespace {

constexpr uint64_t kPageSize = 4096;  // the guest page size the flush port works on

// A `size`-byte access at `port` touches bytes (port & 3) .. of the register,
// truncated at its end (accesses that straddle it lose the excess bytes).
uint32_t lane_mask(uint16_t port, unsigned size) {
  unsigned shift = 8 * (port & 3);
  return static_cast<uint32_t>((size_mask(size) << shift) & 0xffffffffu);
}

}  // namespace

PcTestdev::PcTestdev(GuestMemory& mem, IrqRouter& irq) : mem_(mem), irq_(irq) {}

void PcTestdev::attach(Bus& io, Bus& mmio) {
  io.add(kDataPort, 4, this);
  io.add(kFlushPagePort, 4, this);
  io.add(kDataBytePort, 4, this);
  io.add(kIrqPortBase, kIrqLines, this);
  mmio.add(kMmioBase, kMmioSize, this);
}

uint32_t PcTestdev::io_read(uint16_t port, unsigned size) {
  if (port >= kIrqPortBase || (port & ~3u) == kFlushPagePort) return static_cast<uint32_t>(size_mask(size));
  // 0xe0 and 0xe8 are two windows onto one register.
  return (data_.load(std::memory_order_relaxed) & lane_mask(port, size)) >> (8 * (port & 3));
}

void PcTestdev::io_write(uint16_t port, unsigned size, uint32_t value) {
  if (port >= kIrqPortBase) {
    irq_.set_irq(port - kIrqPortBase, value != 0);
    return;
  }
  if ((port & ~3u) == kFlushPagePort) {
    // QEMU accepts only 32-bit writes here.
    if (port == kFlushPagePort && size == 4) flush_page(value);
    return;
  }
  uint32_t mask = lane_mask(port, size);
  uint32_t bits = (value << (8 * (port & 3))) & mask;
  uint32_t old = data_.load(std::memory_order_relaxed);
  while (!data_.compare_exchange_weak(old, (old & ~mask) | bits, std::memory_order_relaxed)) {
  }
}

uint64_t PcTestdev::mmio_read(uint64_t addr, unsigned size) {
  uint64_t offset = addr - kMmioBase;
  uint64_t value = 0;
  std::lock_guard lock(scratch_mutex_);
  std::memcpy(&value, &scratch_[offset], std::min<uint64_t>(size, kMmioSize - offset));
  return value;
}

void PcTestdev::mmio_write(uint64_t addr, unsigned size, uint64_t value) {
  uint64_t offset = addr - kMmioBase;
  std::lock_guard lock(scratch_mutex_);
  std::memcpy(&scratch_[offset], &value, std::min<uint64_t>(size, kMmioSize - offset));
}

// Revoking and restoring access to the host page leaves its contents alone
// but makes the kernel invalidate every secondary mapping of it (KVM's
// EPT/shadow entries via MMU notifiers), as QEMU's pc-testdev does.
void PcTestdev::flush_page(uint64_t gpa) {
  uint64_t page = gpa & ~(kPageSize - 1);
  uint8_t* host = mem_.host_ptr(page, kPageSize);
  if (!host) {
    log_warn_once("pc-testdev-flush", page, "pc-testdev: flush of guest-physical page {:#x}, which is not RAM; ignored",
                  page);
    return;
  }
  if (mprotect(host, kPageSize, PROT_NONE) != 0 || mprotect(host, kPageSize, PROT_READ | PROT_WRITE) != 0)
    log_warn_once("pc-testdev-mprotect", page, "pc-testdev: cannot flush page {:#x}: {}", page, std::strerror(errno));
}

}  // namespace nv
