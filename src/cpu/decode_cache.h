// Decoded instructions cached per guest-physical 4 KiB code page and CPU
// mode, shared by every vCPU of an EmuEngine (they run on one host thread).
// A CPU write over bytes of cached instructions drops that page's entries,
// so self-modifying and freshly loaded code is always re-decoded; writes to
// other bytes of a code page (data next to code, common in real-mode code)
// keep them. The dropped
// pages stay allocated until release_retired(): the instruction that wrote
// its own page is still executing from them.
#pragma once

#include "cpu/decoded_insn.h"
#include "cpu/vcpu_state.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

namespace nv {

struct CodePage {
  // Page offset -> its decoded instruction, nullptr when not decoded yet: one
  // load per lookup on the fetch fast path (Cpu::fetch).
  const DecodedInsn* slot[4096] = {};
  uint64_t covered[64] = {};  // bytes of the page that cached instructions were decoded from
  std::deque<DecodedInsn> insns;  // deque: elements stay where they are as it grows

  const DecodedInsn* at(unsigned offset) const { return slot[offset]; }
  const DecodedInsn& add(unsigned offset, const DecodedInsn& insn) {
    insns.push_back(insn);
    slot[offset] = &insns.back();
    for (unsigned b = offset; b < offset + insn.length && b < 4096; ++b) covered[b / 64] |= 1ull << (b % 64);
    return insns.back();
  }
  bool overlaps(unsigned offset, unsigned len) const {
    for (unsigned b = offset; b < offset + len && b < 4096; ++b)
      if ((covered[b / 64] >> (b % 64)) & 1) return true;
    return false;
  }
};

class DecodeCache {
 public:
  // `phys_limit`: end of the highest RAM byte; only RAM pages are cached.
  explicit DecodeCache(uint64_t phys_limit);

  // The page for (gpa's page, mode), created empty on first use; nullptr when
  // gpa is beyond phys_limit (code run from MMIO is decoded every time).
  CodePage* page(uint64_t gpa, CpuMode mode);

  // Whether the 4 KiB page holding gpa has cached code: the CPU's own memory
  // writes check this before invalidate_code_page.
  bool has_code(uint64_t gpa) const {
    uint64_t pfn = gpa >> 12;
    return pfn < pages_ && (bitmap_[pfn >> 6] >> (pfn & 63)) & 1;
  }
  // Drops every mode's entries for the page holding gpa (device DMA, the
  // pc-testdev flush port). Bumps generation().
  void invalidate_code_page(uint64_t gpa);
  // A CPU write of `len` bytes at gpa (within one page) to a page with code:
  // drops the modes' entries whose instructions it overwrites.
  void write_to_code_page(uint64_t gpa, unsigned len);
  // Drops everything (machine reset).
  void clear();
  uint64_t ignored_write_count() const { return ignored_writes_; }

  // Changes whenever a page is dropped; a vCPU holding a CodePage* compares
  // it before using the pointer again.
  uint64_t generation() const { return generation_; }
  // Frees pages dropped since the last call; only between instructions.
  void release_retired() { retired_.clear(); }

  uint64_t decoded_count() const { return decoded_; }
  void count_decoded() { ++decoded_; }
  uint64_t invalidation_count() const { return invalidations_; }

 private:
  static uint64_t key(uint64_t pfn, CpuMode mode) { return pfn * kCpuModeCount + static_cast<uint64_t>(mode); }

  uint64_t pages_;
  std::vector<uint64_t> bitmap_;
  std::unordered_map<uint64_t, std::unique_ptr<CodePage>> map_;
  std::vector<std::unique_ptr<CodePage>> retired_;
  uint64_t generation_ = 0;
  uint64_t decoded_ = 0;
  uint64_t invalidations_ = 0;
  uint64_t ignored_writes_ = 0;
};

}  // namespace nv
