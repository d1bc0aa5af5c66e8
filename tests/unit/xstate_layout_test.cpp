#include "cpuid/xstate_layout.h"

#include "util/error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cpuid.h>

#include <bit>
#include <cstring>
#include <vector>

namespace nv {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t bit(unsigned i) { return uint64_t{1} << i; }

CpuidEntry leaf_d(uint32_t index, uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx = 0) {
  return CpuidEntry{0xd, index, kCpuidFlagSignificantIndex, eax, ebx, ecx, edx};
}

// Skylake-SP's leaf 0xD: x87, SSE, AVX, MPX, AVX-512, PKRU; supervisor PT.
// No component asks for 64-byte alignment. 832..959 is a hole (once AMD's LWP).
std::vector<CpuidEntry> skylake_sp() {
  return {
      leaf_d(0, 0x2ff, 0xa88, 0xa88), leaf_d(1, 0xf, 0, 0x100), leaf_d(2, 0x100, 0x240, 0),  // AVX: 256 @ 576
      leaf_d(3, 0x40, 0x3c0, 0),                                                             // BNDREGS: 64 @ 960
      leaf_d(4, 0x40, 0x400, 0),                                                             // BNDCSR: 64 @ 1024
      leaf_d(5, 0x40, 0x440, 0),                                                             // opmask: 64 @ 1088
      leaf_d(6, 0x200, 0x480, 0),                                                            // ZMM_Hi256: 512 @ 1152
      leaf_d(7, 0x400, 0x680, 0),                                                            // Hi16_ZMM: 1024 @ 1664
      leaf_d(8, 0x80, 0, 1),                                                                 // PT: 128, supervisor
      leaf_d(9, 0x8, 0xa80, 0),                                                              // PKRU: 8 @ 2688
  };
}

// Sapphire Rapids-like: no MPX; AMX TILECFG (17) and TILEDATA (18), both
// 64-byte aligned in the compacted format; supervisor PT, PASID, CET_U,
// CET_S and LBR.
std::vector<CpuidEntry> sapphire_rapids() {
  return {
      leaf_d(0, 0x602e7, 0xa88, 0x2b00),
      leaf_d(1, 0x1f, 0, 0x9d00),
      leaf_d(2, 0x100, 0x240, 0),
      leaf_d(5, 0x40, 0x440, 0),
      leaf_d(6, 0x200, 0x480, 0),
      leaf_d(7, 0x400, 0x680, 0),
      leaf_d(8, 0x80, 0, 1),         // PT
      leaf_d(9, 0x8, 0xa80, 0),      // PKRU
      leaf_d(10, 0x8, 0, 1),         // PASID
      leaf_d(11, 0x10, 0, 1),        // CET_U
      leaf_d(12, 0x18, 0, 1),        // CET_S
      leaf_d(15, 0x328, 0, 1),       // LBR: 808
      leaf_d(17, 0x40, 0xac0, 2),    // TILECFG: 64 @ 2752, aligned
      leaf_d(18, 0x2000, 0xb00, 6),  // TILEDATA: 8192 @ 2816, aligned (ECX[2] is XFD, ignored here)
  };
}

TEST(XstateLayout, ReadsMasksFeaturesAndComponents) {
  XstateLayout l = XstateLayout::from_cpuid(sapphire_rapids());
  EXPECT_EQ(l.supported_xcr0(), 0x602e7u);
  EXPECT_EQ(l.supported_xss(), 0x9d00u);
  EXPECT_TRUE(l.has_xsaveopt() && l.has_xsavec() && l.has_xgetbv1() && l.has_xsaves());
  EXPECT_EQ(l.component(kXstateTiledata).size, 0x2000u);
  EXPECT_EQ(l.component(kXstateTiledata).offset, 0xb00u);
  EXPECT_TRUE(l.component(kXstateTiledata).align64);
  EXPECT_FALSE(l.component(kXstateTiledata).supervisor);
  EXPECT_TRUE(l.component(kXstateCetS).supervisor);
  EXPECT_FALSE(l.component(kXstatePkru).align64);
  EXPECT_EQ(l.component(kXstateBndregs).size, 0u) << "unsupported: zeros";
  EXPECT_EQ(l.standard_offset(kXstateTilecfg), 2752u);
  EXPECT_EQ(l.standard_offset(kXstateSse), 0u) << "legacy region";

  XstateLayout skx = XstateLayout::from_cpuid(
      std::vector<CpuidEntry>{leaf_d(0, 0x7, 0, 0), leaf_d(1, 0x1, 0, 0), leaf_d(2, 0x100, 0x240, 0)});
  EXPECT_TRUE(skx.has_xsaveopt());
  EXPECT_FALSE(skx.has_xsavec() || skx.has_xgetbv1() || skx.has_xsaves());
  EXPECT_EQ(skx.supported_xss(), 0u);
}

TEST(XstateLayout, StandardSizeIsTheEndOfTheLastEnabledUserComponent) {
  XstateLayout l = XstateLayout::from_cpuid(skylake_sp());
  EXPECT_EQ(l.standard_size(0x1), 576u) << "legacy region and header only";
  EXPECT_EQ(l.standard_size(0x3), 576u);
  EXPECT_EQ(l.standard_size(0x7), 832u);
  EXPECT_EQ(l.standard_size(0x1f), 1088u) << "MPX after the 832..959 hole";
  EXPECT_EQ(l.standard_size(0xe7), 2688u);
  EXPECT_EQ(l.standard_size(0x207), 2696u) << "PKRU alone reaches its fixed offset";
  EXPECT_EQ(l.standard_size(0x2ff), 0xa88u) << "CPUID.0xD.0:ECX";
  EXPECT_EQ(l.standard_size(0x3ff), 0xa88u) << "the supervisor PT bit has no standard-format place";
  EXPECT_EQ(l.standard_offset(kXstateHi16Zmm), 1664u);
}

TEST(XstateLayout, CompactedFormatPacksComponentsInOrder) {
  XstateLayout l = XstateLayout::from_cpuid(skylake_sp());
  EXPECT_EQ(l.compacted_size(0x3), 576u);
  EXPECT_EQ(l.compacted_size(0x2e7), 576u + 256 + 64 + 512 + 1024 + 8);
  EXPECT_EQ(l.compacted_size(0x3ff), 576u + 256 + 64 + 64 + 64 + 512 + 1024 + 128 + 8);
  EXPECT_EQ(l.compacted_offset(kXstateAvx, 0x2e7), 576u);
  EXPECT_EQ(l.compacted_offset(kXstateOpmask, 0x2e7), 832u) << "no MPX: no hole";
  EXPECT_EQ(l.compacted_offset(kXstatePkru, 0x2e7), 2432u);
  EXPECT_EQ(l.compacted_offset(kXstatePkru, 0x3ff), 2688u) << "MPX and the supervisor PT come before PKRU";
  EXPECT_EQ(l.compacted_offset(kXstateHi16Zmm, 0x7), 832u) << "where it would start";
  EXPECT_EQ(l.compacted_offset(kXstateX87, 0x3ff), 0u);
}

TEST(XstateLayout, AmxComponentsAreAlignedTo64BytesInTheCompactedFormat) {
  XstateLayout l = XstateLayout::from_cpuid(sapphire_rapids());
  EXPECT_EQ(l.standard_size(0x602e7), 0x2b00u) << "CPUID.0xD.0:ECX";
  EXPECT_EQ(l.standard_size(0x2e7), 0xa88u) << "CPUID.0xD.0:EBX for XCR0 0x2e7";
  // 576 + 256 + 64 + 512 + 1024 + 8 = 2440, TILECFG aligned to 2496.
  EXPECT_EQ(l.compacted_offset(kXstateTilecfg, 0x602e7), 2496u);
  EXPECT_EQ(l.compacted_offset(kXstateTiledata, 0x602e7), 2560u);
  EXPECT_EQ(l.compacted_size(0x602e7), 2560u + 8192);
  // XSAVEC with RFBM lacking TILECFG: TILEDATA aligned right after PKRU.
  EXPECT_EQ(l.compacted_offset(kXstateTiledata, 0x402e7), 2496u);
  // All supervisor components: ... 2432 +PT 128 +PKRU 8 +PASID 8 +CET_U 16
  // +CET_S 24 +LBR 808 = 3424, aligned to 3456 for TILECFG.
  uint64_t all = 0x602e7 | 0x9d00;
  EXPECT_EQ(l.compacted_offset(kXstateCetU, all), 2576u);
  EXPECT_EQ(l.compacted_offset(kXstateTilecfg, all), 3456u);
  EXPECT_EQ(l.compacted_size(all), 3456u + 64 + 8192);
  EXPECT_EQ(l.compacted_size(0x2e7 | bit(kXstateCetU) | bit(kXstateCetS)), 2440u + 16 + 24);
}

TEST(XstateLayout, Xcr0Validity) {
  XstateLayout spr = XstateLayout::from_cpuid(sapphire_rapids());
  XstateLayout skx = XstateLayout::from_cpuid(skylake_sp());
  struct Case {
    const XstateLayout& l;
    uint64_t xcr0;
    bool valid;
    const char* why;
  };
  const Case cases[] = {
      {spr, 0x1, true, "x87 only"},
      {spr, 0x3, true, "x87 and SSE"},
      {spr, 0x7, true, "AVX with SSE"},
      {spr, 0xe7, true, "AVX-512 complete, with AVX"},
      {spr, 0x602e7, true, "everything supported"},
      {spr, 0x0, false, "x87 bit clear"},
      {spr, 0x6, false, "x87 bit clear"},
      {spr, 0x5, false, "AVX without SSE"},
      {spr, 0x27, false, "opmask without ZMM_Hi256 and Hi16_ZMM"},
      {spr, 0xc7, false, "AVX-512 without opmask"},
      {spr, 0xe3, false, "AVX-512 without AVX"},
      {spr, 0x20007, false, "TILECFG without TILEDATA"},
      {spr, 0x40007, false, "TILEDATA without TILECFG"},
      {spr, 0x1f, false, "MPX is not supported by this table"},
      {spr, 0x103, false, "PT is a supervisor component"},
      {spr, 0x3 | bit(63), false, "bit 63 is reserved"},
      {spr, 0x3 | bit(19), false, "unsupported component"},
      {skx, 0x1f, true, "MPX pair"},
      {skx, 0xb, false, "BNDREGS without BNDCSR"},
      {skx, 0x13, false, "BNDCSR without BNDREGS"},
      {skx, 0x60007, false, "AMX is not supported by this table"},
  };
  for (const Case& c : cases) EXPECT_EQ(c.l.valid_xcr0(c.xcr0), c.valid) << std::hex << c.xcr0 << ": " << c.why;
}

TEST(XstateLayout, XssValidity) {
  XstateLayout spr = XstateLayout::from_cpuid(sapphire_rapids());
  EXPECT_TRUE(spr.valid_xss(0));
  EXPECT_TRUE(spr.valid_xss(bit(kXstateCetU) | bit(kXstateCetS)));
  EXPECT_TRUE(spr.valid_xss(0x9d00));
  EXPECT_FALSE(spr.valid_xss(bit(kXstateX87))) << "user component";
  EXPECT_FALSE(spr.valid_xss(bit(kXstatePkru))) << "user component";
  EXPECT_FALSE(spr.valid_xss(bit(13))) << "HDC is not supported by this table";
  EXPECT_FALSE(spr.valid_xss(bit(63)));
  EXPECT_FALSE(XstateLayout::from_cpuid(skylake_sp()).valid_xss(bit(kXstateCetU)));
}

TEST(XstateLayout, WithoutLeafDThereIsOnlyTheLegacyArea) {
  for (const XstateLayout& l :
       {XstateLayout{}, XstateLayout::from_cpuid(std::vector<CpuidEntry>{CpuidEntry{0x1, 0, 0, 0, 0, 0, 0}})}) {
    EXPECT_EQ(l.supported_xcr0(), 0u);
    EXPECT_FALSE(l.valid_xcr0(0x1)) << "XSETBV is #UD without XSAVE; no value is valid";
    EXPECT_FALSE(l.has_xsaves());
    EXPECT_EQ(l.standard_size(0x7), 576u);
    EXPECT_EQ(l.compacted_size(0x7), 576u);
  }
}

TEST(XstateLayout, InconsistentLeafDIsAnError) {
  struct Bad {
    std::vector<CpuidEntry> table;
    const char* message;
  };
  const Bad cases[] = {
      {{leaf_d(0, 0x7, 0, 0)}, "CPUID.0xD.2: component 2 is supported (CPUID.0xD.0/1) but the table has no subleaf 2"},
      {{leaf_d(0, 0x7, 0, 0), leaf_d(2, 0, 0x240, 0)}, "CPUID.0xD.2: component 2 is supported but its size (EAX) is 0"},
      {{leaf_d(0, 0x7, 0, 0), leaf_d(2, 0x100, 0x100, 0)}, "CPUID.0xD.2: standard offset (EBX) 0x100 overlaps"},
      {{leaf_d(0, 0x7, 0, 0), leaf_d(2, 0x100, 0x240, 1)},
       "CPUID.0xD.2: ECX[0] says supervisor but the component is "
       "in the XCR0 mask"},
      {{leaf_d(0, 0x3, 0, 0), leaf_d(1, 0, 0, 0x100), leaf_d(8, 0x80, 0, 0)},
       "CPUID.0xD.8: ECX[0] says user but the component is in the IA32_XSS mask"},
      {{leaf_d(0, 0x2, 0, 0)}, "lacks x87 state (bit 0)"},
      {{leaf_d(0, 0x3, 0, 0), leaf_d(1, 0, 0, 0x3)}, "includes the legacy components 0/1"},
      {{leaf_d(0, 0x103, 0, 0), leaf_d(1, 0, 0, 0x100), leaf_d(8, 0x80, 0, 1)},
       "components 0x100 are reported both in XCR0"},
      {{leaf_d(0, 0x3, 0, 0, 0x80000000)}, "bit 63 is reported as a state component"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.message);
    try {
      XstateLayout::from_cpuid(c.table);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr(c.message));
    }
  }
}

