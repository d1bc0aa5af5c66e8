// The architectural state of one software vCPU. The fields the execution
// loop touches on every instruction (GPRs, RIP, the lazy-flags record, the
// mode key, CPL and the pending-events word) come first and fit in the first
// three cache lines; the static_asserts at the end keep it so on purpose
// (seed 002: group hot fields deliberately instead of shuffling for size).
#pragma once

#include <cstddef>
#include <cstdint>

namespace nv {

// GPR numbers as the instruction encoding numbers them (SDM Vol. 2A §2.1.5).
enum Gpr : uint8_t { kRax, kRcx, kRdx, kRbx, kRsp, kRbp, kRsi, kRdi, kR8, kR9, kR10, kR11, kR12, kR13, kR14, kR15 };
// Segment register numbers (SDM Vol. 2A §3.1.1.3, Sreg encoding).
enum Seg : uint8_t { kEs, kCs, kSs, kDs, kFs, kGs, kSegCount };

// EFLAGS bits (SDM Vol. 1 §3.4.3).
namespace rflags {
inline constexpr uint32_t kCF = 1u << 0, kPF = 1u << 2, kAF = 1u << 4, kZF = 1u << 6, kSF = 1u << 7;
inline constexpr uint32_t kTF = 1u << 8, kIF = 1u << 9, kDF = 1u << 10, kOF = 1u << 11;
inline constexpr uint32_t kIOPL = 3u << 12, kNT = 1u << 14, kRF = 1u << 16, kVM = 1u << 17;
inline constexpr uint32_t kAC = 1u << 18, kVIF = 1u << 19, kVIP = 1u << 20, kID = 1u << 21;
inline constexpr uint32_t kFixed1 = 1u << 1;
inline constexpr uint32_t kArith = kCF | kPF | kAF | kZF | kSF | kOF;
}  // namespace rflags

// CR4's virtual-interrupt bits (SDM Vol. 3A §2.5; the paging bits are in mmu/paging_state.h).
namespace cr4 {
inline constexpr uint64_t kVME = 1ull << 0, kPVI = 1ull << 1;
}  // namespace cr4

// The operation whose result the arithmetic flags describe (lazy flags):
// CF/PF/AF/ZF/SF/OF are computed from it only when something reads them.
enum class FlagOp : uint8_t {
  none,   // the arithmetic flags in VcpuState::rflags are current
  add,    // res = src1 + src2
  adc,    // res = src1 + src2 + carry_in
  sub,    // res = src1 - src2 (also CMP, NEG as 0 - src)
  sbb,    // res = src1 - src2 - carry_in
  logic,  // AND/OR/XOR/TEST: CF = OF = 0
  inc,    // like add with src2 = 1, CF kept in rflags
  dec,    // like sub with src2 = 1, CF kept in rflags
  shl,    // src2 = count (1..size*8 or more for 8/16-bit)
  shr,
  sar,
};

struct LazyFlags {
  uint64_t res = 0;
  uint64_t src1 = 0;
  uint64_t src2 = 0;
  FlagOp op = FlagOp::none;
  uint8_t size = 8;      // operand size in bytes
  uint8_t carry_in = 0;  // adc/sbb
};

// The decode-cache key: what changes how bytes decode (SDM Vol. 3A §5.2.1:
// CS.L and CS.D select the default operand and address sizes).
enum class CpuMode : uint8_t { real, v8086, prot16, prot32, compat16, compat32, long64 };
inline constexpr unsigned kCpuModeCount = 7;

// Events the loop checks once per instruction, as one word.
namespace pending {
inline constexpr uint32_t kInterrupt = 1u << 0;       // an external interrupt may be deliverable
inline constexpr uint32_t kShadow = 1u << 1;          // STI / MOV SS shadow covers the next instruction
inline constexpr uint32_t kModeChanged = 1u << 3;     // mode, CS or paging changed: drop the fetch page
inline constexpr uint32_t kNmi = 1u << 4;
inline constexpr uint32_t kStop = 1u << 5;  // a device stopped the machine: end the run now
inline constexpr uint32_t kSingleStep = 1u << 6;  // RFLAGS.TF is set: #DB after each instruction
inline constexpr uint32_t kYield = 1u << 7;       // PAUSE in a spin loop: end this vCPU's turn
inline constexpr uint32_t kBreakpoints = 1u << 8;  // DR7 enables a breakpoint or watchpoint
}  // namespace pending

// A segment register with its hidden descriptor cache (SDM Vol. 3A §3.4.3).
struct SegmentCache {
  uint64_t base = 0;
  uint32_t limit = 0xffff;
  uint16_t selector = 0;
  // Descriptor bits 40..55 as VMX "access rights" shape them: type[3:0], S[4],
  // DPL[6:5], P[7], AVL[12], L[13], D/B[14], G[15].
  uint16_t attr = 0x93;

