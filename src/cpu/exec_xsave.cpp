// XSAVE, XSAVEOPT, XSAVEC and XRSTOR (SDM Vol. 1 ch. 13, Vol. 2 each
// instruction) over the layout of the vCPU's CPUID (Cpu::xstate(),
// docs/xstate.md). The engine's CPUID offers components 0 (x87) and 1 (SSE),
// which live in the legacy region (legacy_fp_area.h), and 2 (AVX: the upper
// halves of YMM0-15) at the offset CPUID.0xD.2 gives; XSETBV accepts no other
// component (XstateLayout::valid_xcr0). XSAVES/XRSTORS are not offered (#UD,
// counted as unimplemented).
//
// XINUSE (Vol. 1 §13.6) is taken as all ones: a processor may report a
// component in use at any time, so XSAVE's XSTATE_BV[i] = RFBM[i].
#include "cpu/cpu.h"
#include "cpu/handler_table.h"
#include "cpu/legacy_fp_area.h"

#include <cstring>
#include <vector>

namespace nv {

namespace {

constexpr uint64_t kCr0Ts = 1ull << 3;
constexpr uint64_t kCr4OsXsave = 1ull << 18;
constexpr uint64_t kCompacted = 1ull << 63;  // XCOMP_BV[63]: the compacted format (Vol. 1 §13.4.3)
constexpr unsigned kHeader = kXsaveLegacySize;  // XSTATE_BV at +0, XCOMP_BV at +8 (Vol. 1 §13.4.2)

// Common checks (Vol. 2 XSAVE, "Protected Mode Exceptions"): #UD without
// CR4.OSXSAVE, #NM with CR0.TS, #GP(0) unless the area is 64-byte aligned.
// Returns the area's linear address.
uint64_t xsave_area(Cpu& c, const DecodedInsn& i, unsigned size, bool write) {
  if (!(c.state().cr4 & kCr4OsXsave)) throw_fault(vec::kUD);
  if (c.state().cr0 & kCr0Ts) throw_fault(vec::kNM);
  uint64_t lin = c.linear(i.seg, c.effective_address(i), size, write);
  if (lin & 63) throw_fault(vec::kGP, 0);
  return lin;
}

// The requested-feature bitmap: XCR0 & EDX:EAX (Vol. 1 §13.6).
uint64_t rfbm(Cpu& c) { return c.state().xcr0 & ((c.reg(kRdx, 4) << 32) | c.reg(kRax, 4)); }

uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Registers whose state a component holds: XMM/YMM8-15 only in 64-bit mode
// (Vol. 1 §13.5.2, §13.5.3).
unsigned vector_count(const VcpuState& s) { return s.mode == CpuMode::long64 ? 16 : 8; }

// Component 2 (Vol. 1 §13.5.3): YMMn[255:128] as 16 bytes each, in order.
void store_ymm_hi(const VcpuState& s, uint8_t* p) {
  for (unsigned r = 0; r < vector_count(s); ++r) std::memcpy(p + 16 * r, s.ymm_hi[r], 16);
}
void load_ymm_hi(VcpuState& s, const uint8_t* p) {
  for (unsigned r = 0; r < vector_count(s); ++r) std::memcpy(s.ymm_hi[r], p + 16 * r, 16);
}

// Where component 2 starts: its CPUID.0xD.2:EBX offset in the standard
// format, after the components of XCOMP_BV below it in the compacted one
// (Vol. 1 §13.4.3).
uint32_t avx_offset(const XstateLayout& l, bool compacted, uint64_t xcomp_bv) {
  return compacted ? l.compacted_offset(kXstateAvx, xcomp_bv) : l.standard_offset(kXstateAvx);
}
constexpr uint32_t kAvxSize = sizeof(VcpuState::ymm_hi);

// XSAVE and XSAVEOPT (standard format, Vol. 1 §13.7, §13.9): components of
// RFBM at their standard offsets, XSTATE_BV[i] = RFBM[i] for those, the other
// XSTATE_BV bits and the rest of the header left as they are. XSAVEOPT may
// skip unmodified state; saving it anyway is allowed.
// XSAVEC (compacted, §13.10): XSTATE_BV = RFBM, XCOMP_BV = RFBM | bit 63.
enum class Form { xsave, xsaveopt, xsavec };
template <Form F>
void xsave(Cpu& c, const DecodedInsn& i) {
  constexpr bool Compacted = F == Form::xsavec;
  // #UD without the CPUID.0xD.1:EAX bit of the variant (Vol. 2 XSAVEOPT, XSAVEC).
  if ((F == Form::xsaveopt && !c.xstate().has_xsaveopt()) || (Compacted && !c.xstate().has_xsavec()))
    throw_fault(vec::kUD);
  const uint64_t mask = rfbm(c);
  const uint32_t avx_at = avx_offset(c.xstate(), Compacted, mask);
  const uint32_t size = (mask & (1u << kXstateAvx)) ? avx_at + kAvxSize : kXsaveMinSize;
  uint64_t lin = xsave_area(c, i, size, true);
  std::vector<uint8_t> area(size);
  read_linear_area(c, lin, area.data(), size);  // kept bytes are written back unchanged
  if (mask & 1) store_x87(c.state(), area.data());
  if (mask & 2) store_sse(c.state(), area.data());
  if (mask & 4) store_ymm_hi(c.state(), area.data() + avx_at);
  uint64_t xstate_bv = load64(&area[kHeader]);
  if (Compacted) {
    xstate_bv = mask;
    uint64_t xcomp_bv = mask | kCompacted;
    std::memcpy(&area[kHeader + 8], &xcomp_bv, 8);
  } else {
    xstate_bv = (xstate_bv & ~mask) | mask;
  }
  std::memcpy(&area[kHeader], &xstate_bv, 8);
  write_linear_area(c, lin, area.data(), size);
}

// XRSTOR (Vol. 1 §13.8): the header decides the format; each component of
// RFBM is loaded when XSTATE_BV has it, else put in its initial state.
void xrstor(Cpu& c, const DecodedInsn& i) {
  const uint64_t mask = rfbm(c);
  uint64_t lin = xsave_area(c, i, kXsaveMinSize, false);
  uint8_t area[kXsaveMinSize];
  read_linear_area(c, lin, area, kXsaveMinSize);
  const uint64_t xcr0 = c.state().xcr0;
  const uint64_t xstate_bv = load64(area + kHeader), xcomp_bv = load64(area + kHeader + 8);
  const bool compacted = xcomp_bv & kCompacted;
  // §13.8.1: #GP(0) for a header the format does not allow.
  if (compacted) {
    if (!c.xstate().has_xsavec()) throw_fault(vec::kGP, 0);
    if ((xcomp_bv & ~kCompacted & ~xcr0) || (xstate_bv & ~xcomp_bv)) throw_fault(vec::kGP, 0);
    for (unsigned k = 16; k < kXsaveHeaderSize; ++k)
      if (area[kHeader + k]) throw_fault(vec::kGP, 0);
  } else {
    if (xstate_bv & ~xcr0) throw_fault(vec::kGP, 0);
    if (xcomp_bv || load64(area + kHeader + 16)) throw_fault(vec::kGP, 0);
  }
  // §13.8.2: MXCSR comes from memory when RFBM[1] (standard format) or
  // XSTATE_BV[1] (compacted) is set; its reserved bits #GP.
  const bool load_mxcsr = (mask & 2) && (!compacted || (xstate_bv & 2));
  const uint32_t mxcsr = area_mxcsr(area);
  if (load_mxcsr && (mxcsr & ~kMxcsrMask)) throw_fault(vec::kGP, 0);
  // Component 2 is read (and its pages checked) before any state changes.
  uint8_t ymm_hi[kAvxSize];
  const bool load_avx = mask & xstate_bv & 4;
  if (load_avx) read_linear_area(c, lin + avx_offset(c.xstate(), compacted, xcomp_bv), ymm_hi, kAvxSize);
  VcpuState& s = c.state();
  if (mask & 1) {
    if (xstate_bv & 1) {
      load_x87(s, area);
    } else {  // initial x87 state (Vol. 1 §13.6): FCW 37FH, FSW 0, all registers empty and 0
      s.fcw = 0x37f;
      s.fsw = 0;
      s.ftw = 0;
      std::memset(s.st, 0, sizeof s.st);
    }
  }
  if (mask & 2) {
    if (xstate_bv & 2) load_xmm(s, area);
    else std::memset(s.xmm, 0, sizeof s.xmm);
    if (load_mxcsr) s.mxcsr = mxcsr;
    else if (!(xstate_bv & 2)) s.mxcsr = 0x1f80;
  }
  if (mask & 4) {  // initial AVX state: the upper halves zero
    if (load_avx) load_ymm_hi(s, ymm_hi);
    else std::memset(s.ymm_hi, 0, sizeof s.ymm_hi);
  }
}

}  // namespace

void add_xsave_handlers(HandlerTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XSAVE, ZYDIS_MNEMONIC_XSAVE64}) t.add(m, xsave<Form::xsave>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XSAVEOPT, ZYDIS_MNEMONIC_XSAVEOPT64}) t.add(m, xsave<Form::xsaveopt>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XSAVEC, ZYDIS_MNEMONIC_XSAVEC64}) t.add(m, xsave<Form::xsavec>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XRSTOR, ZYDIS_MNEMONIC_XRSTOR64}) t.add(m, xrstor);
}

}  // namespace nv
