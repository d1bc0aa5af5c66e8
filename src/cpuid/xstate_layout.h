// The XSAVE area layout enumerated by CPUID leaf 0xD, read once into a table
// (seed 000: KVM made nested VM-Enter/VM-Exit up to 4x faster by caching
// these sizes and offsets at module init instead of executing CPUID on every
// recomputation). Every later query is a table read; no query executes CPUID.
// Intel SDM Vol. 1 §13.2 (enumeration), §13.4 (layout), §13.4.3 (compacted
// format); Vol. 2A CPUID leaf 0DH.
#pragma once

#include "cpuid/cpu_model.h"

#include <array>
#include <cstdint>
#include <span>

namespace nv {

// State-component numbers (SDM Vol. 1 §13.1).
enum XstateComponent : unsigned {
  kXstateX87 = 0,
  kXstateSse = 1,
  kXstateAvx = 2,
  kXstateBndregs = 3,
  kXstateBndcsr = 4,
  kXstateOpmask = 5,
  kXstateZmmHi256 = 6,
  kXstateHi16Zmm = 7,
  kXstatePkru = 9,
  kXstateCetU = 11,
  kXstateCetS = 12,
  kXstateTilecfg = 17,
  kXstateTiledata = 18,
};

// Bits 0..62 of XCR0 | IA32_XSS name state components; bit 63 is reserved
// (it marks the compacted format in XCOMP_BV).
inline constexpr unsigned kXstateComponentCount = 63;
// Legacy region (components 0 and 1) and XSAVE header (SDM Vol. 1 §13.4.1,
// §13.4.2): every XSAVE area is at least 576 bytes.
inline constexpr uint32_t kXsaveLegacySize = 512;
inline constexpr uint32_t kXsaveHeaderSize = 64;
inline constexpr uint32_t kXsaveMinSize = kXsaveLegacySize + kXsaveHeaderSize;

struct XstateComponentInfo {
  uint32_t size = 0;        // CPUID.0xD.i:EAX
  uint32_t offset = 0;      // CPUID.0xD.i:EBX: standard-format offset (0 for supervisor components)
  bool supervisor = false;  // CPUID.0xD.i:ECX[0]: managed through IA32_XSS, not XCR0
  bool align64 = false;     // CPUID.0xD.i:ECX[1]: 64-byte aligned in the compacted format
};

class XstateLayout {
 public:
  // A processor without XSAVE: nothing beyond the legacy region.
  XstateLayout() = default;

  // Executes CPUID 0xD (subleaves 0, 1 and one per supported component) on
  // the host, once. Empty layout if the host's maximum basic leaf is below 0xD.
  static XstateLayout from_host();

  // From a CPUID table (the CPUID the emulated CPU advertises). No leaf 0xD
  // subleaf 0 means no XSAVE. Throws nv::Error when leaf 0xD contradicts
  // itself (a supported component without a subleaf, a size of 0, a user
  // component overlapping the legacy region or header, a supervisor flag that
  // disagrees with the mask the component is in).
  static XstateLayout from_cpuid(std::span<const CpuidEntry> entries);

  // CPUID.0xD.0 EDX:EAX and CPUID.0xD.1 EDX:ECX.
  uint64_t supported_xcr0() const { return supported_xcr0_; }
  uint64_t supported_xss() const { return supported_xss_; }
  // CPUID.0xD.1:EAX bits 0..3.
  bool has_xsaveopt() const { return features_ & 1u; }
  bool has_xsavec() const { return features_ & 2u; }
  bool has_xgetbv1() const { return features_ & 4u; }
  bool has_xsaves() const { return features_ & 8u; }

  // Components 0 and 1 both report the 512-byte legacy region at offset 0;
  // an unsupported component reports zeros. i < kXstateComponentCount.
  const XstateComponentInfo& component(unsigned i) const { return components_[i]; }