// --- The host CPU ----------------------------------------------------------

struct HostXstate {
  bool available = false;  // CPUID.1:ECX.OSXSAVE: XGETBV works in user mode
  uint64_t xcr0 = 0;
};

HostXstate host_xstate() {
  unsigned a, b, c, d;
  if (__get_cpuid_max(0, nullptr) < 0xd) return {};
  __cpuid(1, a, b, c, d);
  if (!(c & bit_OSXSAVE)) return {};
  uint32_t lo, hi;
  asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return {true, uint64_t{hi} << 32 | lo};
}

TEST(XstateLayoutHost, StandardSizeMatchesLiveCpuid) {
  HostXstate host = host_xstate();
  if (!host.available) GTEST_SKIP() << "host OS has not enabled XSAVE";
  XstateLayout l = XstateLayout::from_host();
  unsigned a, b, c, d;
  __cpuid_count(0xd, 0, a, b, c, d);
  EXPECT_EQ(l.supported_xcr0(), uint64_t{d} << 32 | a);
  EXPECT_TRUE(l.valid_xcr0(host.xcr0)) << std::hex << host.xcr0;
  EXPECT_EQ(l.standard_size(host.xcr0), b) << "CPUID.0xD.0:EBX for the host's XCR0 " << std::hex << host.xcr0;
  EXPECT_EQ(l.standard_size(l.supported_xcr0()), c) << "CPUID.0xD.0:ECX";
}

