#include "mmu/access_rules.h"

namespace nv {
namespace {

// Bit R of rights_with(B) is set when rights R include B: the permission
// masks are built from these with bitwise logic, so that a role reset stays cheap.
constexpr uint16_t rights_with(uint8_t b) {
  uint16_t mask = 0;
  for (unsigned r = 0; r <= page_rights::kAll; ++r)
    if (r & b) mask |= static_cast<uint16_t>(1u << r);
  return mask;
}
constexpr uint16_t kUser = rights_with(page_rights::kUser), kWritable = rights_with(page_rights::kWrite),
                   kExecutable = rights_with(page_rights::kExecute), kDirty = rights_with(page_rights::kDirty),
                   kAny = 0xffff;

void set(AccessRules& r, AccessKind kind, Privilege p, uint16_t permit) {
  r.permit[AccessType{kind, p}.index()] = permit;
}

}  // namespace

AccessRules AccessRules::compute(const PagingState& s) {
  AccessRules r;
  if (paging_mode(s) == PagingMode::none) {  // §4.1.1: no paging, no page-level protection
    r.permit.fill(kAny);
    return r;
  }
  using enum AccessKind;
  using enum Privilege;
  // §4.6.1: SMAP keeps supervisor data accesses off user pages unless they are
  // explicit with EFLAGS.AC = 1; CR0.WP makes supervisor writes honour R/W;
  // SMEP keeps supervisor fetches off user pages; XD (already in kExecute)
  // forbids every fetch. §4.8: a write needs D set, which only the walker does.
  uint16_t smap_ok = s.smap() ? static_cast<uint16_t>(~kUser) : kAny;
  uint16_t wp_ok = s.wp() ? kWritable : kAny;
  set(r, read, user, kUser);
  set(r, read, supervisor, smap_ok);
  set(r, read, supervisor_ac, kAny);
  set(r, write, user, kUser & kWritable & kDirty);
  set(r, write, supervisor, smap_ok & wp_ok & kDirty);
  set(r, write, supervisor_ac, wp_ok & kDirty);
  set(r, execute, user, kUser & kExecutable);
  uint16_t supervisor_fetch = kExecutable & (s.smep() ? static_cast<uint16_t>(~kUser) : kAny);
  set(r, execute, supervisor, supervisor_fetch);
  set(r, execute, supervisor_ac, supervisor_fetch);
  r.recompute_pk(s);
  return r;
}

void AccessRules::recompute_pk(const PagingState& s) {
  pk_deny.fill(0);
  // §4.6.2: protection keys exist only with 4/5-level paging and CR4.PKE = 1,
  // and apply to data accesses (of any privilege) to user-mode pages.
  if (!s.pke() || !is_ia32e(paging_mode(s))) return;
  uint16_t access_disabled = 0, write_disabled = 0;
  for (unsigned key = 0; key < 16; ++key) {
    access_disabled |= static_cast<uint16_t>(((s.pkru >> (2 * key)) & 1) << key);
    write_disabled |= static_cast<uint16_t>(((s.pkru >> (2 * key + 1)) & 1) << key);
  }
  for (Privilege p : {Privilege::user, Privilege::supervisor, Privilege::supervisor_ac}) {
    pk_deny[AccessType{AccessKind::read, p}.index()] = access_disabled;
    // WD forbids user writes, and supervisor writes only when CR0.WP = 1.
    bool wd_applies = p == Privilege::user || s.wp();
    pk_deny[AccessType{AccessKind::write, p}.index()] = access_disabled | (wd_applies ? write_disabled : 0);
  }
}

}  // namespace nv
