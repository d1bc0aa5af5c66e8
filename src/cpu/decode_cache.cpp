#include "cpu/decode_cache.h"

#include <algorithm>

namespace nv {

DecodeCache::DecodeCache(uint64_t phys_limit) : pages_(phys_limit >> 12), bitmap_((pages_ + 63) / 64, 0) {}

CodePage* DecodeCache::page(uint64_t gpa, CpuMode mode) {
  uint64_t pfn = gpa >> 12;
  if (pfn >= pages_) return nullptr;
  std::unique_ptr<CodePage>& p = map_[key(pfn, mode)];
  if (!p) {
    p = std::make_unique<CodePage>();
    bitmap_[pfn >> 6] |= 1ull << (pfn & 63);
  }
  return p.get();
}

void DecodeCache::invalidate_code_page(uint64_t gpa) {
  uint64_t pfn = gpa >> 12;
  if (!has_code(gpa)) return;
  for (unsigned m = 0; m < kCpuModeCount; ++m) {
    auto it = map_.find(key(pfn, static_cast<CpuMode>(m)));
    if (it == map_.end()) continue;
    retired_.push_back(std::move(it->second));
    map_.erase(it);
  }
  bitmap_[pfn >> 6] &= ~(1ull << (pfn & 63));
  ++generation_;
  ++invalidations_;
}

void DecodeCache::write_to_code_page(uint64_t gpa, unsigned len) {
  uint64_t pfn = gpa >> 12;
  unsigned offset = gpa & 0xfff;
  bool dropped = false, kept = false;
  for (unsigned m = 0; m < kCpuModeCount; ++m) {
    auto it = map_.find(key(pfn, static_cast<CpuMode>(m)));
    if (it == map_.end()) continue;
    if (!it->second->overlaps(offset, len)) {
      kept = true;
      continue;
    }
    retired_.push_back(std::move(it->second));
    map_.erase(it);
    dropped = true;
  }
  if (!dropped) {
    ++ignored_writes_;
    return;
  }
  if (!kept) bitmap_[pfn >> 6] &= ~(1ull << (pfn & 63));
  ++generation_;
  ++invalidations_;
}

void DecodeCache::clear() {
  for (auto& [k, p] : map_) retired_.push_back(std::move(p));
  map_.clear();
  std::fill(bitmap_.begin(), bitmap_.end(), 0);
  ++generation_;
}

}  // namespace nv
