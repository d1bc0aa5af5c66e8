#include "mmu/page_walker.h"

#include <atomic>

#include "util/log.h"

namespace nv {
namespace {

// Paging-structure entry bits (§4.3 to §4.5, Tables 4-4 to 4-20).
constexpr uint64_t kP = 1ull << 0, kRW = 1ull << 1, kUS = 1ull << 2, kA = 1ull << 5, kD = 1ull << 6, kPS = 1ull << 7,
                   kG = 1ull << 8, kXD = 1ull << 63;

constexpr uint64_t bit_range(unsigned hi, unsigned lo) { return hi < lo ? 0 : (~0ull >> (63 - hi)) & (~0ull << lo); }

struct UsedEntry {
  uint8_t* host;
  uint64_t value;
};

// Entries are naturally aligned in RAM (tables are page- or 32-byte-aligned
// and GuestMemory's mapping is page-aligned), as std::atomic_ref requires.
uint64_t load_entry(uint8_t* p, bool wide) {
  if (wide) return std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(p)).load(std::memory_order_relaxed);
  return std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(p)).load(std::memory_order_relaxed);
}

// §4.8: the processor sets A and D with a locked update of the entry. A
// failed exchange means another vCPU changed the entry: the walk restarts.
bool set_bits(uint8_t* p, bool wide, uint64_t expected, uint64_t bits) {
  if (wide) {
    uint64_t e = expected;
    return std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(p)).compare_exchange_strong(e, expected | bits);
  }
  uint32_t e = static_cast<uint32_t>(expected);
  return std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(p))
      .compare_exchange_strong(e, static_cast<uint32_t>(expected | bits));
}

// §4.7: W/R, U/S and I/D describe the access, whatever the cause of the fault.
uint32_t access_error_bits(AccessType a, const PagingState& s) {
  uint32_t ec = 0;
  if (a.is_write()) ec |= pf_error::kWrite;
  if (a.is_user()) ec |= pf_error::kUser;
  // I/D is reported only when SMEP is on or XD exists (CR4.PAE = 1 and EFER.NXE = 1).
  if (a.is_fetch() && (s.smep() || (s.pae() && s.nxe()))) ec |= pf_error::kFetch;
  return ec;
}

}  // namespace

uint8_t* PageWalker::entry_pointer(uint64_t gpa, unsigned size, bool& refused) const {
  if (translator_ && !translator_->translate(gpa, AccessKind::read, true, gpa)) {
    refused = true;
    return nullptr;
  }
  return memory_.host_ptr(gpa, size);
}

WalkResult PageWalker::translate(uint64_t gva, AccessType access, const PagingRole& role) const {
  WalkResult result;
  if (role.mode == PagingMode::none) {
    // §4.1.1: without paging, linear addresses are physical addresses.
    Translation& t = result.translation;
    t.gpa = gva & 0xffffffff;
    t.rights = page_rights::kAll;
    if (translator_ && !translator_->translate(t.gpa, access.kind, false, t.gpa)) result.status = WalkStatus::gpa_fault;
    return result;
  }
  if (!is_ia32e(role.mode)) gva &= 0xffffffff;
  while (walk(gva, access, role, result) == Step::retry) {
  }
  return result;
}

