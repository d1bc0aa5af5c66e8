// Per-vCPU software TLB (§4.10): direct-mapped by virtual page number, each
// entry a 4 KiB fragment of a translation (large pages are entered one 4 KiB
// piece at a time), tagged by address space. A hit yields the host pointer of
// the RAM page, or the guest-physical page for MMIO. It is large (32768
// entries, 128 MiB of 4 KiB pages: a guest sweeping 100 MB, such as
// kvm-unit-tests' sieve, stays in it), and flushes cost what is in it, not its
// size: they visit only the slots filled since the last flush.
#pragma once

#include <cstdint>
#include <vector>

#include "mmu/access_rules.h"
#include "mmu/access_type.h"
#include "mmu/page_walker.h"

namespace nv {

// Address-space id: an L1/L2 "space" (the VPID dimension of §28.3.3 in
// Vol. 3C) and a PCID (§4.10.1). Global translations are entered with the
// PCID kGlobalPcid so that they match every PCID of their space (§4.10.2.4).
using Asid = uint32_t;
namespace asid {
inline constexpr uint32_t kL1Space = 0;
constexpr uint32_t l2_space(uint16_t vpid) { return 0x10000u | vpid; }
inline constexpr uint16_t kGlobalPcid = 0x1000;
constexpr Asid make(uint32_t space, uint16_t pcid) { return space << 13 | pcid; }
constexpr uint32_t space_of(Asid a) { return a >> 13; }
constexpr uint16_t pcid_of(Asid a) { return static_cast<uint16_t>(a & 0x1fff); }
}  // namespace asid

struct TlbEntry {
  static constexpr uint64_t kEmpty = ~0ull;  // never a page number: gva >> 12 has at most 52 bits

  uint64_t vpn = kEmpty;
  uint8_t* host_page = nullptr;  // RAM: host address of the 4 KiB page; nullptr: MMIO
  uint64_t gpa_page = 0;         // guest-physical address of the 4 KiB page
  Asid asid = 0;
  uint16_t pk_mask = 0;     // Translation::pk_mask
  uint8_t rights = 0;       // page_rights bits
  uint8_t page_shift = 12;  // size of the guest page this fragment belongs to (INVLPG drops all of it)

  uint8_t* host(uint64_t gva) const { return host_page ? host_page + (gva & 0xfff) : nullptr; }
  uint64_t gpa(uint64_t gva) const { return gpa_page | (gva & 0xfff); }
};
static_assert(sizeof(TlbEntry) == 32, "two entries per cache line");

class SoftTlb {
 public:
  static constexpr unsigned kEntries = 32768;

  SoftTlb();

  struct Counters {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t fills = 0;
    uint64_t flushes = 0;
  };

  // Fast path: the entry for `gva` when it was filled for `asid` (or is
  // global in its space) and its rights allow `access` under `rules`.
  const TlbEntry* lookup(uint64_t gva, AccessType access, Asid asid, const AccessRules& rules) {
    uint64_t vpn = gva >> 12;
    const TlbEntry* e = &entries_[slot(vpn, asid)];
    if (e->vpn != vpn || (e->asid != asid && e->asid != global_asid(asid))) {
      // Global entries sit in the PCID-0 slot of their space: a second probe
      // only for other PCIDs.
      e = &entries_[slot(vpn, global_asid(asid))];
      if (asid::pcid_of(asid) == 0 || e->vpn != vpn || e->asid != global_asid(asid)) e = nullptr;
    }
    if (e && rules.permits(access, e->rights) && !rules.pk_denies(access, e->pk_mask)) {
      ++counters_.hits;
      return e;
    }
    ++counters_.misses;
    return nullptr;
  }

  // Enters the 4 KiB fragment of `t` that contains `gva`. `host_page` is the
  // host address of that fragment's RAM page, nullptr for MMIO.
  void fill(uint64_t gva, Asid asid, const Translation& t, uint16_t pk_mask, uint8_t* host_page);

  // Everything (machine reset, host-side changes).
  void flush_all();
  // Every entry of a space, global ones included: MOV to CR0/CR4 (§4.10.4.1),
  // INVPCID type 2, INVVPID.
  void flush_space(uint32_t space);
  // Every non-global entry of a space: INVPCID type 3.
  void flush_space_non_global(uint32_t space);
  // Non-global entries of one PCID: MOV to CR3 (§4.10.4.1), INVPCID type 1.
  void flush_pcid(Asid asid);
  // The page containing `gva`, whatever its size, for `asid` and the global
  // entry of its space: INVLPG (§4.10.4.1) and INVPCID type 0, which may
  // drop the global entry too. Other PCIDs keep theirs, as §4.10.4.1 allows.
  void flush_page(uint64_t gva, Asid asid);
  // The page containing `gva` for every PCID of a space, globals included:
  // INVVPID type 0 (Vol. 3C §31.3, "INVVPID"). Scans the TLB.
  void flush_page_all_pcids(uint64_t gva, uint32_t space);
  // Drops every entry that maps the 4 KiB guest-physical page holding `gpa`
  // (a GuestMemory address), in every space: the hook for writes that change
  // what a mapping may cache (decode cache, pc-testdev's flush-page port).
  void invalidate_gpa_page(uint64_t gpa);

  const Counters& counters() const { return counters_; }
  // Some entry is a fragment of a large page (an INVLPG may then cover others).
  bool has_large_pages() const { return has_large_; }

 private:
  static constexpr Asid global_asid(Asid a) { return asid::make(asid::space_of(a), asid::kGlobalPcid); }
  // Direct-mapped by page number, with the address space hashed in so that
  // the same page of two PCIDs or spaces need not evict each other. Global
  // entries hash as PCID 0: with CR4.PCIDE = 0 one probe finds everything.
  static unsigned slot(uint64_t vpn, Asid a) {
    uint64_t key = asid::pcid_of(a) == asid::kGlobalPcid ? asid::make(asid::space_of(a), 0) : a;
    return static_cast<unsigned>((vpn ^ ((key * 0x9e3779b97f4a7c15ull) >> 32)) % kEntries);
  }
  template <typename Pred>
  void drop_if(Pred pred);

  std::vector<TlbEntry> entries_;
  // The slots filled since they were last dropped by drop_if (some may have
  // been emptied by flush_page since), each once: `listed_` marks them.
  std::vector<uint32_t> used_;
  std::vector<uint8_t> listed_;
  bool has_large_ = false;  // some entry is a fragment of a large page: INVLPG must scan
  Counters counters_;
};

}  // namespace nv
