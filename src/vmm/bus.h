// Address-range dispatch for port I/O and MMIO. Ranges are registered at
// machine construction (and when a PCI BAR moves); lookups happen on every
// I/O exit, so they are a binary search over a sorted vector.
#pragma once

#include "devices/device.h"

#include <cstdint>
#include <shared_mutex>
#include <string_view>
#include <vector>

namespace nv {

class Bus {
 public:
  enum class Kind { io, mmio };
  explicit Bus(Kind kind) : kind_(kind) {}

  // Registers [base, base+length) for `device`; an overlap with an existing
  // range is a programming error and throws nv::Error naming both devices.
  void add(uint64_t base, uint64_t length, Device* device);
  // Removes the range that starts at `base` and belongs to `device` (no-op
  // when there is none).
  void remove(uint64_t base, Device* device);

  // Dispatches an access; returns false when no device claims the address.
  // Unclaimed accesses are logged once per address by the caller's policy
  // (read_or_float / write_or_drop below).
  bool read(uint64_t addr, unsigned size, uint64_t& value) const;
  bool write(uint64_t addr, unsigned size, uint64_t value) const;

  // Accesses as the guest sees them: an unclaimed read returns all ones and
  // an unclaimed write is dropped, each logged once per address.
  uint64_t read_or_float(uint64_t addr, unsigned size) const;
  void write_or_drop(uint64_t addr, unsigned size, uint64_t value) const;

  Device* find(uint64_t addr) const;

 private:
  struct Range {
    uint64_t base;
    uint64_t length;
    Device* device;
  };
  const Range* lookup(uint64_t addr) const;

  Kind kind_;
  mutable std::shared_mutex mutex_;
  std::vector<Range> ranges_;  // sorted by base, non-overlapping
};

}  // namespace nv
