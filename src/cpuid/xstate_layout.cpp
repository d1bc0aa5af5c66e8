#include "cpuid/xstate_layout.h"

#include "util/error.h"

#include <algorithm>
#include <bit>

namespace nv {

namespace {

constexpr uint32_t kXstateLeaf = 0xd;

struct Regs {
  uint32_t eax, ebx, ecx, edx;
};

Regs host_cpuid(uint32_t leaf, uint32_t subleaf) {
  Regs r;
  asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
  return r;
}

uint32_t align64(uint32_t offset) { return (offset + 63) & ~63u; }

// Components 2..62 of mask, lowest first.
template <typename F>
void for_each_extended(uint64_t mask, F&& f) {
  for (uint64_t m = mask & ~uint64_t{3} & ~(uint64_t{1} << 63); m != 0; m &= m - 1) f(unsigned(std::countr_zero(m)));
}

constexpr uint64_t bit(unsigned i) { return uint64_t{1} << i; }

}  // namespace

void XstateLayout::set_component(unsigned i, uint32_t eax, uint32_t ebx, uint32_t ecx) {
  // CPUID.0xD.i, i >= 2 (SDM Vol. 2A, CPUID leaf 0DH).
  components_[i] = XstateComponentInfo{eax, ebx, (ecx & 1u) != 0, (ecx & 2u) != 0};
}

void XstateLayout::check() const {
  if (supported_xcr0_ != 0 && !(supported_xcr0_ & bit(kXstateX87)))
    fail("CPUID.0xD.0: supported XCR0 mask {:#x} lacks x87 state (bit 0), which XSAVE always has (SDM Vol. 1 §13.3)",
         supported_xcr0_);
  if (supported_xss_ & 3)
    fail("CPUID.0xD.1: IA32_XSS mask {:#x} includes the legacy components 0/1, which only XCR0 manages",
         supported_xss_);
  if (supported_xcr0_ & supported_xss_)
    fail("CPUID.0xD: components {:#x} are reported both in XCR0 (0xD.0 EDX:EAX) and in IA32_XSS (0xD.1 EDX:ECX)",
         supported_xcr0_ & supported_xss_);
  if ((supported_xcr0_ | supported_xss_) & bit(63))
    fail("CPUID.0xD: bit 63 is reported as a state component; it is reserved (SDM Vol. 1 §13.1)");
  for_each_extended(supported_xcr0_ | supported_xss_, [&](unsigned i) {
    const XstateComponentInfo& c = components_[i];
    bool user = supported_xcr0_ & bit(i);
    if (c.size == 0) fail("CPUID.0xD.{}: component {} is supported but its size (EAX) is 0", i, i);
    if (c.supervisor == user)
      fail("CPUID.0xD.{}: ECX[0] says {} but the component is in the {} mask", i, c.supervisor ? "supervisor" : "user",
           user ? "XCR0" : "IA32_XSS");
    if (user && c.offset < kXsaveMinSize)
      fail("CPUID.0xD.{}: standard offset (EBX) {:#x} overlaps the legacy region and XSAVE header (576 bytes)", i,
           c.offset);
  });
}

XstateLayout XstateLayout::from_host() {
  XstateLayout layout;
  if (host_cpuid(0, 0).eax < kXstateLeaf) return layout;
  Regs sub0 = host_cpuid(kXstateLeaf, 0), sub1 = host_cpuid(kXstateLeaf, 1);
  layout.supported_xcr0_ = uint64_t{sub0.edx} << 32 | sub0.eax;
  layout.supported_xss_ = uint64_t{sub1.edx} << 32 | sub1.ecx;
  layout.features_ = sub1.eax;
  for_each_extended(layout.supported_xcr0_ | layout.supported_xss_, [&](unsigned i) {
    Regs r = host_cpuid(kXstateLeaf, i);
    layout.set_component(i, r.eax, r.ebx, r.ecx);
  });
  layout.check();
  return layout;
}

XstateLayout XstateLayout::from_cpuid(std::span<const CpuidEntry> entries) {
  auto find = [&](uint32_t index) -> const CpuidEntry* {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const CpuidEntry& e) { return e.function == kXstateLeaf && e.index == index; });
    return it == entries.end() ? nullptr : &*it;
  };
  XstateLayout layout;
  const CpuidEntry* sub0 = find(0);
  if (!sub0) return layout;
  layout.supported_xcr0_ = uint64_t{sub0->edx} << 32 | sub0->eax;
  if (const CpuidEntry* sub1 = find(1)) {
    layout.supported_xss_ = uint64_t{sub1->edx} << 32 | sub1->ecx;
    layout.features_ = sub1->eax;
  }
  for_each_extended(layout.supported_xcr0_ | layout.supported_xss_, [&](unsigned i) {
    const CpuidEntry* e = find(i);
    if (!e) fail("CPUID.0xD.{}: component {} is supported (CPUID.0xD.0/1) but the table has no subleaf {}", i, i, i);
    layout.set_component(i, e->eax, e->ebx, e->ecx);
  });
  layout.check();
  return layout;
}

