#include "mmu/soft_tlb.h"

namespace nv {

SoftTlb::SoftTlb() : entries_(kEntries), listed_(kEntries, 0) { used_.reserve(kEntries); }

template <typename Pred>
void SoftTlb::drop_if(Pred pred) {
  ++counters_.flushes;
  size_t kept = 0;
  for (uint32_t slot : used_) {
    TlbEntry& e = entries_[slot];
    if (e.vpn != TlbEntry::kEmpty && pred(e)) e.vpn = TlbEntry::kEmpty;
    if (e.vpn != TlbEntry::kEmpty) {
      used_[kept++] = slot;
    } else {
      listed_[slot] = 0;
    }
  }
  used_.resize(kept);
}

void SoftTlb::fill(uint64_t gva, Asid asid, const Translation& t, uint16_t pk_mask, uint8_t* host_page) {
  ++counters_.fills;
  uint64_t vpn = gva >> 12;
  Asid tag = t.global ? global_asid(asid) : asid;
  const unsigned index = slot(vpn, tag);
  if (!listed_[index]) {
    listed_[index] = 1;
    used_.push_back(index);
  }
  TlbEntry& e = entries_[index];
  e.vpn = vpn;
  e.host_page = host_page;
  e.gpa_page = t.gpa & ~0xfffull;
  e.asid = tag;
  e.pk_mask = pk_mask;
  e.rights = t.rights;
  e.page_shift = t.page_shift;
  has_large_ |= t.page_shift > 12;
}

void SoftTlb::flush_all() {
  drop_if([](const TlbEntry&) { return true; });
  has_large_ = false;
}

void SoftTlb::flush_space(uint32_t space) {
  drop_if([space](const TlbEntry& e) { return asid::space_of(e.asid) == space; });
}

void SoftTlb::flush_space_non_global(uint32_t space) {
  drop_if([space](const TlbEntry& e) {
    return asid::space_of(e.asid) == space && asid::pcid_of(e.asid) != asid::kGlobalPcid;
  });
}

void SoftTlb::flush_pcid(Asid a) {
  drop_if([a](const TlbEntry& e) { return e.asid == a; });
}

void SoftTlb::flush_page(uint64_t gva, Asid a) {
  uint64_t vpn = gva >> 12;
  Asid global = global_asid(a);
  if (!has_large_) {
    ++counters_.flushes;
    for (Asid tag : {a, global}) {
      TlbEntry& e = entries_[slot(vpn, tag)];
      if (e.vpn == vpn && e.asid == tag) e.vpn = TlbEntry::kEmpty;
    }
    return;
  }
  // The other fragments of a large page containing `gva` sit in other slots.
  drop_if([vpn, a, global](const TlbEntry& e) {
    return (e.asid == a || e.asid == global) && ((e.vpn ^ vpn) >> (e.page_shift - 12)) == 0;
  });
}

void SoftTlb::flush_page_all_pcids(uint64_t gva, uint32_t space) {
  uint64_t vpn = gva >> 12;
  drop_if([vpn, space](const TlbEntry& e) {
    return asid::space_of(e.asid) == space && ((e.vpn ^ vpn) >> (e.page_shift - 12)) == 0;
  });
}

void SoftTlb::invalidate_gpa_page(uint64_t gpa) {
  uint64_t page = gpa & ~0xfffull;
  drop_if([page](const TlbEntry& e) { return e.gpa_page == page; });
}

}  // namespace nv
