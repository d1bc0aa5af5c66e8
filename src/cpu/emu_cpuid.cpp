#include "cpu/emu_cpuid.h"

#include <algorithm>
#include <cstring>

namespace nv {

namespace {

constexpr uint32_t bit(unsigned n) { return 1u << n; }

// Packs 16 bytes of the brand string into EAX..EDX.
CpuidEntry brand_leaf(uint32_t leaf, const char* text) {
  uint32_t r[4] = {};
  std::memcpy(r, text, std::min<size_t>(std::strlen(text), 16));
  return {leaf, 0, 0, r[0], r[1], r[2], r[3]};
}

}  // namespace

std::vector<CpuidEntry> emu_supported_cpuid() {
  // Only features whose instructions and state the engine implements (SDM
  // Vol. 2A CPUID, Tables 3-8 to 3-11). No x87/SSE state yet, so none of
  // fpu, mmx, fxsr, sse*, xsave; no SYSENTER, PCID
  // or PKU instructions yet.
  uint32_t leaf1_edx = bit(3) /*pse*/ | bit(4) /*tsc*/ | bit(5) /*msr*/ | bit(6) /*pae*/ | bit(8) /*cx8*/ | bit(9) /*apic*/ |
                       bit(13) /*pge*/ | bit(15) /*cmov*/ | bit(16) /*pat*/ | bit(17) /*pse36*/ | bit(19) /*clflush*/;
  uint32_t leaf1_ecx = bit(13) /*cx16*/ | bit(21) /*x2apic*/ | bit(23) /*popcnt*/ | bit(24) /*tsc-deadline*/;
  uint32_t leaf7_ebx = bit(7) /*smep*/ | bit(20) /*smap*/ | bit(23) /*clflushopt*/ | bit(24) /*clwb*/;
  uint32_t leaf7_ecx = bit(22) /*rdpid*/;
  uint32_t ext1_ecx = bit(0) /*lahf-lm*/ | bit(5) /*abm: lzcnt*/;
  uint32_t ext1_edx = bit(11) /*syscall*/ | bit(20) /*nx*/ | bit(26) /*pdpe1gb*/ | bit(27) /*rdtscp*/ | bit(29) /*lm*/;
  std::vector<CpuidEntry> t = {
      // "GenuineIntel": EBX, EDX, ECX.
      {0x0, 0, 0, 0x7, 0x756e6547, 0x6c65746e, 0x49656e69},
      // Family 6, model 0x3a, stepping 9; CLFLUSH line 8 * 8 bytes; one logical processor.
      {0x1, 0, 0, 0x000306a9, 0x00010800, leaf1_ecx, leaf1_edx},
      {0x7, 0, kCpuidFlagSignificantIndex, 0, leaf7_ebx, leaf7_ecx, 0},
      {0x80000000, 0, 0, 0x80000008, 0, 0, 0},
      {0x80000001, 0, 0, 0, 0, ext1_ecx, ext1_edx},
      brand_leaf(0x80000002, "nestvisor emulat"),
      brand_leaf(0x80000003, "ed x86-64 CPU"),
      brand_leaf(0x80000004, ""),
      // 40 physical and 48 linear address bits.
      {0x80000008, 0, 0, 0x3028, 0, 0, 0},
  };
  return t;
}

}  // namespace nv
