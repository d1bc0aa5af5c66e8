// Operands and fault checks shared by the SSE, MMX and x87 handlers
// (exec_sse*.cpp, exec_mmx.cpp, exec_x87*.cpp): the availability checks of
// SDM Vol. 3A §2.5 Table 2-2, a 128-bit register image with typed lanes, and
// reads/writes of XMM, MMX and memory operands of 4, 8 or 16 bytes.
#pragma once

#include "cpu/cpu.h"

#include <cstdint>
#include <cstring>

namespace nv {

namespace simd {
inline constexpr uint64_t kCr0Mp = 1ull << 1, kCr0Em = 1ull << 2, kCr0Ts = 1ull << 3, kCr0Ne = 1ull << 5;
inline constexpr uint64_t kCr4OsFxsr = 1ull << 9, kCr4OsXmmExcpt = 1ull << 10;
inline constexpr uint8_t kXM = 19;  // SIMD floating-point exception (Vol. 3A §6.15, interrupt 19)
inline constexpr uint16_t kFswEs = 1u << 7;  // x87 error summary: an unmasked exception is pending
}  // namespace simd

// FSW.ES and B follow the exception flags the control word unmasks (Vol. 1 §8.1.3.1).
inline void update_x87_summary(VcpuState& s) {
  if (s.fsw & ~s.fcw & 0x3f) s.fsw |= simd::kFswEs | 0x8000;
  else s.fsw &= ~(simd::kFswEs | 0x8000);
}

// The x87 FPU reports a pending unmasked exception at the next waiting x87 or
// MMX instruction (Vol. 1 §8.7): #MF with CR0.NE = 1. With CR0.NE = 0 the PC
// reports it through FERR#/IRQ 13, which this engine does not wire: the
// instruction runs and the exception stays pending in FSW.
inline void check_pending_x87(Cpu& c) {
  if ((c.state().fsw & simd::kFswEs) && (c.state().cr0 & simd::kCr0Ne)) throw_fault(vec::kMF);
}

// SSE instructions: #UD with CR0.EM = 1 or CR4.OSFXSR = 0, #NM with CR0.TS = 1
// (Vol. 3A Table 2-2, Vol. 1 §13.1.4).
inline void check_sse(Cpu& c) {
  const VcpuState& s = c.state();
  if ((s.cr0 & simd::kCr0Em) || !(s.cr4 & simd::kCr4OsFxsr)) throw_fault(vec::kUD);
  if (s.cr0 & simd::kCr0Ts) throw_fault(vec::kNM);
}
// x87 control instructions that do not wait (FN*, FXSAVE): #NM with CR0.EM or CR0.TS.
inline void check_x87_nowait(Cpu& c) {
  if (c.state().cr0 & (simd::kCr0Em | simd::kCr0Ts)) throw_fault(vec::kNM);
}
// Waiting x87 instructions also report a pending exception first.
inline void check_x87(Cpu& c) {
  check_x87_nowait(c);
  check_pending_x87(c);
}
// MMX instructions: #UD with CR0.EM, #NM with CR0.TS, then #MF for a pending
// x87 exception (Vol. 1 §9.6.2, Vol. 3A Table 2-2).
inline void check_mmx(Cpu& c) {
  if (c.state().cr0 & simd::kCr0Em) throw_fault(vec::kUD);
  if (c.state().cr0 & simd::kCr0Ts) throw_fault(vec::kNM);
  check_pending_x87(c);
}

// A register image of up to 16 bytes with typed little-endian lanes.
struct Vec {
  alignas(16) uint8_t b[16] = {};

  template <class T>
  T get(unsigned k) const {
    T v;
    std::memcpy(&v, b + k * sizeof(T), sizeof(T));
    return v;
  }
  template <class T>
  void set(unsigned k, T v) {
    std::memcpy(b + k * sizeof(T), &v, sizeof(T));
  }
  uint64_t q(unsigned k) const { return get<uint64_t>(k); }
};

// MMX registers are the low 64 bits of the physical x87 registers; an MMX
// write sets the exponent field to all ones, and any MMX instruction sets TOP
// to 0 and every tag valid (Vol. 1 §9.5.1).
inline void enter_mmx_state(VcpuState& s) {
  s.fsw &= ~0x3800;
  s.ftw = 0xff;
}
inline uint64_t read_mmx(VcpuState& s, unsigned r) {
  uint64_t v;
  std::memcpy(&v, s.st[r], 8);
  return v;
}
inline void write_mmx(VcpuState& s, unsigned r, uint64_t v) {
  std::memcpy(s.st[r], &v, 8);
  s.st[r][8] = s.st[r][9] = 0xff;
}

// The linear address of the memory operand; `aligned` accesses #GP(0) unless
// 16-byte aligned (Vol. 2 MOVAPS and the legacy-SSE packed forms, Vol. 1 §11.4.1).
uint64_t simd_operand_linear(Cpu& c, const DecodedInsn& i, unsigned size, bool write, bool aligned);
// Operand n: XMM or MMX register (whole register), or `bytes` (4, 8, 16) of memory.
Vec read_vec(Cpu& c, const DecodedInsn& i, unsigned n, unsigned bytes, bool aligned);
// Writes an XMM or MMX register whole, or `bytes` of memory.
void write_vec(Cpu& c, const DecodedInsn& i, unsigned n, const Vec& v, unsigned bytes, bool aligned);

}  // namespace nv
