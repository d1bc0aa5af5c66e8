// Translates a linear address by walking the guest's paging structures in
// guest RAM (Intel SDM Vol. 3A chapter 4): 32-bit, PAE, 4-level and 5-level
// paging with their large pages, reserved-bit checks, the access rights of
// §4.6, #PF error codes (§4.7) and A/D updates (§4.8).
#pragma once

#include <array>
#include <cstdint>

#include "mmu/access_type.h"
#include "mmu/guest_physical_translator.h"
#include "mmu/paging_role.h"
#include "vmm/guest_memory.h"

namespace nv {

// §4.7: page-fault error code bits.
namespace pf_error {
inline constexpr uint32_t kPresent = 1u << 0;  // 0: not-present page; 1: protection or reserved bit
inline constexpr uint32_t kWrite = 1u << 1;
inline constexpr uint32_t kUser = 1u << 2;
inline constexpr uint32_t kReserved = 1u << 3;
inline constexpr uint32_t kFetch = 1u << 4;
inline constexpr uint32_t kProtectionKey = 1u << 5;
inline constexpr uint32_t kShadowStack = 1u << 6;  // not produced yet: no CET
}  // namespace pf_error

struct PageFault {
  uint64_t address = 0;  // becomes CR2
  uint32_t error_code = 0;
};

struct Translation {
  uint64_t gpa = 0;         // GuestMemory address of the accessed byte (after the context's translator)
  uint8_t page_shift = 12;  // 12, 21, 22 or 30
  uint8_t rights = 0;       // page_rights bits, kDirty as the final entry now holds it
  uint8_t pkey = 0;         // 4/5-level paging only
  bool global = false;      // G = 1 in the final entry and CR4.PGE = 1 (§4.10.2.4)

  // 1 << pkey for user-mode pages under 4/5-level paging: what AccessRules::pk_denies takes.
  uint16_t pk_mask(PagingMode m) const {
    return is_ia32e(m) && (rights & page_rights::kUser) ? static_cast<uint16_t>(1u << pkey) : 0;
  }
};

enum class WalkStatus : uint8_t {
  ok,
  page_fault,
  gpa_fault,  // the context's GuestPhysicalTranslator refused an address (nested EPT exit)
};

struct WalkResult {
  WalkStatus status = WalkStatus::ok;
  Translation translation;  // when ok
  PageFault fault;          // when page_fault
};

class PageWalker {
 public:
  // `translator` may be nullptr: guest-physical addresses are GuestMemory addresses.
  PageWalker(GuestMemory& memory, GuestPhysicalTranslator* translator) : memory_(memory), translator_(translator) {}

  // Translates `gva` for `access` under `role`. The caller has checked that
  // `gva` is canonical. Sets A bits in every entry used and D in the final
  // entry of a write, only when the access is allowed.
  WalkResult translate(uint64_t gva, AccessType access, const PagingRole& role) const;

  // §4.4.1: reads the four PDPTEs that CR3 (bits 31:5) points to for PAE
  // paging. Returns false, leaving `out` unchanged, when a present PDPTE has a
  // reserved bit set or the table is not in RAM: the CPU raises #GP and does
  // not complete the instruction that asked for the load.
  bool load_pdptes(const PagingState& state, std::array<uint64_t, 4>& out) const;

 private:
  enum class Step : uint8_t { done, retry };
  Step walk(uint64_t gva, AccessType access, const PagingRole& role, WalkResult& result) const;
  uint8_t* entry_pointer(uint64_t gpa, unsigned size, bool& refused) const;

  GuestMemory& memory_;
  GuestPhysicalTranslator* translator_;
};

}  // namespace nv