  // Standard-format offset of component i (SDM Vol. 1 §13.4.3: fixed, from
  // CPUID.0xD.i:EBX); 0 for the legacy components and supervisor components.
  uint32_t standard_offset(unsigned i) const { return i < 2 ? 0 : components_[i].offset; }

  // Size of a standard-format area for XCR0 = xcr0, what CPUID.0xD.0:EBX
  // reports (SDM Vol. 2A CPUID leaf 0DH): the end of the last enabled user
  // component, at least 576. Bits that are not supported user components are
  // ignored. O(set bits of xcr0).
  uint32_t standard_size(uint64_t xcr0) const;

  // Size of a compacted-format area holding the components of `mask`
  // (XCR0 | IA32_XSS for XSAVES, what CPUID.0xD.1:EBX reports; XCR0 & RFBM
  // for XSAVEC). SDM Vol. 1 §13.4.3. O(set bits of mask).
  uint32_t compacted_size(uint64_t mask) const;

  // Offset of component i in a compacted area whose XCOMP_BV is `mask`: 576
  // plus the sizes of the supported components of `mask` below i, each
  // 64-byte aligned where CPUID.0xD.j:ECX[1] says so, then aligned for i
  // itself (SDM Vol. 1 §13.4.3). For i not in mask this is where it would
  // start. Components 0 and 1 are in the legacy region: 0.
  uint32_t compacted_offset(unsigned i, uint64_t mask) const;

  // Whether XSETBV may load xcr0 into XCR0 (SDM Vol. 1 §13.3; Vol. 2B XSETBV
  // #GP conditions): bit 0 set; only supported user components; AVX needs
  // SSE; MPX bits 3 and 4 equal; AVX-512 bits 5..7 all or none, and then AVX;
  // AMX bits 17 and 18 equal.
  bool valid_xcr0(uint64_t xcr0) const;

  // Whether WRMSR may load xss into IA32_XSS (SDM Vol. 1 §13.3, Vol. 4
  // IA32_XSS): only supported supervisor components (bits enumerated by
  // CPUID.0xD.1 EDX:ECX); every other bit is reserved.
  bool valid_xss(uint64_t xss) const { return (xss & ~supported_xss_) == 0; }

 private:
  void set_component(unsigned i, uint32_t eax, uint32_t ebx, uint32_t ecx);
  void check() const;

  uint64_t supported_xcr0_ = 0;
  uint64_t supported_xss_ = 0;
  uint32_t features_ = 0;
  std::array<XstateComponentInfo, kXstateComponentCount> components_{};
};

// Recomputes a guest's XSAVE area sizes (its CPUID.0xD.0:EBX and
// CPUID.0xD.1:EBX) after an XCR0, IA32_XSS or CR4.OSXSAVE change and on
// nested VM entry and exit. With the cache (the default) the sizes come from
// the layout table. With `--xstate-cache=off` every recomputation executes
// host CPUID 0xD.i for each enabled component, as KVM's xstate_required_size()
// did before seed 000's fix, so the cost can be measured; the answers are the
// same when the layout is the host's.
class XstateSizer {
 public:
  struct Sizes {
    uint32_t standard;   // CPUID.0xD.0:EBX for this XCR0
    uint32_t compacted;  // CPUID.0xD.1:EBX for this XCR0 | IA32_XSS
    bool operator==(const Sizes&) const = default;
  };

  XstateSizer(const XstateLayout& layout, bool use_cache) : layout_(layout), use_cache_(use_cache) {}

  Sizes recompute(uint64_t xcr0, uint64_t xss);

  bool uses_cache() const { return use_cache_; }
  // Host CPUID instructions executed by recompute() so far.
  uint64_t host_cpuid_executions() const { return host_cpuid_executions_; }

 private:
  uint32_t host_required_size(uint64_t mask, bool compacted);

  const XstateLayout& layout_;
  bool use_cache_;
  uint64_t host_cpuid_executions_ = 0;
};

}  // namespace nv