// IA32_XSS cannot be read from user space, and the kernel enables some of the
// supervisor components (Linux: CET_U for user shadow stacks, others by
// version and hypervisor). CPUID.0xD.1:EBX reports the compacted size for
// XCR0 | IA32_XSS, so it must equal compacted_size(xcr0 | xss) for some subset
// xss of the supported supervisor components. Without XSAVES, XSS plays no
// part and the subset is empty.
TEST(XstateLayoutHost, CompactedSizeMatchesLiveCpuidForSomeXss) {
  HostXstate host = host_xstate();
  XstateLayout l = XstateLayout::from_host();
  if (!host.available || !l.has_xsavec()) GTEST_SKIP() << "host has no compacted format";
  unsigned a, b, c, d;
  __cpuid_count(0xd, 1, a, b, c, d);
  uint64_t candidates = l.has_xsaves() ? l.supported_xss() : 0;
  std::vector<uint64_t> matches;
  for (uint64_t xss = candidates;; xss = (xss - 1) & candidates) {  // every subset of candidates
    if (l.compacted_size(host.xcr0 | xss) == b) matches.push_back(xss);
    if (xss == 0) break;
  }
  EXPECT_FALSE(matches.empty()) << "CPUID.0xD.1:EBX " << b << " for XCR0 " << std::hex << host.xcr0;
  for (uint64_t xss : matches) RecordProperty("possible_ia32_xss", std::to_string(xss));
}

