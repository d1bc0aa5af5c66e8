#include "mmu/mmu_context.h"

namespace nv {

MmuContext::MmuContext(GuestMemory& memory, uint32_t space, GuestPhysicalTranslator* translator)
    : walker_(memory, translator), space_(space) {
  ++counters_.full_inits;
  update_asid();
}

void MmuContext::reset_role(const PagingState& state) {
  ++counters_.role_resets;
  role_.set(state);
  update_asid();
}

bool MmuContext::load_pdptes(const PagingState& state) { return walker_.load_pdptes(state, role_.pdptes); }

void MmuContext::set_cr3(uint64_t cr3) {
  role_.state.cr3 = cr3;
  update_asid();
}

void MmuContext::set_pkru(uint32_t pkru) {
  role_.state.pkru = pkru;
  role_.rules.recompute_pk(role_.state);
}

void MmuContext::set_space(uint32_t space) {
  space_ = space;
  update_asid();
}

}  // namespace nv
