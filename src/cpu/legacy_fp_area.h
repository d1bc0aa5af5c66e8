// The 512-byte legacy region FXSAVE writes and XSAVE shares for state
// components 0 (x87) and 1 (SSE) (SDM Vol. 1 §10.5.1 Table 10-2, §13.4.1).
// FOP, FIP and FDP are not tracked and are saved as 0.
#pragma once

#include "cpu/vcpu_state.h"

#include <cstdint>

namespace nv {

class Cpu;

inline constexpr unsigned kLegacyAreaSize = 512;
inline constexpr uint32_t kMxcsrMask = 0xffff;  // MXCSR bits the engine accepts (no DAZ above bit 15)

// x87: FCW, FSW, abridged FTW (bytes 0..23) and ST0-7 in stack order (32..159).
void store_x87(const VcpuState& s, uint8_t* area);
void load_x87(VcpuState& s, const uint8_t* area);
// SSE: MXCSR and MXCSR_MASK (24..31) and XMM0-7, or XMM0-15 in 64-bit mode (160..415).
void store_sse(const VcpuState& s, uint8_t* area);
void load_xmm(VcpuState& s, const uint8_t* area);
uint32_t area_mxcsr(const uint8_t* area);

// Copies `size` bytes (a multiple of 8) between guest linear memory and a
// buffer; every page is checked before anything is written.
void read_linear_area(Cpu& c, uint64_t lin, uint8_t* buf, unsigned size);
void write_linear_area(Cpu& c, uint64_t lin, const uint8_t* buf, unsigned size);

}  // namespace nv
