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
  // Vol. 2A CPUID, Tables 3-8 to 3-11): the x87 FPU, MMX, FXSAVE, SSE, SSE2,
  // SSE3, SSSE3, SSE4.1 and SSE4.2 with CRC32 and POPCNT (exec_x87*.cpp,
  // exec_sse*.cpp, exec_alu.cpp; not MONITOR/MWAIT, not PCLMULQDQ, AES or
  // MOVBE); AVX (exec_avx*.cpp and the VEX forms of the SSE-SSE4.2
  // instructions; no AVX2, F16C or FMA); SYSENTER/SYSEXIT (cpu_segments.cpp).
  // No PKU instructions yet.
  uint32_t leaf1_edx = bit(0) /*fpu*/ | bit(1) /*vme*/ | bit(3) /*pse*/ | bit(4) /*tsc*/ | bit(5) /*msr*/ |
                       bit(6) /*pae*/ |
                       bit(8) /*cx8*/ | bit(9) /*apic*/ | bit(11) /*sep*/ | bit(13) /*pge*/ | bit(15) /*cmov*/ | bit(16) /*pat*/ |
                       bit(17) /*pse36*/ | bit(19) /*clflush*/ | bit(23) /*mmx*/ | bit(24) /*fxsr*/ | bit(25) /*sse*/ |
                       bit(26) /*sse2*/;
  uint32_t leaf1_ecx = bit(0) /*sse3*/ | bit(9) /*ssse3*/ | bit(13) /*cx16*/ | bit(17) /*pcid*/ | bit(19) /*sse4.1*/ |
                       bit(20) /*sse4.2*/ | bit(21) /*x2apic*/ | bit(23) /*popcnt*/ | bit(24) /*tsc-deadline*/ |
                       bit(26) /*xsave*/ | bit(28) /*avx*/;
  uint32_t leaf7_ebx = bit(1) /*tsc-adjust*/ | bit(7) /*smep*/ | bit(10) /*invpcid*/ | bit(20) /*smap*/ | bit(23) /*clflushopt*/ | bit(24) /*clwb*/;
  uint32_t leaf7_ecx = bit(22) /*rdpid*/;
  uint32_t ext1_ecx = bit(0) /*lahf-lm*/ | bit(5) /*abm: lzcnt*/;
  uint32_t ext1_edx = bit(11) /*syscall*/ | bit(20) /*nx*/ | bit(26) /*pdpe1gb*/ | bit(27) /*rdtscp*/ | bit(29) /*lm*/;
  std::vector<CpuidEntry> t = {
      // "GenuineIntel": EBX, EDX, ECX.
      {0x0, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69},
      // Family 6, model 0x3a, stepping 9; CLFLUSH line 8 * 8 bytes; one logical processor.
      {0x1, 0, 0, 0x000306a9, 0x00010800, leaf1_ecx, leaf1_edx},
      {0x7, 0, kCpuidFlagSignificantIndex, 0, leaf7_ebx, leaf7_ecx, 0},
      // Extended topology (Vol. 2A CPUID leaf 0BH): one thread per core, one
      // core per vCPU, all in one package (x2APIC ID >> 8). EDX, the x2APIC
      // ID, is set per vCPU (set_apic_id), the package's logical processor
      // count by the engine.
      {0xb, 0, kCpuidFlagSignificantIndex, 0, 1, 0x100, 0},
      {0xb, 1, kCpuidFlagSignificantIndex, 8, 1, 0x201, 0},
      {0xb, 2, kCpuidFlagSignificantIndex, 0, 0, 2, 0},
      // XSAVE (Vol. 1 ch. 13) of the x87 and SSE components in the legacy
      // region (576 bytes with the header) and of component 2, the upper
      // halves of YMM0-15, at 576 (Vol. 1 §13.5.3; the offset every Intel
      // CPU reports); XSAVEOPT and XSAVEC, no XSAVES and no XGETBV with
      // ECX = 1. EBX follows XCR0 (Cpu::cpuid). shape_cpuid drops component
      // 2 when -cpu turns AVX off.
      {0xd, 0, kCpuidFlagSignificantIndex, 0x7, 576, 832, 0},
      {0xd, 1, kCpuidFlagSignificantIndex, bit(0) | bit(1), 0, 0, 0},
      {0xd, 2, kCpuidFlagSignificantIndex, 256, 576, 0, 0},
      // KVM's hypervisor leaves (Linux Documentation/virt/kvm/x86/cpuid.rst):
      // "KVMKVMKVM\0\0\0", and the PV features whose hypercalls exist
      // (exec_hypercall.cpp): pv-unhalt (KICK_CPU), pv-ipi, pv-sched-yield.
      {0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d},
      {0x40000001, 0, 0, bit(7) | bit(11) | bit(13), 0, 0, 0},
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
