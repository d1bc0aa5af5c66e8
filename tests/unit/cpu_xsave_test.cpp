// XSETBV, XSAVE, XSAVEC and XRSTOR on the software CPU (SDM Vol. 1 ch. 13):
// the x87 and SSE components in the legacy region, the header, the
// initial-state rule and the #UD/#GP/#NM checks.
#include "cpu_test_support.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(h.enable(7), vec::kGP) << "AVX is not supported";
  EXPECT_EQ(h.enable(3), -1);
  EXPECT_EQ(h.s().xcr0, 3u);
  EXPECT_EQ(h.exec(GUEST_BYTES(size_leaf)), -1);
  EXPECT_EQ(h.s().gpr[kRbx], 576u) << "CPUID.0xD.0:EBX for XCR0 = 3";
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
