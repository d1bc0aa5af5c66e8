// The interface every device model implements. Devices never include engine
// headers: an engine turns its exits into calls on the I/O and MMIO buses
// (vmm/bus.h), which call these methods with absolute addresses.
//
// Calls may come concurrently from several vCPU threads; a device with
// mutable state guards it itself.
#pragma once

#include <cstdint>
#include <string_view>

namespace nv {

class Device {
 public:
  virtual ~Device() = default;

  // The name QEMU prints for the device (`-device help`), or a descriptive
  // name for built-in platform devices.
  virtual std::string_view name() const = 0;

  // Port I/O; size is 1, 2 or 4. Unhandled reads float high as on a PC bus.
  virtual uint32_t io_read(uint16_t port, unsigned size) {
    (void)port;
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  }
  virtual void io_write(uint16_t port, unsigned size, uint32_t value) {
    (void)port, (void)size, (void)value;
  }

  // Memory-mapped I/O; size is 1, 2, 4 or 8.
  virtual uint64_t mmio_read(uint64_t addr, unsigned size) {
    (void)addr;
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
  }
  virtual void mmio_write(uint64_t addr, unsigned size, uint64_t value) {
    (void)addr, (void)size, (void)value;
  }
};

// Mask with the low `size` bytes set (size 1..8).
constexpr uint64_t size_mask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

}  // namespace nv
