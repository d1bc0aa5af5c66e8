#include "vmm/guest_memory.h"

#include "util/error.h"
#include "vmm/memory_layout.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nv {

GuestMemory::GuestMemory(uint64_t size) : size_(size) {
  if (size == 0 || size % 4096 != 0) fail("guest RAM size {:#x} must be a non-zero multiple of 4 KiB", size);
  // Untouched guest pages cost nothing, but a guest that touches all of its
  // RAM must not be killed by the OOM killer halfway through a test: refuse
  // more than the host has, up front.
  uint64_t host_ram = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (size > host_ram)
    fail("guest RAM of {} MiB exceeds the host's {} MiB of physical memory", size / layout::kMiB,
         host_ram / layout::kMiB);
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    fail("cannot allocate {} MiB of guest RAM: {}", size / layout::kMiB, std::strerror(errno));
  base_ = static_cast<uint8_t*>(p);
  madvise(base_, size, MADV_MERGEABLE);
  uint64_t low = size < layout::kBelow4gRamLimit ? size : layout::kBelow4gRamLimit;
  slots_.push_back(RamSlot{0, low, 0});
  if (size > low) slots_.push_back(RamSlot{layout::kAbove4gBase, size - low, low});
}

GuestMemory::~GuestMemory() {
  if (base_) munmap(base_, size_);
}

uint8_t* GuestMemory::host_ptr(uint64_t gpa, uint64_t len) const {
  for (const RamSlot& s : slots_) {
    if (gpa >= s.gpa && gpa - s.gpa <= s.size && len <= s.size - (gpa - s.gpa)) return base_ + s.host_offset + (gpa - s.gpa);
  }
  return nullptr;
}

void GuestMemory::write(uint64_t gpa, const void* data, uint64_t len) {
  uint8_t* p = host_ptr(gpa, len);
  if (!p) fail("guest-physical range {:#x}-{:#x} is not RAM", gpa, gpa + len);
  if (len != 0) std::memcpy(p, data, len);  // an empty copy may come with a null `data`
}

void GuestMemory::read(uint64_t gpa, void* data, uint64_t len) const {
  const uint8_t* p = host_ptr(gpa, len);
  if (!p) fail("guest-physical range {:#x}-{:#x} is not RAM", gpa, gpa + len);
  if (len != 0) std::memcpy(data, p, len);
}

void GuestMemory::fill(uint64_t gpa, uint8_t byte, uint64_t len) {
  uint8_t* p = host_ptr(gpa, len);
  if (!p) fail("guest-physical range {:#x}-{:#x} is not RAM", gpa, gpa + len);
  std::memset(p, byte, len);
}

void GuestMemory::clear() {
  // Dropping the pages is cheaper than writing zeroes and returns the memory.
  madvise(base_, size_, MADV_DONTNEED);
}

}  // namespace nv
