#include "vmm/bus.h"

#include "util/error.h"
#include "util/log.h"

#include <algorithm>
#include <mutex>

namespace nv {

void Bus::add(uint64_t base, uint64_t length, Device* device) {
  if (length == 0) fail("{}: empty {} range at {:#x}", device->name(), kind_ == Kind::io ? "I/O" : "MMIO", base);
  std::unique_lock lock(mutex_);
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), base,
                             [](uint64_t b, const Range& r) { return b < r.base; });
  auto overlaps = [&](const Range& r) { return base < r.base + r.length && r.base < base + length; };
  if (it != ranges_.end() && overlaps(*it))
    fail("{} range {:#x}+{:#x} of {} overlaps {}", kind_ == Kind::io ? "I/O" : "MMIO", base, length, device->name(),
         it->device->name());
  if (it != ranges_.begin() && overlaps(*std::prev(it)))
    fail("{} range {:#x}+{:#x} of {} overlaps {}", kind_ == Kind::io ? "I/O" : "MMIO", base, length, device->name(),
         std::prev(it)->device->name());
  ranges_.insert(it, Range{base, length, device});
}

void Bus::remove(uint64_t base, Device* device) {
  std::unique_lock lock(mutex_);
  std::erase_if(ranges_, [&](const Range& r) { return r.base == base && r.device == device; });
}

const Bus::Range* Bus::lookup(uint64_t addr) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), addr,
                             [](uint64_t a, const Range& r) { return a < r.base; });
  if (it == ranges_.begin()) return nullptr;
  --it;
  return addr - it->base < it->length ? &*it : nullptr;
}

Device* Bus::find(uint64_t addr) const {
  std::shared_lock lock(mutex_);
  const Range* r = lookup(addr);
  return r ? r->device : nullptr;
}

bool Bus::read(uint64_t addr, unsigned size, uint64_t& value) const {
  Device* d = find(addr);
  if (!d) return false;
  value = kind_ == Kind::io ? d->io_read(static_cast<uint16_t>(addr), size) : d->mmio_read(addr, size);
  value &= size_mask(size);
  return true;
}

bool Bus::write(uint64_t addr, unsigned size, uint64_t value) const {
  Device* d = find(addr);
  if (!d) return false;
  value &= size_mask(size);
  if (kind_ == Kind::io)
    d->io_write(static_cast<uint16_t>(addr), size, static_cast<uint32_t>(value));
  else
    d->mmio_write(addr, size, value);
  return true;
}

uint64_t Bus::read_or_float(uint64_t addr, unsigned size) const {
  uint64_t value;
  if (read(addr, size, value)) return value;
  log_warn_once(kind_ == Kind::io ? "io-read" : "mmio-read", addr, "guest read of unassigned {} address {:#x} (size {}); returning all ones",
                kind_ == Kind::io ? "I/O" : "MMIO", addr, size);
  return size_mask(size);
}

void Bus::write_or_drop(uint64_t addr, unsigned size, uint64_t value) const {
  if (write(addr, size, value)) return;
  log_warn_once(kind_ == Kind::io ? "io-write" : "mmio-write", addr,
                "guest write of {:#x} to unassigned {} address {:#x} (size {}); ignored", value,
                kind_ == Kind::io ? "I/O" : "MMIO", addr, size);
}

}  // namespace nv
