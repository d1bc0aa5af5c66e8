// XSETBV, XSAVE, XSAVEC and XRSTOR on the software CPU (SDM Vol. 1 ch. 13):
// the x87 and SSE components in the legacy region, the AVX component after
// the header (compared with the host's own XSAVE), the header, the
// initial-state rule and the #UD/#GP/#NM checks.
#include "cpu_test_support.h"

#include <gtest/gtest.h>

#include <cpuid.h>
#include <cstring>

namespace nv::test {
namespace {

constexpr uint64_t kArea = CpuHarness::kDataAddr;  // 64-byte aligned

// CR4.PAE (IA-32e needs it), OSFXSR and OSXSAVE, then XCR0 = RDX:RAX as given in R8.
GUEST_CODE(enable_xsave, "  mov rax, cr4\n  or rax, 0x40220\n  mov cr4, rax\n"
                         "  mov rax, r8\n  xor edx, edx\n  xor ecx, ecx\n  xsetbv\n")
GUEST_CODE(do_xsave, "  mov eax, -1\n  mov edx, -1\n  xsave [rbx]\n")
GUEST_CODE(do_xsavec, "  mov eax, -1\n  mov edx, -1\n  xsavec [rbx]\n")
GUEST_CODE(do_xrstor, "  mov eax, -1\n  mov edx, -1\n  xrstor [rbx]\n")
GUEST_CODE(size_leaf, "  mov eax, 0xd\n  xor ecx, ecx\n  cpuid\n")
GUEST_CODE(xsave_sse_only, "  mov eax, 3\n  xor edx, edx\n  xsave [rbx]\n  xrstor [rbx]\n")
GUEST_CODE(xsave_sse_avx, "  mov eax, 6\n  xor edx, edx\n  xsave [rbx]\n")

struct XsaveHarness : CpuHarness {
  XsaveHarness() { install_long_mode_tables(); }
  // Runs `code`; returns the vector delivered, -1 when it reached its HLT.
  int exec(const std::vector<uint8_t>& code) {
    load(code);
    s().gpr[kRbx] = kArea;
    EXPECT_EQ(run(), Cpu::Exit::halted);
    return delivered_vector();
  }
  int enable(uint64_t xcr0) {
    s().gpr[kR8] = xcr0;
    return exec(GUEST_BYTES(enable_xsave));
  }
  uint64_t at(unsigned off) { return memory.read_obj<uint64_t>(kArea + off); }
};

TEST(CpuXsave, XsetbvAcceptsOnlyValidXcr0) {
  XsaveHarness h;
  EXPECT_EQ(h.exec(GUEST_BYTES(do_xsave)), vec::kUD) << "CR4.OSXSAVE = 0";
  EXPECT_EQ(h.enable(2), vec::kGP) << "SSE without x87";
  EXPECT_EQ(h.enable(5), vec::kGP) << "AVX without SSE (Vol. 1 §13.3)";
  EXPECT_EQ(h.enable(0xf), vec::kGP) << "MPX is not supported";
  EXPECT_EQ(h.enable(3), -1);
  EXPECT_EQ(h.s().xcr0, 3u);
  EXPECT_EQ(h.exec(GUEST_BYTES(size_leaf)), -1);
  EXPECT_EQ(h.s().gpr[kRbx], 576u) << "CPUID.0xD.0:EBX for XCR0 = 3";
  EXPECT_EQ(h.s().gpr[kRcx], 832u) << "CPUID.0xD.0:ECX: every supported component";
  EXPECT_EQ(h.enable(7), -1);
  EXPECT_EQ(h.s().xcr0, 7u);
  EXPECT_EQ(h.exec(GUEST_BYTES(size_leaf)), -1);
  EXPECT_EQ(h.s().gpr[kRbx], 832u) << "CPUID.0xD.0:EBX for XCR0 = 7";
}

void set_ymm_hi(VcpuState& s, uint64_t seed) {
  for (unsigned r = 0; r < 16; ++r) {
    s.ymm_hi[r][0] = seed * (2 * r + 1);
    s.ymm_hi[r][1] = ~seed * (2 * r + 3);
  }
}

// Component 2 goes at 576 (CPUID.0xD.2:EBX) in both formats, since it is the
// first component after the header; XRSTOR loads it back or zeroes it.
TEST(CpuXsave, AvxComponentRoundTrips) {
  XsaveHarness h;
  ASSERT_EQ(h.enable(7), -1);
  set_ymm_hi(h.s(), 0x0123456789abcdef);
  for (const auto& insn : {GUEST_BYTES(do_xsave), GUEST_BYTES(do_xsavec)}) {
    std::vector<uint8_t> zero(1024);
    h.memory.write(kArea, zero.data(), zero.size());
    EXPECT_EQ(h.exec(insn), -1);
    for (unsigned r = 0; r < 16; ++r) {
      EXPECT_EQ(h.at(576 + 16 * r), h.s().ymm_hi[r][0]) << r;
      EXPECT_EQ(h.at(576 + 16 * r + 8), h.s().ymm_hi[r][1]) << r;
    }
    EXPECT_EQ(h.at(512) & 7, 7u);
    EXPECT_EQ(h.at(832), 0u) << "nothing past the component";
    VcpuState saved = h.s();
    set_ymm_hi(h.s(), 42);
    EXPECT_EQ(h.exec(GUEST_BYTES(do_xrstor)), -1);
    EXPECT_EQ(std::memcmp(h.s().ymm_hi, saved.ymm_hi, sizeof saved.ymm_hi), 0);
  }
  // XSTATE_BV[2] = 0: the initial state, zero upper halves (Vol. 1 §13.6).
  h.memory.write_obj<uint64_t>(kArea + 512, 3);
  h.memory.write_obj<uint64_t>(kArea + 520, 0);
  EXPECT_EQ(h.exec(GUEST_BYTES(do_xrstor)), -1);
  for (unsigned r = 0; r < 16; ++r) EXPECT_EQ(h.s().ymm_hi[r][0] | h.s().ymm_hi[r][1], 0u) << r;
  // RFBM[2] = 0 (EDX:EAX = 3): neither saved nor restored.
  set_ymm_hi(h.s(), 7);
  h.memory.write_obj<uint64_t>(kArea + 576, 0x5a5a);
  EXPECT_EQ(h.exec(GUEST_BYTES(xsave_sse_only)), -1);
  EXPECT_EQ(h.at(576), 0x5a5au);
  EXPECT_EQ(h.s().ymm_hi[0][0], 7u);
}

// The engine's image of YMM state matches the host's own XSAVE of the same
// registers (the host's component 2 is at 576 too on every AVX CPU).
TEST(CpuXsave, AvxImageMatchesHostXsave) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 28)) || !(c & (1u << 27))) GTEST_SKIP() << "host without AVX";
  __cpuid_count(0xd, 2, a, b, c, d);
  if (b != 576) GTEST_SKIP() << "host component 2 at " << b;
  alignas(32) uint8_t regs[16][32];
  for (unsigned r = 0; r < 16; ++r)
    for (unsigned k = 0; k < 32; ++k) regs[r][k] = static_cast<uint8_t>(r * 37 + k * 11 + 5);
  alignas(64) static uint8_t host[4096];
  std::memset(host, 0, sizeof host);
  asm volatile(
      "vmovdqu (%0), %%ymm0\n vmovdqu 32(%0), %%ymm1\n vmovdqu 64(%0), %%ymm2\n vmovdqu 96(%0), %%ymm3\n"
      "vmovdqu 128(%0), %%ymm4\n vmovdqu 160(%0), %%ymm5\n vmovdqu 192(%0), %%ymm6\n vmovdqu 224(%0), %%ymm7\n"
      "vmovdqu 256(%0), %%ymm8\n vmovdqu 288(%0), %%ymm9\n vmovdqu 320(%0), %%ymm10\n vmovdqu 352(%0), %%ymm11\n"
      "vmovdqu 384(%0), %%ymm12\n vmovdqu 416(%0), %%ymm13\n vmovdqu 448(%0), %%ymm14\n vmovdqu 480(%0), %%ymm15\n"
      "mov $6, %%eax\n xor %%edx, %%edx\n xsave (%1)\n vzeroupper\n"
      :
      : "r"(regs), "r"(host)
      : "rax", "rdx", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
        "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
  XsaveHarness h;
  ASSERT_EQ(h.enable(7), -1);
  for (unsigned r = 0; r < 16; ++r) {
    std::memcpy(h.s().xmm[r], regs[r], 16);
    std::memcpy(h.s().ymm_hi[r], regs[r] + 16, 16);
  }
  std::vector<uint8_t> zero(1024);
  h.memory.write(kArea, zero.data(), zero.size());
  EXPECT_EQ(h.exec(GUEST_BYTES(xsave_sse_avx)), -1);
  uint8_t guest[832];
  h.memory.read(kArea, guest, sizeof guest);
  EXPECT_EQ(std::memcmp(guest + 160, host + 160, 256), 0) << "XMM0-15";
  EXPECT_EQ(std::memcmp(guest + 576, host + 576, 256), 0) << "YMM_Hi128";
  EXPECT_EQ(guest[512] & 4, host[512] & 4) << "XSTATE_BV[2]";
}

