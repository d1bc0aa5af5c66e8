// The fast path in front of the software TLB for data accesses to RAM, in the
// shape of QEMU's softmmu TLB: for reads and for writes, a direct-mapped table
// from (linear page, privilege class) to the host address and guest-physical
// address of the page. An entry is made only from a translation that has just
// passed the TLB's or the walker's rights check for exactly that access class,
// so a hit needs no check of its own; the Mmu empties the cache on every change
// that could make a check come out differently (TLB invalidations, paging-mode
// role, CR3/PCID, PKRU, VMX transitions).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "mmu/access_type.h"

namespace nv {

class HostPageCache {
 public:
  static constexpr unsigned kEntries = 256;

  struct Entry {
    uint64_t tag = 0;  // linear page | privilege class << 1 | 1; 0 when empty
    uint8_t* host_page = nullptr;
    uint64_t gpa_page = 0;
    uint64_t unused = 0;  // keeps entries at 32 bytes: two per cache line
  };

  // The entry for an access of `kind` (read or write) at `lin` with
  // `privilege`, or nullptr. The access must stay within the page.
  const Entry* find(uint64_t lin, AccessType access) const {
    const Entry& e = table(access.kind)[index(lin)];
    return e.tag == tag(lin, access.privilege) ? &e : nullptr;
  }
  // After `access` at `lin` was found permitted on the RAM page at host_page /
  // gpa_page. Fetches have their own cache (the decode cache's fetch page).
  void fill(uint64_t lin, AccessType access, uint8_t* host_page, uint64_t gpa_page) {
    if (access.kind == AccessKind::execute) return;
    table(access.kind)[index(lin)] = {tag(lin, access.privilege), host_page, gpa_page, 0};
  }
  // Drops the entries of the 4 KiB page holding `lin` (both kinds, every privilege).
  void drop(uint64_t lin) {
    for (std::array<Entry, kEntries>* t : {&reads_, &writes_}) {
      Entry& e = (*t)[index(lin)];
      if ((e.tag & ~0xfffull) == (lin & ~0xfffull)) e = Entry{};
    }
  }
  void clear() {
    reads_.fill(Entry{});
    writes_.fill(Entry{});
  }

 private:
  // Tags have bit 0 set, so the empty tag 0 never matches.
  static uint64_t tag(uint64_t lin, Privilege p) { return (lin & ~0xfffull) | (static_cast<uint64_t>(p) << 1) | 1; }
  static unsigned index(uint64_t lin) { return static_cast<unsigned>(lin >> 12) % kEntries; }
  std::array<Entry, kEntries>& table(AccessKind k) { return k == AccessKind::write ? writes_ : reads_; }
  const std::array<Entry, kEntries>& table(AccessKind k) const { return k == AccessKind::write ? writes_ : reads_; }

  std::array<Entry, kEntries> reads_{};
  std::array<Entry, kEntries> writes_{};
};

}  // namespace nv
