// The access-rights rules of §4.6 for one paging-mode role, precomputed as
// bit masks so that the walker and the TLB fast path check an access with
// two shifts: "may access class C touch a page with rights R" and "does
// protection key K forbid access class C".
#pragma once

#include <array>
#include <cstdint>

#include "mmu/access_type.h"
#include "mmu/paging_state.h"

namespace nv {

// Effective rights of a translation (§4.6): the AND of R/W and U/S and the
// inverse of the OR of XD over every paging-structure entry used. kDirty says
// the final entry's D bit is set: a write needs it, so a TLB entry filled by a
// read sends the first write back to the walker, which sets D (§4.8).
namespace page_rights {
inline constexpr uint8_t kExecute = 1;
inline constexpr uint8_t kWrite = 2;
inline constexpr uint8_t kUser = 4;
inline constexpr uint8_t kDirty = 8;
inline constexpr uint8_t kAll = 15;
}  // namespace page_rights

struct AccessRules {
  std::array<uint16_t, kAccessClasses> permit{};   // bit R: rights R allow the access class
  std::array<uint16_t, kAccessClasses> pk_deny{};  // bit K: PKRU key K forbids the class (user pages)

  // From CR0.WP, CR4.SMEP/SMAP/PKE, PKRU and the mode.
  static AccessRules compute(const PagingState& s);
  // Only the protection-key part: WRPKRU changes nothing else.
  void recompute_pk(const PagingState& s);

  bool permits(AccessType a, uint8_t rights) const { return (permit[a.index()] >> rights) & 1; }
  // `pk_mask` is 1 << key for a user-mode page under 4/5-level paging, 0 otherwise.
  bool pk_denies(AccessType a, uint16_t pk_mask) const { return pk_deny[a.index()] & pk_mask; }
};

}  // namespace nv