TEST(CpuXsave, XsaveWritesTheLegacyRegionAndXstateBv) {
  XsaveHarness h;
  ASSERT_EQ(h.enable(3), -1);
  h.s().xmm[3][0] = 0x1111222233334444;
  h.s().xmm[3][1] = 0x5555666677778888;
  h.s().mxcsr = 0x1fc0;
  h.s().fcw = 0x27f;
  h.memory.write_obj<uint64_t>(kArea + 512, 0x8000'0000'0000'0000);  // a stale XSTATE_BV bit XSAVE keeps
  EXPECT_EQ(h.exec(GUEST_BYTES(do_xsave)), -1);
  EXPECT_EQ(h.at(160 + 3 * 16), 0x1111222233334444u);
  EXPECT_EQ(h.at(160 + 3 * 16 + 8), 0x5555666677778888u);
  EXPECT_EQ(h.at(24) & 0xffffffff, 0x1fc0u);
  EXPECT_EQ(h.at(0) & 0xffff, 0x27fu);
  EXPECT_EQ(h.at(512), 0x8000'0000'0000'0003u);
  // XSAVEC: XSTATE_BV = RFBM, XCOMP_BV = RFBM | bit 63.
  EXPECT_EQ(h.exec(GUEST_BYTES(do_xsavec)), -1);
  EXPECT_EQ(h.at(512), 3u);
  EXPECT_EQ(h.at(520), 0x8000'0000'0000'0003u);
}

TEST(CpuXsave, XrstorLoadsOrInitialisesEachComponent) {
  XsaveHarness h;
  ASSERT_EQ(h.enable(3), -1);
  h.memory.write_obj<uint64_t>(kArea + 160, 0xabcd);
  h.memory.write_obj<uint32_t>(kArea + 24, 0x1f00);
  h.memory.write_obj<uint16_t>(kArea + 0, 0x7f);
  h.memory.write_obj<uint64_t>(kArea + 512, 2);  // SSE only: x87 goes to its initial state
  h.s().fcw = 0x7f;
  EXPECT_EQ(h.exec(GUEST_BYTES(do_xrstor)), -1);
  EXPECT_EQ(h.s().xmm[0][0], 0xabcdu);
  EXPECT_EQ(h.s().mxcsr, 0x1f00u);
  EXPECT_EQ(h.s().fcw, 0x37fu);
  // Compacted form with XSTATE_BV = 0: both components initialised.
  h.memory.write_obj<uint64_t>(kArea + 512, 0);
  h.memory.write_obj<uint64_t>(kArea + 520, 0x8000'0000'0000'0003);
  EXPECT_EQ(h.exec(GUEST_BYTES(do_xrstor)), -1);
  EXPECT_EQ(h.s().xmm[0][0], 0u);
  EXPECT_EQ(h.s().mxcsr, 0x1f80u);
}

TEST(CpuXsave, XrstorRejectsBadHeadersAndAreas) {
  struct Case {
    uint64_t xstate_bv, xcomp_bv;
    const char* why;
  } cases[] = {
      {4, 0, "XSTATE_BV bit outside XCR0"},
      {0, 1, "XCOMP_BV without bit 63 must be 0"},
      {4, 0x8000'0000'0000'0003, "XSTATE_BV bit outside XCOMP_BV"},
      {0, 0x8000'0000'0000'0004, "XCOMP_BV bit outside XCR0"},
  };
  for (const Case& c : cases) {
    XsaveHarness h;
    ASSERT_EQ(h.enable(3), -1);
    h.memory.write_obj<uint64_t>(kArea + 512, c.xstate_bv);
    h.memory.write_obj<uint64_t>(kArea + 520, c.xcomp_bv);
    EXPECT_EQ(h.exec(GUEST_BYTES(do_xrstor)), vec::kGP) << c.why;
  }
  XsaveHarness h;
  ASSERT_EQ(h.enable(3), -1);
  h.memory.write_obj<uint32_t>(kArea + 24, 0x10000);  // reserved MXCSR bit
  h.memory.write_obj<uint64_t>(kArea + 512, 3);
  EXPECT_EQ(h.exec(GUEST_BYTES(do_xrstor)), vec::kGP);
  h.load(GUEST_BYTES(do_xsave));
  h.s().gpr[kRbx] = kArea + 16;  // 16-byte but not 64-byte aligned
  h.run();
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  h.s().cr0 |= 1u << 3;  // CR0.TS
  EXPECT_EQ(h.exec(GUEST_BYTES(do_xsave)), vec::kNM);
}

}  // namespace
}  // namespace nv::test
