#include "mmu/access_rules.h"

namespace nv {
namespace {

bool allowed(AccessType a, uint8_t rights, const PagingState& s) {
  using namespace page_rights;
  bool user_page = rights & kUser, writable = rights & kWrite, executable = rights & kExecute;
  // §4.6.1: SMAP forbids supervisor data accesses to user pages unless they
  // are explicit and EFLAGS.AC = 1.
  bool smap_blocks = user_page && s.smap() && a.privilege == Privilege::supervisor;
  switch (a.kind) {
    case AccessKind::read:
      return a.is_user() ? user_page : !smap_blocks;
    case AccessKind::write:
      if (!(rights & kDirty)) return false;  // §4.8: the walker must set D first
      // §4.6.1: user writes need R/W = 1; supervisor writes need it only when CR0.WP = 1.
      if (a.is_user()) return user_page && writable;
      return !smap_blocks && (writable || !s.wp());
    case AccessKind::execute:
      // §4.6.1: user fetches need a user page; SMEP forbids supervisor
      // fetches from user pages; XD (with EFER.NXE) forbids every fetch.
      if (a.is_user()) return user_page && executable;
      return executable && !(user_page && s.smep());
  }
  return false;
}

}  // namespace

AccessRules AccessRules::compute(const PagingState& s) {
  AccessRules r;
  bool paging = paging_mode(s) != PagingMode::none;
  for (unsigned c = 0; c < kAccessClasses; ++c) {
    AccessType a{static_cast<AccessKind>(c / 3), static_cast<Privilege>(c % 3)};
    for (unsigned rights = 0; rights <= page_rights::kAll; ++rights) {
      // Without paging every linear address is accessible (§4.1.1).
      if (!paging || allowed(a, static_cast<uint8_t>(rights), s)) r.permit[c] |= 1u << rights;
    }
  }
  r.recompute_pk(s);
  return r;
}

void AccessRules::recompute_pk(const PagingState& s) {
  pk_deny.fill(0);
  // §4.6.2: protection keys exist only with 4/5-level paging and CR4.PKE = 1,
  // and apply to data accesses (of any privilege) to user-mode pages.
  if (!s.pke() || !is_ia32e(paging_mode(s))) return;
  for (unsigned key = 0; key < 16; ++key) {
    bool access_disable = (s.pkru >> (2 * key)) & 1;
    bool write_disable = (s.pkru >> (2 * key + 1)) & 1;
    for (Privilege p : {Privilege::user, Privilege::supervisor, Privilege::supervisor_ac}) {
      uint16_t bit = static_cast<uint16_t>(1u << key);
      AccessType read{AccessKind::read, p}, write{AccessKind::write, p};
      if (access_disable) pk_deny[read.index()] |= bit;
      // WD forbids user writes, and supervisor writes only when CR0.WP = 1.
      if (access_disable || (write_disable && (p == Privilege::user || s.wp()))) pk_deny[write.index()] |= bit;
    }
  }
}

}  // namespace nv
