#include "cpu/decoder.h"

#include "cpu/handler_table.h"

#include <Zydis/Zydis.h>

namespace nv {

namespace {

struct Decoders {
  ZydisDecoder by_mode[kCpuModeCount];
  Decoders() {
    auto init = [&](CpuMode m, ZydisMachineMode mm, ZydisStackWidth sw) {
      ZydisDecoderInit(&by_mode[static_cast<unsigned>(m)], mm, sw);
    };
    init(CpuMode::real, ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16);
    init(CpuMode::v8086, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
    init(CpuMode::prot16, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
    init(CpuMode::prot32, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    init(CpuMode::compat16, ZYDIS_MACHINE_MODE_LONG_COMPAT_16, ZYDIS_STACK_WIDTH_16);
    init(CpuMode::compat32, ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32);
    init(CpuMode::long64, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  }
};

// Zydis register -> (kind, number). False for registers the engine has no
// state for (ZMM, XMM16-31, mask registers, ...).
bool map_register(ZydisRegister r, Operand& op) {
  if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_R15B) {
    unsigned n = r - ZYDIS_REGISTER_AL;  // AL CL DL BL AH CH DH BH SPL BPL SIL DIL R8B..R15B
    if (n >= 4 && n < 8) {
      op.kind = OpKind::reg8h;
      op.reg = static_cast<uint8_t>(n - 4);
    } else {
      op.kind = OpKind::reg;
      op.reg = static_cast<uint8_t>(n < 4 ? n : n - 4);
    }
    return true;
  }
  auto in = [&](ZydisRegister first, ZydisRegister last, OpKind kind) {
    if (r < first || r > last) return false;
    op.kind = kind;
    op.reg = static_cast<uint8_t>(r - first);
    return true;
  };
  return in(ZYDIS_REGISTER_AX, ZYDIS_REGISTER_R15W, OpKind::reg) ||
         in(ZYDIS_REGISTER_EAX, ZYDIS_REGISTER_R15D, OpKind::reg) ||
         in(ZYDIS_REGISTER_RAX, ZYDIS_REGISTER_R15, OpKind::reg) ||
         in(ZYDIS_REGISTER_ES, ZYDIS_REGISTER_GS, OpKind::sreg) ||
         in(ZYDIS_REGISTER_CR0, ZYDIS_REGISTER_CR15, OpKind::creg) ||
         in(ZYDIS_REGISTER_DR0, ZYDIS_REGISTER_DR15, OpKind::dreg) ||
         in(ZYDIS_REGISTER_XMM0, ZYDIS_REGISTER_XMM15, OpKind::xmm) ||
         in(ZYDIS_REGISTER_YMM0, ZYDIS_REGISTER_YMM15, OpKind::ymm) ||
         in(ZYDIS_REGISTER_MM0, ZYDIS_REGISTER_MM7, OpKind::mmx) ||
         in(ZYDIS_REGISTER_ST0, ZYDIS_REGISTER_ST7, OpKind::st);
}

// A GPR used as a memory base or index (any width), or RIP/EIP.
uint8_t address_register(ZydisRegister r) {
  if (r == ZYDIS_REGISTER_NONE) return kNoReg;
  if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP || r == ZYDIS_REGISTER_IP) return kRipReg;
  Operand op;
  if (map_register(r, op) && op.kind == OpKind::reg) return op.reg;
  return kNoReg;
}

uint8_t segment_number(ZydisRegister r) {
  return r >= ZYDIS_REGISTER_ES && r <= ZYDIS_REGISTER_GS ? static_cast<uint8_t>(r - ZYDIS_REGISTER_ES) : static_cast<uint8_t>(kDs);
}

// The last segment-override prefix byte (the one that counts), 0 if none.
// Zydis reports 64-bit mode's ignored CS/SS/DS/ES overrides only here.
uint8_t last_segment_prefix(const ZydisDecodedInstruction& zi) {
  uint8_t last = 0;
  for (unsigned k = 0; k < zi.raw.prefix_count; ++k) {
    const uint8_t b = zi.raw.prefixes[k].value;
    if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65) last = b;
  }
  return last;
}

bool is_string_op(ZydisMnemonic m) {
  switch (m) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD: case ZYDIS_MNEMONIC_MOVSQ:
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD: case ZYDIS_MNEMONIC_CMPSQ:
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD: case ZYDIS_MNEMONIC_LODSQ:
    case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
      return true;
    default:
      return false;
  }
}

}  // namespace

DecodeStatus decode_instruction(CpuMode mode, const uint8_t* bytes, size_t avail, DecodedInsn& out) {
  static const Decoders decoders;
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
  ZyanStatus st = ZydisDecoderDecodeFull(&decoders.by_mode[static_cast<unsigned>(mode)], bytes, avail < 15 ? avail : 15,
                                         &zi, zo);
  if (!ZYAN_SUCCESS(st) && mode == CpuMode::real) {
    // Zydis rejects SYSENTER/SYSEXIT (0F 34, 0F 35) in real mode, where the
    // SDM decodes them and raises #GP(0) (Vol. 2B SYSENTER, SYSEXIT): take
    // those two from 16-bit protected-mode decoding, which reads them alike.
    const ZyanStatus st16 = ZydisDecoderDecodeFull(&decoders.by_mode[static_cast<unsigned>(CpuMode::prot16)], bytes,
                                                   avail < 15 ? avail : 15, &zi, zo);
    if (ZYAN_SUCCESS(st16) && (zi.mnemonic == ZYDIS_MNEMONIC_SYSENTER || zi.mnemonic == ZYDIS_MNEMONIC_SYSEXIT))
      st = st16;
  }
  if (st == ZYDIS_STATUS_NO_MORE_DATA) return avail < 15 ? DecodeStatus::need_more_bytes : DecodeStatus::invalid;
  if (!ZYAN_SUCCESS(st)) return DecodeStatus::invalid;

  out = DecodedInsn{};
  out.mnemonic = static_cast<uint16_t>(zi.mnemonic);
  out.length = zi.length;
  out.osize = static_cast<uint8_t>(zi.operand_width / 8);
  out.asize = static_cast<uint8_t>(zi.address_width / 8);
  out.cc = zi.opcode & 0xf;
  // JMP/CALL/RET: cc says far (the same mnemonic covers both).
  if (zi.mnemonic == ZYDIS_MNEMONIC_JMP || zi.mnemonic == ZYDIS_MNEMONIC_CALL || zi.mnemonic == ZYDIS_MNEMONIC_RET)
    out.cc = zi.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR ? 1 : 0;
  if (zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE)) out.rep = Rep::rep;
  if (zi.attributes & ZYDIS_ATTRIB_HAS_REPNE) out.rep = Rep::repne;
  out.seg_override = (zi.attributes & ZYDIS_ATTRIB_HAS_SEGMENT) ? 1 : 0;
  out.seg = kDs;

