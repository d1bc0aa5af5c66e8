// One MMU context: the L1 guest's, or the L2 guest's of a nested vCPU. Its
// constant part (walker, memory, translator) is set up once when the vCPU is
// created; a CR0/CR4/EFER change or an L1<->L2 switch only recomputes the
// paging-mode role (seed 004, as Linux KVM keeps separate L1 and L2 MMUs).
#pragma once

#include <array>
#include <cstdint>

#include "mmu/guest_physical_translator.h"
#include "mmu/page_walker.h"
#include "mmu/paging_role.h"
#include "mmu/soft_tlb.h"
#include "vmm/guest_memory.h"

namespace nv {

class MmuContext {
 public:
  struct Counters {
    uint64_t full_inits = 0;   // constant state set up: once per context, by construction
    uint64_t role_resets = 0;  // reset_role calls
    uint64_t walks = 0;        // page walks (TLB misses that reached the walker)
  };

  // `space` tags this context's TLB entries (asid::kL1Space or asid::l2_space).
  // `translator` maps its guest-physical addresses (nullptr: identity).
  MmuContext(GuestMemory& memory, uint32_t space, GuestPhysicalTranslator* translator);
  MmuContext(const MmuContext&) = delete;
  MmuContext& operator=(const MmuContext&) = delete;

  // Recomputes the paging-mode role from `state`: mode, permission masks,
  // PCID. Keeps the PDPTE registers and touches no constant state.
  void reset_role(const PagingState& state);

  // §4.4.1: loads the PDPTE registers from the PDPT that `state.cr3` points
  // to. Returns false (the CPU raises #GP) and changes nothing when a present
  // PDPTE has a reserved bit set or the PDPT is not in RAM.
  bool load_pdptes(const PagingState& state);
  // VM entry with EPT takes the PDPTEs from the VMCS guest-state area instead.
  void set_pdptes(const std::array<uint64_t, 4>& pdptes) { role_.pdptes = pdptes; }

  // MOV to CR3: the root (and PCID) changes, the role does not.
  void set_cr3(uint64_t cr3);
  // WRPKRU / XRSTOR: only the protection-key masks change.
  void set_pkru(uint32_t pkru);
  // The L2 space follows vmcs12's VPID, which can differ at each VM entry.
  void set_space(uint32_t space);

  WalkResult walk(uint64_t gva, AccessType access) {
    ++counters_.walks;
    return walker_.translate(gva, access, role_);
  }

  const PagingRole& role() const { return role_; }
  PagingMode mode() const { return role_.mode; }
  Asid asid() const { return asid_; }
  uint32_t space() const { return space_; }
  const Counters& counters() const { return counters_; }

 private:
  void update_asid() { asid_ = asid::make(space_, role_.pcid()); }

  // Constant state.
  const PageWalker walker_;
  // Role.
  PagingRole role_;
  uint32_t space_;
  Asid asid_ = 0;
  Counters counters_;
};

}  // namespace nv