// Round trip through the hardware: XRSTOR a standard-format area with a
// distinct byte pattern in each user component (at standard_offset), then
// XSAVEC it and find each pattern at compacted_offset. The host's register
// state is saved first and restored last, in the same asm statement.
TEST(XstateLayoutHost, HardwareXsavecPutsComponentsAtTheComputedOffsets) {
  HostXstate host = host_xstate();
  XstateLayout l = XstateLayout::from_host();
  if (!host.available || !l.has_xsavec()) GTEST_SKIP() << "host has no XSAVEC";
  // AMX needs the kernel's permission (XFD); PKRU bits could revoke access to
  // the buffers themselves. Leave both out.
  uint64_t rfbm = host.xcr0 & ~(bit(kXstateTilecfg) | bit(kXstateTiledata) | bit(kXstatePkru));
  uint32_t size = l.standard_size(host.xcr0);
  alignas(64) static uint8_t saved[16384], pattern[16384], compacted[16384];
  ASSERT_LE(size, sizeof(saved));
  std::memset(pattern, 0, sizeof(pattern));
  std::memset(compacted, 0xff, sizeof(compacted));
  uint32_t mxcsr = 0x1f80;  // the power-on MXCSR; XRSTOR faults on reserved bits
  std::memcpy(pattern + 24, &mxcsr, 4);
  std::memset(pattern + 160, 0x41, 256);  // XMM0..15: SSE component (1)
  uint64_t xstate_bv = rfbm & bit(kXstateSse);
  for (unsigned i = 2; i < kXstateComponentCount; ++i) {
    if (!(rfbm & bit(i))) continue;
    std::memset(pattern + l.standard_offset(i), 0x40 + i, l.component(i).size);
    xstate_bv |= bit(i);
  }
  std::memcpy(pattern + 512, &xstate_bv, 8);
  uint32_t lo = uint32_t(rfbm), hi = uint32_t(rfbm >> 32);
  asm volatile("xsave64 %[saved]\n\txrstor64 %[pattern]\n\txsavec64 %[compacted]\n\txrstor64 %[saved]"
               : [saved] "+m"(saved), [compacted] "+m"(compacted)
               : [pattern] "m"(pattern), "a"(lo), "d"(hi)
               : "memory");
  uint64_t xcomp_bv;
  std::memcpy(&xcomp_bv, compacted + 520, 8);
  EXPECT_EQ(xcomp_bv, bit(63) | rfbm) << "XSAVEC writes XCOMP_BV = RFBM with bit 63 (SDM Vol. 1 §13.10)";
  EXPECT_EQ(compacted[160], 0x41);
  for (unsigned i = 2; i < kXstateComponentCount; ++i) {
    if (!(rfbm & bit(i))) continue;
    uint32_t off = l.compacted_offset(i, rfbm);
    ASSERT_LE(off + l.component(i).size, sizeof(compacted));
    std::vector<uint8_t> expect(l.component(i).size, uint8_t(0x40 + i));
    EXPECT_EQ(std::memcmp(compacted + off, expect.data(), expect.size()), 0) << "component " << i << " at " << off;
  }
  // The last component ends at compacted_size; XSAVEC writes nothing beyond.
  uint32_t end = l.compacted_size(rfbm);
  if (rfbm > 3) {
    EXPECT_EQ(compacted[end - 1], 0x40 + (63 - std::countl_zero(rfbm)));
  }
  EXPECT_EQ(compacted[end], 0xff);
}