  // VEX (AVX, SDM Vol. 2A §2.3): Zydis has checked the prefixes, VEX.vvvv and
  // VEX.L; the handlers check CR4/XCR0/CR0 (check_avx). EVEX, XOP, 3DNow! and
  // MVEX are not implemented.
  const bool vex = zi.encoding == ZYDIS_INSTRUCTION_ENCODING_VEX;
  bool supported = zi.encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY || vex;
  bool string_op = is_string_op(zi.mnemonic);
  bool masked_store = zi.mnemonic == ZYDIS_MNEMONIC_MASKMOVQ || zi.mnemonic == ZYDIS_MNEMONIC_MASKMOVDQU ||
                      zi.mnemonic == ZYDIS_MNEMONIC_VMASKMOVDQU;
  unsigned n = 0;
  bool have_imm = false;
  for (unsigned k = 0; k < zi.operand_count; ++k) {
    const ZydisDecodedOperand& o = zo[k];
    if (o.type == ZYDIS_OPERAND_TYPE_MEMORY && string_op && o.mem.base != ZYDIS_REGISTER_NONE) {
      // The source of a string op: DS:rSI unless overridden (Vol. 2B MOVS).
      uint8_t b = address_register(o.mem.base);
      if (b == kRsi) out.seg = segment_number(o.mem.segment);
    }
    // MASKMOVQ/MASKMOVDQU store to DS:rDI unless overridden (Vol. 2B MASKMOVDQU).
    if (o.type == ZYDIS_OPERAND_TYPE_MEMORY && masked_store)
      out.seg = segment_number(o.mem.segment);
    if (o.visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN) continue;  // implicit ones (eAX in A3, "1" in D1) count
    // A VEX imm8 after three register/memory operands (VSHUFPS, VINSERTF128)
    // lives in `imm` only, as does a fourth register operand, which VEX
    // encodes in imm8[7:4] (VBLENDVPS; Vol. 2A §3.1.1.2, "/is4").
    if (vex && n == 3 && o.type == ZYDIS_OPERAND_TYPE_IMMEDIATE && !have_imm) {
      out.imm = o.imm.value.u;
      have_imm = true;
      continue;
    }
    Operand fourth;
    if (vex && n == 3 && o.type == ZYDIS_OPERAND_TYPE_REGISTER && o.encoding == ZYDIS_OPERAND_ENCODING_IS4 &&
        !have_imm && map_register(o.reg.value, fourth)) {
      out.imm = uint64_t{fourth.reg} << 4;
      have_imm = true;
      continue;
    }
    if (n >= 3) {
      supported = false;
      break;
    }
    Operand& op = out.op[n];
    op.size = static_cast<uint8_t>(o.size / 8);
    switch (o.type) {
      case ZYDIS_OPERAND_TYPE_REGISTER:
        if (!map_register(o.reg.value, op)) supported = false;
        break;
      case ZYDIS_OPERAND_TYPE_MEMORY:
        op.kind = OpKind::mem;
        if (!string_op) out.seg = segment_number(o.mem.segment);
        // In 64-bit mode an SS prefix does not change the address, but the
        // reference is still to SS: a non-canonical address is #SS(0), not
        // #GP(0) (Vol. 2, "64-Bit Mode Exceptions" of each instruction).
        if (mode == CpuMode::long64 && !string_op && last_segment_prefix(zi) == 0x36) out.seg = kSs;
        if ((o.actions & ZYDIS_OPERAND_ACTION_MASK_READ) && (o.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE)) out.rmw = 1;
        out.base = address_register(o.mem.base);
        out.index = address_register(o.mem.index);
        out.scale = o.mem.scale ? o.mem.scale : 1;
        out.disp = o.mem.disp.has_displacement ? o.mem.disp.value : 0;
        if ((o.mem.base != ZYDIS_REGISTER_NONE && out.base == kNoReg) ||
            (o.mem.index != ZYDIS_REGISTER_NONE && out.index == kNoReg))
          supported = false;  // VSIB and friends
        break;
      case ZYDIS_OPERAND_TYPE_POINTER:
        op.kind = OpKind::imm;
        out.imm = o.ptr.offset;
        out.imm2 = o.ptr.segment;
        break;
      case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        op.kind = OpKind::imm;
        if (!have_imm) {
          out.imm = o.imm.is_signed ? static_cast<uint64_t>(o.imm.value.s) : o.imm.value.u;
          have_imm = true;
        } else {
          out.imm2 = o.imm.value.u;
        }
        break;
      default:
        supported = false;
        break;
    }
    ++n;
  }
  out.handler = supported ? select_handler(out) : handle_unimplemented;
  return DecodeStatus::ok;
}

}  // namespace nv
