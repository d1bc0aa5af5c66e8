// The paging-mode role of an MMU context: everything derived from the
// PagingState that a translation depends on. It is what a CR0/CR4/EFER change
// or an L1<->L2 switch recomputes (seed 004); the PDPTE registers are loaded
// separately, at the moments §4.4.1 names.
#pragma once

#include <array>
#include <cstdint>

#include "mmu/access_rules.h"
#include "mmu/paging_state.h"

namespace nv {

struct PagingRole {
  PagingState state;
  PagingMode mode = PagingMode::none;
  AccessRules rules = AccessRules::compute(PagingState{});
  std::array<uint64_t, 4> pdptes{};  // PAE paging's PDPTE registers (§4.4.1)

  void set(const PagingState& s) {
    state = s;
    mode = paging_mode(s);
    rules = AccessRules::compute(s);
  }
  // §4.10.1: PCIDs exist only in IA-32e mode with CR4.PCIDE = 1.
  uint16_t pcid() const { return state.pcide() && is_ia32e(mode) ? static_cast<uint16_t>(state.cr3 & 0xfff) : 0; }
};

}  // namespace nv
