// The compact form an instruction is decoded into once (by Zydis) and then
// executed from the decode cache: the handler chosen at decode time,
// pre-resolved register numbers, one memory operand, immediates, sizes.
#pragma once

#include <cstdint>

namespace nv {

class Cpu;
struct DecodedInsn;
using Handler = void (*)(Cpu&, const DecodedInsn&);

enum class OpKind : uint8_t { none, reg, reg8h, mem, imm, sreg, creg, dreg, xmm, mmx, st, ymm };

struct Operand {
  OpKind kind = OpKind::none;
  uint8_t size = 0;  // bytes
  uint8_t reg = 0;   // GPR number (reg, reg8h: AH=0..BH=3), Sreg, CRn, DRn, XMM/YMM/MMX number or x87 ST(i)
};

inline constexpr uint8_t kNoReg = 0xff;
inline constexpr uint8_t kRipReg = 16;  // memory base: RIP-relative

enum class Rep : uint8_t { none, rep, repne };

struct DecodedInsn {
  Handler handler = nullptr;
  int64_t disp = 0;   // memory displacement
  uint64_t imm = 0;   // first immediate, sign-extended to 64 bits when signed; branch displacement
  uint64_t imm2 = 0;  // second immediate (ENTER level, far pointer selector)
  Operand op[3];
  // The memory operand (at most one explicit; string ops use their implicit ones).
  uint8_t seg = 0;  // effective segment: override or default
  uint8_t base = kNoReg;
  uint8_t index = kNoReg;
  uint8_t scale = 1;
  uint8_t length = 0;
  uint8_t osize = 4;  // operand size in bytes
  uint8_t asize = 4;  // address size in bytes
  Rep rep = Rep::none;
  uint8_t seg_override = 0;  // 1 when a segment prefix is present
  uint8_t cc = 0;            // condition code of Jcc/SETcc/CMOVcc, or a per-handler sub-op
  uint16_t mnemonic = 0;     // ZydisMnemonic, for diagnostics
  // The memory operand is read and then written (ADD [m], r; XCHG; shifts):
  // its read is checked as a write, so a fault reports W = 1 in the #PF error
  // code and a read-only segment faults before anything is read.
  uint8_t rmw = 0;
};

}  // namespace nv