// --- XstateSizer: the seed-000 switch --------------------------------------

// Every XCR0 the host would accept, with IA32_XSS 0 and all supported bits.
TEST(XstateSizer, TableAndHostCpuidGiveTheSameSizesAndOnlyTheUncachedPathExecutesCpuid) {
  XstateLayout l = XstateLayout::from_host();
  if (l.supported_xcr0() == 0) GTEST_SKIP() << "host has no XSAVE";
  XstateSizer cached(l, true), uncached(l, false);
  EXPECT_TRUE(cached.uses_cache());
  EXPECT_FALSE(uncached.uses_cache());
  uint64_t expected_cpuids = 0;
  unsigned tried = 0;
  uint64_t sup = l.supported_xcr0();
  for (uint64_t xcr0 = sup;; xcr0 = (xcr0 - 1) & sup) {
    if (l.valid_xcr0(xcr0)) {
      for (uint64_t xss : {uint64_t{0}, l.supported_xss()}) {
        SCOPED_TRACE(testing::Message() << std::hex << "xcr0 " << xcr0 << " xss " << xss);
        EXPECT_EQ(cached.recompute(xcr0, xss), uncached.recompute(xcr0, xss));
        EXPECT_EQ(cached.recompute(xcr0, xss).standard, l.standard_size(xcr0));
        expected_cpuids += std::popcount(xcr0 & ~uint64_t{3}) + std::popcount((xcr0 | xss) & ~uint64_t{3});
        ++tried;
      }
    }
    if (xcr0 == 0) break;
  }
  EXPECT_GT(tried, 0u);
  EXPECT_EQ(cached.host_cpuid_executions(), 0u) << "with the cache, no recomputation executes CPUID";
  EXPECT_EQ(uncached.host_cpuid_executions(), expected_cpuids) << "one CPUID 0xD.i per enabled component";
}

TEST(XstateSizer, CachedSizesComeFromTheGuestTableNotTheHost) {
  XstateLayout spr = XstateLayout::from_cpuid(sapphire_rapids());
  XstateSizer sizer(spr, true);
  EXPECT_EQ(sizer.recompute(0x602e7, 0), (XstateSizer::Sizes{0x2b00, 2560 + 8192}));
  EXPECT_EQ(sizer.recompute(0x7, bit(kXstateCetU) | bit(kXstateCetS)), (XstateSizer::Sizes{832, 832 + 16 + 24}));
  EXPECT_EQ(sizer.host_cpuid_executions(), 0u);
}

}  // namespace
}  // namespace nv
