// Zydis -> DecodedInsn: decodes one instruction for a CPU mode, resolves its
// registers and memory operand and picks its handler.
#pragma once

#include "cpu/decoded_insn.h"
#include "cpu/vcpu_state.h"

#include <cstddef>
#include <cstdint>

namespace nv {

enum class DecodeStatus { ok, need_more_bytes, invalid };

// `avail` bytes at `bytes` (at most 15 are looked at). need_more_bytes when
// the instruction runs past `avail` (it crosses into the next page).
DecodeStatus decode_instruction(CpuMode mode, const uint8_t* bytes, size_t avail, DecodedInsn& out);

}  // namespace nv