PageWalker::Step PageWalker::walk(uint64_t gva, AccessType access, const PagingRole& role, WalkResult& result) const {
  const PagingState& s = role.state;
  auto page_fault = [&](uint32_t bits) {
    result.status = WalkStatus::page_fault;
    result.fault = {gva, bits | access_error_bits(access, s)};
    return Step::done;
  };

  const unsigned m = s.maxphyaddr;
  const bool wide = role.mode != PagingMode::bits32;  // 64-bit entries
  const unsigned index_bits = wide ? 9 : 10;
  const unsigned entry_size = wide ? 8 : 4;
  uint64_t addr_mask = bit_range(m - 1, 12);
  uint64_t rsvd_common = s.nxe() ? 0 : kXD;  // §4.5.4/§4.4.2: XD is reserved when EFER.NXE = 0
  uint64_t table = 0;
  unsigned level = 0;
  switch (role.mode) {
    case PagingMode::bits32:  // §4.3: CR3 bits 31:12 locate the page directory; no reserved address bits
      level = 2;
      addr_mask = 0xfffff000;
      rsvd_common = 0;
      table = s.cr3 & addr_mask;
      break;
    case PagingMode::pae: {  // §4.4.2: the walk starts from the PDPTE registers, loaded earlier
      uint64_t pdpte = role.pdptes[(gva >> 30) & 3];
      if (!(pdpte & kP)) return page_fault(0);
      level = 2;
      rsvd_common |= bit_range(62, m);
      table = pdpte & addr_mask;
      break;
    }
    case PagingMode::level4:
    case PagingMode::level5:  // §4.5.2: CR3 bits M-1:12 locate the PML4/PML5 table; bits 11:0 may be a PCID
      level = role.mode == PagingMode::level5 ? 5 : 4;
      rsvd_common |= bit_range(51, m);
      table = s.cr3 & addr_mask;
      break;
    case PagingMode::none:
      break;
  }

  UsedEntry used[5];
  unsigned n = 0;
  uint8_t rights = page_rights::kExecute | page_rights::kWrite | page_rights::kUser;
  uint64_t entry = 0;
  unsigned shift = 12;
  for (;; --level) {
    shift = 12 + index_bits * (level - 1);
    uint64_t entry_gpa = table + ((gva >> shift) & ((1u << index_bits) - 1)) * entry_size;
    bool refused = false;
    uint8_t* host = entry_pointer(entry_gpa, entry_size, refused);
    if (refused) {
      result.status = WalkStatus::gpa_fault;
      return Step::done;
    }
    if (!host) {
      // Documented rule (docs/mmu.md): a paging-structure entry outside RAM
      // ends the walk with a reserved-bit #PF in every mode.
      log_warn_once("mmu-entry-not-ram", entry_gpa,
                    "guest paging-structure entry at {:#x} (translating {:#x}) is not in RAM: #PF with RSVD", entry_gpa,
                    gva);
      return page_fault(pf_error::kPresent | pf_error::kReserved);
    }
    entry = load_entry(host, wide);
    if (!(entry & kP)) return page_fault(0);

    bool large = (entry & kPS) && level > 1 && (wide || s.pse());
    uint64_t rsvd = rsvd_common;
    if (wide) {
      if (level >= 4)
        rsvd |= kPS;  // §4.5.4: bit 7 of a PML5E/PML4E is reserved
      else if (large && level == 3)
        rsvd |= s.page1gb ? bit_range(29, 13) : kPS;  // 1 GiB page (Table 4-16)
      else if (large)
        rsvd |= bit_range(20, 13);  // 2 MiB page (Tables 4-9, 4-18)
    } else if (large) {
      // §4.3 Table 4-4: bit 21 is reserved; bits 20:13 are physical-address
      // bits 39:32 (PSE-36) and those at or above MAXPHYADDR are reserved.
      rsvd |= (1ull << 21) | (m < 40 ? bit_range(20, m - 19) : 0);
    }
    if (entry & rsvd) return page_fault(pf_error::kPresent | pf_error::kReserved);

    // §4.6: R/W and U/S are ANDed and XD ORed over every entry used.
    if (!(entry & kRW)) rights &= ~page_rights::kWrite;
    if (!(entry & kUS)) rights &= ~page_rights::kUser;
    if (wide && s.nxe() && (entry & kXD)) rights &= ~page_rights::kExecute;
    used[n++] = {host, entry};
    if (level == 1 || large) break;
    table = entry & addr_mask;
  }

  Translation& t = result.translation;
  uint64_t page_mask = (1ull << shift) - 1;
  uint64_t base = !wide && shift == 22 ? (entry & 0xffc00000) | (((entry >> 13) & 0xff) << 32)  // PSE-36
                                       : entry & addr_mask & ~page_mask;
  t.gpa = base | (gva & page_mask);
  t.page_shift = static_cast<uint8_t>(shift);
  t.pkey = is_ia32e(role.mode) ? static_cast<uint8_t>((entry >> 59) & 15) : 0;  // §4.6.2: bits 62:59
  t.global = (entry & kG) && s.pge();
  t.rights = rights | ((entry & kD) || access.is_write() ? page_rights::kDirty : 0);

  // §4.6, §4.6.2: a permitted write sets D, so the rights are checked as dirty.
  bool permitted = role.rules.permits(access, rights | page_rights::kDirty);
  bool key_denied = role.rules.pk_denies(access, t.pk_mask(role.mode));
  if (!permitted || key_denied) return page_fault(pf_error::kPresent | (key_denied ? pf_error::kProtectionKey : 0));

  if (translator_ && !translator_->translate(t.gpa, access.kind, false, t.gpa)) {
    result.status = WalkStatus::gpa_fault;
    return Step::done;
  }
  // §4.8: A in every entry used, D in the final entry of a write.
  for (unsigned i = 0; i < n; ++i) {
    uint64_t need = kA | (i == n - 1 && access.is_write() ? kD : 0);
    if ((used[i].value & need) != need && !set_bits(used[i].host, wide, used[i].value, need)) return Step::retry;
  }
  result.status = WalkStatus::ok;
  return Step::done;
}

bool PageWalker::load_pdptes(const PagingState& state, std::array<uint64_t, 4>& out) const {
  // §4.4.1: CR3 bits 31:5 locate the PDPT; a present PDPTE must have bits
  // 2:1, 8:5 and 63:MAXPHYADDR clear.
  const uint64_t rsvd = bit_range(2, 1) | bit_range(8, 5) | bit_range(63, state.maxphyaddr);
  uint64_t base = state.cr3 & 0xffffffe0;
  std::array<uint64_t, 4> pdptes;
  for (unsigned i = 0; i < 4; ++i) {
    bool refused = false;
    uint8_t* host = entry_pointer(base + 8 * i, 8, refused);
    if (!host) return false;
    pdptes[i] = load_entry(host, true);
    if ((pdptes[i] & kP) && (pdptes[i] & rsvd)) return false;
  }
  out = pdptes;
  return true;
}

}  // namespace nv
