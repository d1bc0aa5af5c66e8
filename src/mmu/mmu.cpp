#include "mmu/mmu.h"

namespace nv {

Mmu::Mmu(GuestMemory& memory, GuestPhysicalTranslator* l2_translator)
    : memory_(memory),
      l1_(memory, asid::kL1Space, nullptr),
      l2_(memory, asid::l2_space(0), l2_translator),
      active_(&l1_) {}

MmuResult Mmu::translate_slow(uint64_t gva, AccessType access) {
  MmuContext& c = *active_;
  WalkResult r = c.walk(gva, access);
  if (r.status != WalkStatus::ok) return {r.status, nullptr, 0, r.fault};
  const Translation& t = r.translation;
  uint8_t* host_page = memory_.host_ptr(t.gpa & ~0xfffull, 4096);
  tlb_.fill(gva, c.asid(), t, t.pk_mask(c.mode()), host_page);
  if (host_page) host_cache_.fill(gva, access, host_page, t.gpa & ~0xfffull);
  return {WalkStatus::ok, host_page ? host_page + (gva & 0xfff) : nullptr, t.gpa, {}};
}

bool Mmu::set_paging_state(const PagingState& state) {
  MmuContext& c = *active_;
  const PagingState old = c.role().state;
  const PagingMode old_mode = c.mode();
  uint64_t cr0_changed = old.cr0 ^ state.cr0, cr4_changed = old.cr4 ^ state.cr4;

  // §4.4.1: the PDPTEs are loaded when PAE paging is entered, or when it
  // stays in use and CR0.CD/NW/PG or CR4.PAE/PGE/PSE/SMEP change.
  if (paging_mode(state) == PagingMode::pae &&
      (old_mode != PagingMode::pae || (cr0_changed & (cr0::kCD | cr0::kNW | cr0::kPG)) ||
       (cr4_changed & (cr4::kPAE | cr4::kPGE | cr4::kPSE | cr4::kSMEP))) &&
      !c.load_pdptes(state))
    return false;

  // §4.10.4.1: changing CR0.PG, CR4.PGE or CR4.PAE, clearing CR4.PCIDE or
  // setting CR4.SMEP invalidates (here: every PCID of the space, globals too).
  // CR0.PG also covers leaving the paging-off identity entries.
  bool flush = (cr0_changed & cr0::kPG) || (cr4_changed & (cr4::kPGE | cr4::kPAE)) || (old.pcide() && !state.pcide()) ||
               (!old.smep() && state.smep());
  c.reset_role(state);
  if (flush) tlb_.flush_space(c.space());
  host_cache_.clear();  // the role's rules (CR0.WP, SMEP, SMAP, NXE...) may have changed
  return true;
}

bool Mmu::write_cr3(uint64_t cr3, bool no_flush) {
  MmuContext& c = *active_;
  PagingState state = c.role().state;
  state.cr3 = cr3;
  // §4.4.1: MOV to CR3 with PAE paging loads the PDPTEs.
  if (c.mode() == PagingMode::pae && !c.load_pdptes(state)) return false;
  c.set_cr3(cr3);
  // §4.10.4.1: invalidates the non-global entries of the new PCID (PCID 0
  // when CR4.PCIDE = 0), unless PCIDE = 1 and bit 63 of the operand is set.
  if (!(no_flush && state.pcide())) tlb_.flush_pcid(c.asid());
  host_cache_.clear();  // it is not tagged by PCID
  return true;
}

void Mmu::invpcid(unsigned type, uint16_t pcid, uint64_t gva) {
  uint32_t space = active_->space();
  switch (type) {
    case 0:  // individual address (the global entry goes too, which is allowed)
      tlb_.flush_page(gva, asid::make(space, pcid));
      break;
    case 1:  // single context, globals kept
      tlb_.flush_pcid(asid::make(space, pcid));
      break;
    case 2:  // all contexts, globals included
      tlb_.flush_space(space);
      break;
    case 3:  // all contexts, globals kept
      tlb_.flush_space_non_global(space);
      break;
  }
  host_cache_.clear();
}

void Mmu::enter_l2(const PagingState& state, uint32_t space) {
  l2_.set_space(space);
  l2_.reset_role(state);
  active_ = &l2_;
  host_cache_.clear();  // it is not tagged by space
}

bool Mmu::exit_to_l1(const PagingState& state) {
  l1_.reset_role(state);
  active_ = &l1_;
  host_cache_.clear();
  return l1_.mode() != PagingMode::pae || l1_.load_pdptes(state);
}

}  // namespace nv
