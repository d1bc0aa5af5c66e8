// The per-vCPU MMU of the EmuEngine: two contexts (L1 and L2) sharing one
// software TLB, the TLB fast path, and the architectural events that change
// translations (§4.10.4: MOV to CR0/CR3/CR4, INVLPG, INVPCID; VMX transitions).
#pragma once

#include <cstdint>

#include "mmu/access_type.h"
#include "mmu/guest_physical_translator.h"
#include "mmu/host_page_cache.h"
#include "mmu/mmu_context.h"
#include "mmu/page_walker.h"
#include "mmu/paging_state.h"
#include "mmu/soft_tlb.h"
#include "vmm/guest_memory.h"

namespace nv {

struct MmuResult {
  WalkStatus status = WalkStatus::ok;
  uint8_t* host = nullptr;  // ok and RAM: host address of the byte at gva (valid up to the 4 KiB page end)
  uint64_t gpa = 0;         // ok: guest-physical address (MMIO when host is nullptr)
  PageFault fault;          // page_fault
};

class Mmu {
 public:
  // Both contexts' constant state is set up here, once per vCPU. `l2_translator`
  // (owned by the caller, e.g. src/nested's EPT) maps L2 guest-physical
  // addresses; nullptr means L2 uses L1's guest-physical space directly.
  explicit Mmu(GuestMemory& memory, GuestPhysicalTranslator* l2_translator = nullptr);
  Mmu(const Mmu&) = delete;
  Mmu& operator=(const Mmu&) = delete;

  // Translates `gva` (canonical: the CPU checks with is_canonical first) for
  // an access that stays within one 4 KiB page. A TLB hit is a tag compare,
  // two mask tests and a pointer add; a RAM result also enters the host page
  // cache, where the CPU's next read or write of that page finds it.
  MmuResult translate(uint64_t gva, AccessType access) {
    MmuContext& c = *active_;
    if (const TlbEntry* e = tlb_.lookup(gva, access, c.asid(), c.role().rules)) {
      if (e->host_page) host_cache_.fill(gva, access, e->host_page, e->gpa_page);
      return {WalkStatus::ok, e->host(gva), e->gpa(gva), {}};
    }
    return translate_slow(gva, access);
  }
  // The CPU's fast path for a data read or write within one page: the RAM
  // page an earlier identical access was translated to, or nullptr (then
  // translate()).
  const HostPageCache::Entry* find_host_page(uint64_t gva, AccessType access) const {
    return host_cache_.find(gva, access);
  }

  // MOV to CR0/CR4, WRMSR IA32_EFER, RSM: recomputes the active context's
  // role, loads the PDPTEs when §4.4.1 says so and flushes as §4.10.4.1 says.
  // Returns false, changing nothing, when the PDPTE load fails: the CPU
  // raises #GP(0) and does not complete the write.
  bool set_paging_state(const PagingState& state);
  // MOV to CR3 (§4.10.4.1). `no_flush` is bit 63 of the source operand (it
  // matters only with CR4.PCIDE = 1). Returns false, changing nothing, when
  // the PAE PDPTE load fails (#GP(0)).
  bool write_cr3(uint64_t cr3, bool no_flush);
  // WRPKRU, XRSTOR of PKRU: changes no role and flushes nothing (§4.6.2).
  void set_pkru(uint32_t pkru) {
    active_->set_pkru(pkru);
    host_cache_.clear();  // protection keys decide some of its entries' rights
  }

  void invlpg(uint64_t gva) {
    tlb_.flush_page(gva, active_->asid());
    // With only 4 KiB translations cached, the page's own host-cache slots
    // are all INVLPG can have made stale; a large page's other fragments
    // could sit anywhere.
    if (tlb_.has_large_pages()) host_cache_.clear();
    else host_cache_.drop(gva);
  }
  // INVPCID types 0-3 (Vol. 2A "INVPCID"); the CPU has checked the operand (#GP).
  void invpcid(unsigned type, uint16_t pcid, uint64_t gva);
  void invalidate_gpa_page(uint64_t gpa) {
    tlb_.invalidate_gpa_page(gpa);
    host_cache_.clear();
  }

  // VM entry: L2 runs in `space` (asid::l2_space(vpid)) with `state`. PDPTEs
  // for PAE L2 guests are loaded by the caller through l2() (VMCS or memory).
  void enter_l2(const PagingState& state, uint32_t space);
  // VM exit: L1 runs again with the host state's control registers. A PAE
  // host gets its PDPTEs from CR3 (Vol. 3C §28.5.4); false when one has a
  // reserved bit set, which the caller turns into a VMX abort.
  bool exit_to_l1(const PagingState& state);

  MmuContext& active() { return *active_; }
  MmuContext& l1() { return l1_; }
  MmuContext& l2() { return l2_; }
  bool in_l2() const { return active_ == &l2_; }
  const SoftTlb& tlb() const { return tlb_; }

 private:
  MmuResult translate_slow(uint64_t gva, AccessType access);

  GuestMemory& memory_;
  SoftTlb tlb_;
  HostPageCache host_cache_;
  MmuContext l1_;
  MmuContext l2_;
  MmuContext* active_;
};

}  // namespace nv
