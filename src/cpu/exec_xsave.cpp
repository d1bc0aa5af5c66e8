// XSAVE, XSAVEOPT, XSAVEC and XRSTOR (SDM Vol. 1 ch. 13, Vol. 2 each
// instruction) over the layout of the vCPU's CPUID (Cpu::xstate(),
// docs/xstate.md). The engine's CPUID enables components 0 (x87) and 1 (SSE),
// which live in the legacy region (legacy_fp_area.h) of the 576-byte area;
// XSETBV accepts no other component (XstateLayout::valid_xcr0), so nothing
// is saved beyond it. XSAVES/XRSTORS are not offered (#UD, counted as
// unimplemented).
//
// XINUSE (Vol. 1 §13.6) is taken as all ones: a processor may report a
// component in use at any time, so XSAVE's XSTATE_BV[i] = RFBM[i].
#include "cpu/cpu.h"
#include "cpu/handler_table.h"
#include "cpu/legacy_fp_area.h"

#include <cstring>

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

// XSAVE and XSAVEOPT (standard format, Vol. 1 §13.7, §13.9): components of
// RFBM into the legacy region, XSTATE_BV[i] = RFBM[i] for those, the other
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
  uint64_t lin = xsave_area(c, i, kXsaveMinSize, true);
  uint8_t area[kXsaveMinSize];
  read_linear_area(c, lin, area, kXsaveMinSize);  // kept bytes are written back unchanged
  if (mask & 1) store_x87(c.state(), area);
  if (mask & 2) store_sse(c.state(), area);
  uint64_t xstate_bv = load64(area + kHeader);
  if (Compacted) {
    xstate_bv = mask;
    uint64_t xcomp_bv = mask | kCompacted;
    std::memcpy(area + kHeader + 8, &xcomp_bv, 8);
  } else {
    xstate_bv = (xstate_bv & ~mask) | mask;
  }
  std::memcpy(area + kHeader, &xstate_bv, 8);
  write_linear_area(c, lin, area, kXsaveMinSize);
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
  // §13.8.1: #GP(0) for a header the format does not allow.
  if (xcomp_bv & kCompacted) {
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
  const bool load_mxcsr = (mask & 2) && (!(xcomp_bv & kCompacted) || (xstate_bv & 2));
  const uint32_t mxcsr = area_mxcsr(area);
  if (load_mxcsr && (mxcsr & ~kMxcsrMask)) throw_fault(vec::kGP, 0);
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
}

}  // namespace

void add_xsave_handlers(HandlerTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XSAVE, ZYDIS_MNEMONIC_XSAVE64}) t.add(m, xsave<Form::xsave>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XSAVEOPT, ZYDIS_MNEMONIC_XSAVEOPT64}) t.add(m, xsave<Form::xsaveopt>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XSAVEC, ZYDIS_MNEMONIC_XSAVEC64}) t.add(m, xsave<Form::xsavec>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XRSTOR, ZYDIS_MNEMONIC_XRSTOR64}) t.add(m, xrstor);
}

}  // namespace nv
