// What the page walker needs to know about the vCPU: the control registers
// that select and shape paging, PKRU and MAXPHYADDR. CPL and EFLAGS.AC are not
// here: they change without telling the MMU (IRET, STAC/CLAC), so every access
// carries them in its AccessType instead.
#pragma once

#include <cstdint>

namespace nv {

namespace cr0 {
inline constexpr uint64_t kWP = 1ull << 16;
inline constexpr uint64_t kNW = 1ull << 29;
inline constexpr uint64_t kCD = 1ull << 30;
inline constexpr uint64_t kPG = 1ull << 31;
}  // namespace cr0

namespace cr4 {
inline constexpr uint64_t kPSE = 1ull << 4;
inline constexpr uint64_t kPAE = 1ull << 5;
inline constexpr uint64_t kPGE = 1ull << 7;
inline constexpr uint64_t kLA57 = 1ull << 12;
inline constexpr uint64_t kPCIDE = 1ull << 17;
inline constexpr uint64_t kSMEP = 1ull << 20;
inline constexpr uint64_t kSMAP = 1ull << 21;
inline constexpr uint64_t kPKE = 1ull << 22;
}  // namespace cr4

namespace efer {
inline constexpr uint64_t kLME = 1ull << 8;
inline constexpr uint64_t kLMA = 1ull << 10;
inline constexpr uint64_t kNXE = 1ull << 11;
}  // namespace efer

struct PagingState {
  uint64_t cr0 = 0;
  uint64_t cr3 = 0;  // with the PCID in bits 11:0 when CR4.PCIDE = 1
  uint64_t cr4 = 0;
  uint64_t efer = 0;
  uint32_t pkru = 0;
  uint8_t maxphyaddr = 36;  // CPUID.80000008H:EAX[7:0], 32..52 (the CPU model guarantees it)
  bool page1gb = true;      // CPUID.80000001H:EDX.Page1GB: without it PDPTE.PS is reserved (§4.5.4)

  constexpr bool pg() const { return cr0 & cr0::kPG; }
  constexpr bool wp() const { return cr0 & cr0::kWP; }
  constexpr bool pse() const { return cr4 & cr4::kPSE; }
  constexpr bool pae() const { return cr4 & cr4::kPAE; }
  constexpr bool pge() const { return cr4 & cr4::kPGE; }
  constexpr bool la57() const { return cr4 & cr4::kLA57; }
  constexpr bool pcide() const { return cr4 & cr4::kPCIDE; }
  constexpr bool smep() const { return cr4 & cr4::kSMEP; }
  constexpr bool smap() const { return cr4 & cr4::kSMAP; }
  constexpr bool pke() const { return cr4 & cr4::kPKE; }
  constexpr bool lma() const { return efer & efer::kLMA; }
  constexpr bool nxe() const { return efer & efer::kNXE; }
};

// §4.1.1: CR0.PG, CR4.PAE, IA32_EFER.LME (as LMA) and CR4.LA57 select the mode.
enum class PagingMode : uint8_t { none, bits32, pae, level4, level5 };

constexpr PagingMode paging_mode(const PagingState& s) {
  if (!s.pg()) return PagingMode::none;
  if (!s.pae()) return PagingMode::bits32;
  if (!s.lma()) return PagingMode::pae;
  return s.la57() ? PagingMode::level5 : PagingMode::level4;
}

constexpr bool is_ia32e(PagingMode m) { return m == PagingMode::level4 || m == PagingMode::level5; }

// §4.5 (and Vol. 1 §3.3.7.1): in IA-32e mode a linear address is canonical
// when bits 63:47 (4-level) or 63:56 (5-level) are all equal. Outside IA-32e
// mode linear addresses are 32 bits and there is no canonical rule. The CPU
// raises #GP (or #SS) for a non-canonical address before it asks the MMU.
constexpr bool is_canonical(uint64_t gva, PagingMode m) {
  if (!is_ia32e(m)) return true;
  unsigned bits = m == PagingMode::level5 ? 57 : 48;
  int64_t sext = static_cast<int64_t>(gva << (64 - bits)) >> (64 - bits);
  return static_cast<uint64_t>(sext) == gva;
}

}  // namespace nv