  unsigned type() const { return attr & 0xf; }
  bool s() const { return attr & 0x10; }
  unsigned dpl() const { return (attr >> 5) & 3; }
  bool present() const { return attr & 0x80; }
  bool l() const { return attr & 0x2000; }
  bool db() const { return attr & 0x4000; }
  bool g() const { return attr & 0x8000; }
};

struct TableRegister {
  uint64_t base = 0;
  uint32_t limit = 0xffff;
};

struct alignas(64) VcpuState {
  // ---- hot: touched on every instruction ----
  uint64_t gpr[16] = {};
  uint64_t rip = 0;
  LazyFlags lazy;
  uint32_t rflags = rflags::kFixed1;  // arithmetic bits valid only when lazy.op == none
  uint32_t pending = 0;               // pending:: bits
  CpuMode mode = CpuMode::real;
  uint8_t cpl = 0;
  uint8_t halted = 0;
  uint8_t pad0 = 0;
  uint64_t icount = 0;  // retired instructions

  // ---- warm: memory accesses, segment loads, exceptions ----
  SegmentCache seg[kSegCount];
  SegmentCache ldtr;
  SegmentCache tr;
  TableRegister gdtr;
  TableRegister idtr;

  uint64_t cr0 = 0x60000010;  // SDM Vol. 3A §10.1.1, Table 10-1: CD, NW, ET
  uint64_t cr2 = 0;
  uint64_t cr3 = 0;
  uint64_t cr4 = 0;
  uint64_t cr8 = 0;
  uint64_t efer = 0;
  uint64_t xcr0 = 1;
  uint64_t dr[8] = {0, 0, 0, 0, 0, 0, 0xffff0ff0, 0x400};

  // MSRs the engine keeps (SDM Vol. 4).
  uint64_t apic_base = 0xfee00900;  // BSP, xAPIC enabled
  uint64_t kernel_gs_base = 0;
  uint64_t star = 0, lstar = 0, cstar = 0, sfmask = 0;
  uint64_t sysenter_cs = 0, sysenter_esp = 0, sysenter_eip = 0;
  uint64_t tsc_offset = 0;
  uint64_t pat = 0x0007040600070406ull;
  uint64_t misc_enable = 1;  // fast strings
  uint64_t tsc_aux = 0;
  uint64_t tsc_adjust = 0;  // IA32_TSC_ADJUST (Vol. 3B §18.17.3)

  // ---- cold: SSE, AVX and x87 (SDM Vol. 1 §10.5.1, FXSAVE layout; §14.1) ----
  alignas(16) uint64_t xmm[16][2] = {};  // low, high quadword
  uint64_t ymm_hi[16][2] = {};           // YMMn[255:128], XSAVE state component 2 (Vol. 1 §13.5.3)
  uint32_t mxcsr = 0x1f80;               // all exceptions masked (Vol. 1 §10.2.3.1)
  uint16_t fcw = 0x40;                   // x87 control word at reset (FNINIT sets 0x37f)
  uint16_t fsw = 0;
  uint8_t ftw = 0;                       // abridged tag word: 1 = valid register
  uint8_t st[8][10] = {};                // x87 physical registers R0-R7 (x87_state.h)
};

// Seed 002: the hot fields are placed first deliberately; these checks keep
// a later edit from pushing them out of the first three cache lines.
static_assert(offsetof(VcpuState, gpr) == 0);
static_assert(offsetof(VcpuState, rip) == 128, "RIP follows the GPRs in the third cache line");
static_assert(offsetof(VcpuState, lazy) + sizeof(LazyFlags) <= 192, "lazy flags in the third cache line");
static_assert(offsetof(VcpuState, rflags) < 192 && offsetof(VcpuState, pending) < 192);
static_assert(offsetof(VcpuState, mode) < 192 && offsetof(VcpuState, cpl) < 192);
static_assert(offsetof(VcpuState, icount) + sizeof(uint64_t) <= 192, "hot block is three cache lines");
static_assert(offsetof(VcpuState, seg) == 192, "segment caches start the warm block");

}  // namespace nv