uint32_t XstateLayout::standard_size(uint64_t xcr0) const {
  // Standard offsets are fixed per component but not ordered by number, so
  // the end of the area is the maximum end (SDM Vol. 1 §13.4.3).
  uint32_t size = kXsaveMinSize;
  for_each_extended(xcr0 & supported_xcr0_,
                    [&](unsigned i) { size = std::max(size, components_[i].offset + components_[i].size); });
  return size;
}

uint32_t XstateLayout::compacted_size(uint64_t mask) const {
  uint32_t size = kXsaveMinSize;
  for_each_extended(mask & (supported_xcr0_ | supported_xss_), [&](unsigned i) {
    const XstateComponentInfo& c = components_[i];
    size = (c.align64 ? align64(size) : size) + c.size;
  });
  return size;
}

uint32_t XstateLayout::compacted_offset(unsigned i, uint64_t mask) const {
  if (i < 2) return 0;
  uint32_t offset = compacted_size(mask & (bit(i) - 1));
  return components_[i].align64 ? align64(offset) : offset;
}

bool XstateLayout::valid_xcr0(uint64_t xcr0) const {
  // SDM Vol. 1 §13.3 and Vol. 2B XSETBV, "Protected Mode Exceptions".
  constexpr uint64_t kAvx512 = bit(kXstateOpmask) | bit(kXstateZmmHi256) | bit(kXstateHi16Zmm);
  constexpr uint64_t kMpx = bit(kXstateBndregs) | bit(kXstateBndcsr);
  constexpr uint64_t kAmx = bit(kXstateTilecfg) | bit(kXstateTiledata);
  auto all_or_none = [&](uint64_t group) { return (xcr0 & group) == 0 || (xcr0 & group) == group; };
  if (xcr0 & ~supported_xcr0_) return false;
  if (!(xcr0 & bit(kXstateX87))) return false;
  if ((xcr0 & bit(kXstateAvx)) && !(xcr0 & bit(kXstateSse))) return false;
  if (!all_or_none(kMpx) || !all_or_none(kAvx512) || !all_or_none(kAmx)) return false;
  if ((xcr0 & kAvx512) && !(xcr0 & bit(kXstateAvx))) return false;
  return true;
}

XstateSizer::Sizes XstateSizer::recompute(uint64_t xcr0, uint64_t xss) {
  if (use_cache_) return Sizes{layout_.standard_size(xcr0), layout_.compacted_size(xcr0 | xss)};
  return Sizes{host_required_size(xcr0, false), host_required_size(xcr0 | xss, true)};
}

// The pre-seed-000 computation: one host CPUID 0xD.i per enabled component,
// every time (the same rules as the table, from live CPUID).
uint32_t XstateSizer::host_required_size(uint64_t mask, bool compacted) {
  uint32_t size = kXsaveMinSize;
  for_each_extended(mask, [&](unsigned i) {
    Regs r = host_cpuid(kXstateLeaf, i);
    ++host_cpuid_executions_;
    uint32_t offset = compacted ? ((r.ecx & 2u) ? align64(size) : size) : r.ebx;
    size = std::max(size, offset + r.eax);
  });
  return size;
}

}  // namespace nv
