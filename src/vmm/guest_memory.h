// Guest RAM: one anonymous mapping, shown to the guest as up to two slots
// (below the PCI hole and above 4 GiB, see memory_layout.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace nv {

struct RamSlot {
  uint64_t gpa;        // guest-physical base
  uint64_t size;       // bytes
  uint64_t host_offset;  // offset into the host mapping
};

class GuestMemory {
 public:
  // Maps `size` bytes of RAM (page-aligned). Throws nv::Error with the host
  // error when the host cannot provide it.
  explicit GuestMemory(uint64_t size);
  ~GuestMemory();
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

  uint64_t size() const { return size_; }
  const std::vector<RamSlot>& slots() const { return slots_; }
  uint8_t* host_base() const { return base_; }

  // Host pointer for [gpa, gpa+len) when it lies wholly inside one RAM slot,
  // nullptr otherwise (MMIO, holes, beyond RAM, wrap-around).
  uint8_t* host_ptr(uint64_t gpa, uint64_t len) const;
  bool is_ram(uint64_t gpa, uint64_t len) const { return host_ptr(gpa, len) != nullptr; }

  // Copies that throw nv::Error naming the range when it is not RAM.
  void write(uint64_t gpa, const void* data, uint64_t len);
  void read(uint64_t gpa, void* data, uint64_t len) const;
  void fill(uint64_t gpa, uint8_t byte, uint64_t len);

  template <typename T>
  void write_obj(uint64_t gpa, const T& obj) { write(gpa, &obj, sizeof(T)); }
  template <typename T>
  T read_obj(uint64_t gpa) const {
    T obj;
    read(gpa, &obj, sizeof(T));
    return obj;
  }

  // Zeroes all RAM (machine reset).
  void clear();

  // Top of RAM below 4 GiB (end of the first slot).
  uint64_t below_4g_end() const { return slots_.front().gpa + slots_.front().size; }

 private:
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  std::vector<RamSlot> slots_;
};

}  // namespace nv
