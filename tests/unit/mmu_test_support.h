// Builds guest page tables in a GuestMemory for the MMU tests.
#pragma once

#include <cstdint>

#include "mmu/paging_state.h"
#include "vmm/guest_memory.h"

namespace nv::mmu_test {

inline constexpr uint64_t kP = 1, kRW = 2, kUS = 4, kA = 1 << 5, kD = 1 << 6, kPS = 1 << 7, kG = 1 << 8,
                          kXD = 1ull << 63;

inline uint64_t pkey_bits(unsigned key) { return static_cast<uint64_t>(key) << 59; }

// A PagingState for `mode` with CR0.WP and (for PAE and above) EFER.NXE set.
inline PagingState state_for(PagingMode mode, uint64_t cr3) {
  PagingState s;
  s.cr3 = cr3;
  s.maxphyaddr = 40;
  if (mode == PagingMode::none) return s;
  s.cr0 = cr0::kPG | cr0::kWP | 1;
  if (mode == PagingMode::bits32) {
    s.cr4 = cr4::kPSE;
    return s;
  }
  s.cr4 = cr4::kPAE;
  s.efer = efer::kNXE;
  if (mode == PagingMode::pae) return s;
  s.efer |= efer::kLME | efer::kLMA;
  if (mode == PagingMode::level5) s.cr4 |= cr4::kLA57;
  return s;
}

class PageTables {
 public:
  // Tables are allocated from `first_table` upwards, zeroed.
  PageTables(GuestMemory& mem, PagingMode mode, uint64_t first_table = 0x100000)
      : mem_(mem), mode_(mode), next_(first_table) {
    root_ = alloc(mode == PagingMode::pae ? 32 : 4096);
  }

  uint64_t root() const { return root_; }
  unsigned top_level() const {
    switch (mode_) {
      case PagingMode::bits32:
      case PagingMode::none:
        return 2;
      case PagingMode::pae:
        return 3;
      case PagingMode::level4:
        return 4;
      case PagingMode::level5:
        return 5;
    }
    return 0;
  }

  // Maps the page of size 1 << `shift` at `gva` to `gpa`. Missing tables are
  // created with `table_flags` (PAE PDPTEs get only P).
  void map(uint64_t gva, uint64_t gpa, uint64_t leaf_flags, unsigned shift = 12,
           uint64_t table_flags = kP | kRW | kUS) {
    uint64_t table = root_;
    for (unsigned level = top_level();; --level) {
      uint64_t at = entry_gpa_in(table, gva, level);
      if (level_shift(level) == shift) {
        uint64_t e = gpa | leaf_flags | (level > 1 ? kPS : 0);
        if (!wide() && level == 2) e = (gpa & 0xffc00000) | ((gpa >> 32) & 0xff) << 13 | leaf_flags | kPS;  // PSE-36
        write(at, e);
        return;
      }
      uint64_t e = read(at);
      if (!(e & kP)) {
        uint64_t t = alloc(4096);
        e = t | (mode_ == PagingMode::pae && level == 3 ? kP : table_flags);
        write(at, e);
      }
      table = e & 0xffffffffff000ull;
    }
  }

  // Guest-physical address of the entry at `level` that translates `gva`.
  uint64_t entry_gpa(uint64_t gva, unsigned level) const {
    uint64_t table = root_;
    for (unsigned l = top_level(); l > level; --l) table = read(entry_gpa_in(table, gva, l)) & 0xffffffffff000ull;
    return entry_gpa_in(table, gva, level);
  }
  uint64_t entry(uint64_t gva, unsigned level) const { return read(entry_gpa(gva, level)); }
  void set_entry(uint64_t gva, unsigned level, uint64_t value) { write(entry_gpa(gva, level), value); }

 private:
  bool wide() const { return mode_ != PagingMode::bits32; }
  unsigned level_shift(unsigned level) const { return 12 + (wide() ? 9 : 10) * (level - 1); }
  uint64_t entry_gpa_in(uint64_t table, uint64_t gva, unsigned level) const {
    if (mode_ == PagingMode::pae && level == 3) return table + ((gva >> 30) & 3) * 8;
    unsigned bits = wide() ? 9 : 10;
    return table + ((gva >> level_shift(level)) & ((1u << bits) - 1)) * (wide() ? 8 : 4);
  }
  uint64_t read(uint64_t gpa) const { return wide() ? mem_.read_obj<uint64_t>(gpa) : mem_.read_obj<uint32_t>(gpa); }
  void write(uint64_t gpa, uint64_t v) {
    if (wide())
      mem_.write_obj<uint64_t>(gpa, v);
    else
      mem_.write_obj<uint32_t>(gpa, static_cast<uint32_t>(v));
  }
  uint64_t alloc(uint64_t size) {
    uint64_t t = next_;
    next_ += 4096;
    mem_.fill(t, 0, size);
    return t;
  }

  GuestMemory& mem_;
  PagingMode mode_;
  uint64_t next_;
  uint64_t root_;
};

}  // namespace nv::mmu_test
