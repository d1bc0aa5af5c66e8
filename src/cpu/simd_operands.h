// Operands and fault checks shared by the SSE, AVX, MMX and x87 handlers
// (exec_sse*.cpp, exec_avx.cpp, exec_x87*.cpp): the availability checks of
// SDM Vol. 3A §2.5 Table 2-2 and Vol. 2A §2.3, a 128-bit register image with
// typed lanes (two of them for YMM), and reads/writes of XMM, YMM, MMX and
// memory operands of 4 to 32 bytes.
#pragma once

#include "cpu/cpu.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

namespace nv {

namespace simd {
inline constexpr uint64_t kCr0Mp = 1ull << 1, kCr0Em = 1ull << 2, kCr0Ts = 1ull << 3, kCr0Ne = 1ull << 5;
inline constexpr uint64_t kCr4OsFxsr = 1ull << 9, kCr4OsXmmExcpt = 1ull << 10, kCr4OsXsave = 1ull << 18;
inline constexpr uint64_t kXcr0SseAvx = 0x6;  // XCR0[2:1]: SSE and AVX state enabled
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
// VEX-encoded instructions (Vol. 2A §2.4 exception classes, Vol. 1 §14.3
// detection): #UD in real and virtual-8086 mode, without CR4.OSXSAVE or with
// XCR0[2:1] != 11b (CR0.EM and CR4.OSFXSR do not matter), then #NM with
// CR0.TS. The prefix, VEX.vvvv and VEX.L encodings Zydis already rejects
// (Vol. 2A §2.3.2-2.3.4): they decode as invalid and raise #UD.
inline void check_avx(Cpu& c) {
  const VcpuState& s = c.state();
  if (s.mode == CpuMode::real || s.mode == CpuMode::v8086 || !(s.cr4 & simd::kCr4OsXsave) ||
      (s.xcr0 & simd::kXcr0SseAvx) != simd::kXcr0SseAvx)
    throw_fault(vec::kUD);
  if (s.cr0 & simd::kCr0Ts) throw_fault(vec::kNM);
}
// The encoding a shared handler runs for: legacy SSE keeps bits 255:128 of the
// destination, VEX.128 zeroes them (Vol. 2A §2.3.10.1).
enum class Enc : uint8_t { legacy, vex };
template <Enc E>
void check_simd(Cpu& c) {
  if constexpr (E == Enc::vex) check_avx(c);
  else check_sse(c);
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

// A YMM register image: two 128-bit lanes (an XMM operand uses lane 0 only).
struct Ymm {
  Vec lane[2];
};

// The linear address of the memory operand; `aligned` accesses #GP(0) unless
// 16-byte aligned (Vol. 2 MOVAPS and the legacy-SSE packed forms, Vol. 1 §11.4.1).
uint64_t simd_operand_linear(Cpu& c, const DecodedInsn& i, unsigned size, bool write, bool aligned);
// Operand n: XMM or MMX register (whole register), or `bytes` (4, 8, 16) of memory.
Vec read_vec(Cpu& c, const DecodedInsn& i, unsigned n, unsigned bytes, bool aligned);
// Writes an XMM or MMX register whole, or `bytes` of memory.
void write_vec(Cpu& c, const DecodedInsn& i, unsigned n, const Vec& v, unsigned bytes, bool aligned);

// The vector length of a VEX instruction: 32 with a YMM destination, else 16.
inline unsigned vex_width(const DecodedInsn& i) { return i.op[0].kind == OpKind::ymm ? 32 : 16; }
// Operand n of a VEX instruction: an XMM register (lane 1 zero), a YMM
// register, or `bytes` (4 to 32) of memory; `aligned` memory #GP(0) unless
// aligned to `bytes` (Vol. 2A §2.4, VMOVAPS: 16 or 32).
Ymm read_ymm(Cpu& c, const DecodedInsn& i, unsigned n, unsigned bytes, bool aligned);
// Writes operand n: a YMM register whole, an XMM register with bits 255:128
// zeroed (VEX.128, Vol. 2A §2.3.10: VLMAX zeroing), or `bytes` of memory.
void write_ymm(Cpu& c, const DecodedInsn& i, unsigned n, const Ymm& v, unsigned bytes, bool aligned);

// The operands of a two-source instruction in either encoding: legacy SSE
// computes dst = src1 = operand 0 with src2 = operand 1 over 128 bits and
// keeps bits 255:128; VEX computes dst = operand 0 from src1 = VEX.vvvv
// (operand 1) and src2 = operand 2 over 128 or 256 bits (Vol. 2A §2.3.5).
template <Enc E>
inline constexpr unsigned kSrc1 = E == Enc::legacy ? 0 : 1;
template <Enc E>
inline constexpr unsigned kSrc2 = E == Enc::legacy ? 1 : 2;
template <Enc E>
unsigned simd_width(const DecodedInsn& i) {
  return E == Enc::legacy ? 16 : vex_width(i);
}
template <Enc E>
void write_dest(Cpu& c, const DecodedInsn& i, const Ymm& r, unsigned width) {
  if constexpr (E == Enc::legacy) write_vec(c, i, 0, r.lane[0], 16, false);
  else write_ymm(c, i, 0, r, width, false);
}

// An instruction whose imm8 selects the operation runs the host's instruction
// with that immediate: OP<imm>::run for each value of imm8[BITS-1:0], chosen
// at run time (CMPxx, ROUNDxx, DPPx, PCMPxSTRx).
template <template <int> class OP, unsigned BITS, size_t... P>
auto pick_by_imm(unsigned imm, std::index_sequence<P...>) {
  static constexpr decltype(OP<0>::run) ops[] = {OP<static_cast<int>(P)>::run...};
  return ops[imm & ((1u << BITS) - 1)];
}
template <template <int> class OP, unsigned BITS>
auto pick_by_imm(unsigned imm) {
  return pick_by_imm<OP, BITS>(imm, std::make_index_sequence<1u << BITS>{});
}

}  // namespace nv
