// Interrupts and exceptions from virtual-8086 mode through 32-bit interrupt
// and trap gates, and IRET back (SDM Vol. 3A §20.3.1.1, Figure 20-2; Vol. 2A
// INT n "INTERRUPT-FROM-VIRTUAL-8086-MODE", IRET
// "RETURN-TO-VIRTUAL-8086-MODE"): the ring-0 frame with GS, FS, DS, ES, the
// null data segments, the flags cleared, error codes, and the #GP cases.
// Also SYSENTER/SYSEXIT in real mode (Vol. 2B: #GP(0)).
#include "cpu_legacy_harness.h"

#include <gtest/gtest.h>

namespace nv::test {
namespace {

using H = LegacyHarness;
constexpr uint64_t kHandler = 0x30000;
constexpr uint16_t kV86Cs = 0x4200, kV86Ss = 0x5000, kV86Ds = 0x1111, kV86Es = 0x2222, kV86Fs = 0x3333, kV86Gs = 0x4444;
constexpr uint32_t kV86Sp = 0x1000;

GUEST_CODE(v86_handler, ".code32\n  hlt\n  iretd\n")

// Ring 0 with the handler; the vCPU in virtual-8086 mode at 4200:0000 with
// IOPL `iopl` and IF set.
struct V86Harness : H {
  explicit V86Harness(const std::vector<uint8_t>& v86_code, unsigned iopl = 3) {
    put_code(GUEST_BYTES(v86_handler), kHandler);
    set_idt(0x21, gate_desc(kCode0, kHandler, 0xe, 3));
    put_code(v86_code, kV86Cs * 16);
    cpu->set_rflags(rflags::kFixed1 | rflags::kVM | rflags::kIF | (iopl << 12));
    s().cpl = 3;
    const uint16_t sel[kSegCount] = {kV86Es, kV86Cs, kV86Ss, kV86Ds, kV86Fs, kV86Gs};
    for (unsigned seg = 0; seg < kSegCount; ++seg) cpu->load_real_segment(seg, sel[seg]);
    s().gpr[kRsp] = kV86Sp;
    s().rip = 0;
    cpu->update_mode();
  }
  // The v86 part of a ring-0 frame that starts at `slot` (EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS).
  void expect_v86_frame(unsigned slot, uint32_t eip) {
    EXPECT_EQ(stack32(slot), eip);
    EXPECT_EQ(stack32(slot + 1), kV86Cs);
    EXPECT_TRUE(stack32(slot + 2) & rflags::kVM) << "the EFLAGS image has VM";
    EXPECT_EQ(stack32(slot + 3), kV86Sp);
    EXPECT_EQ(stack32(slot + 4), kV86Ss);
    EXPECT_EQ(stack32(slot + 5), kV86Es);
    EXPECT_EQ(stack32(slot + 6), kV86Ds);
    EXPECT_EQ(stack32(slot + 7), kV86Fs);
    EXPECT_EQ(stack32(slot + 8), kV86Gs);
  }
};

// INT 21h; MOV AX, 1234h; MOV [10h], AX; INT3 (16-bit code).
const std::vector<uint8_t> kIntThenStore = {0xcd, 0x21, 0xb8, 0x34, 0x12, 0xa3, 0x10, 0x00, 0xcc};

TEST(CpuV86, IntNSwitchesToTheRing0StackAndIretReturns) {
  V86Harness h(kIntThenStore);
  ASSERT_EQ(h.s().mode, CpuMode::v8086);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  const VcpuState& s = h.s();
  EXPECT_EQ(s.rip, kHandler + 1);
  EXPECT_EQ(s.cpl, 0u);
  EXPECT_EQ(s.mode, CpuMode::prot32);
  EXPECT_EQ(s.seg[kCs].selector, H::kCode0);
  EXPECT_EQ(s.seg[kSs].selector, H::kData0) << "SS0:ESP0 from the TSS";
  ASSERT_EQ(s.gpr[kRsp], H::kStack0 - 36);
  h.expect_v86_frame(0, 2);
  EXPECT_TRUE(h.stack32(2) & rflags::kIF);
  EXPECT_EQ((h.stack32(2) >> 12) & 3, 3u) << "IOPL in the image";
  for (unsigned seg : {kEs, kDs, kFs, kGs}) {
    EXPECT_EQ(s.seg[seg].selector, 0u) << seg;
    EXPECT_FALSE(s.seg[seg].present()) << "null, unusable: " << seg;
  }
  EXPECT_FALSE(h.flags() & rflags::kVM);
  EXPECT_FALSE(h.flags() & rflags::kIF) << "interrupt gate";

  ASSERT_EQ(h.run(), Cpu::Exit::halted);  // IRETD back; the INT3 comes here through its gate
  ASSERT_EQ(h.delivered_vector(), 3);
  EXPECT_EQ(s.gpr[kRax] & 0xffff, 0x1234u);
  EXPECT_EQ(h.memory.read_obj<uint16_t>(kV86Ds * 16 + 0x10), 0x1234u) << "DS was restored with its base";
  h.expect_v86_frame(0, 9);
  EXPECT_EQ(s.gpr[kRsp], H::kStack0 - 36) << "IRETD popped the whole frame";
}

TEST(CpuV86, TrapGateKeepsIf) {
  V86Harness h(kIntThenStore);
  h.set_idt(0x21, gate_desc(H::kCode0, kHandler, 0xf, 3));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().rip, kHandler + 1);
  EXPECT_TRUE(h.flags() & rflags::kIF);
  EXPECT_FALSE(h.flags() & rflags::kVM);
}

TEST(CpuV86, FaultPushesItsErrorCodeBelowTheV86Frame) {
  const std::vector<uint8_t> cli = {0xfa};
  V86Harness h(cli, /*iopl=*/0);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), vec::kGP) << "CLI at IOPL 0";
  ASSERT_EQ(h.s().gpr[kRsp], H::kStack0 - 40);
  EXPECT_EQ(h.stack32(0), 0u);
  h.expect_v86_frame(1, 0);
  EXPECT_TRUE(h.stack32(3) & rflags::kRF) << "a fault's image has RF";
}

TEST(CpuV86, IntNWithIoplBelow3IsGp0) {
  V86Harness h(kIntThenStore, /*iopl=*/2);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.stack32(0), 0u);
  h.expect_v86_frame(1, 0);
}

TEST(CpuV86, HandlerMustBeNonconformingDpl0) {
  struct Case {
    const char* what;
    uint64_t code;  // the descriptor at 0x40
    bool exception;  // #UD (EXT = 1) rather than INT 21h
  } cases[] = {
      {"DPL 1", 0x00cfbb000000ffff, false},
      {"conforming DPL 0", 0x00cf9f000000ffff, false},
      {"DPL 1, exception", 0x00cfbb000000ffff, true},
  };
  const std::vector<uint8_t> ud2 = {0x0f, 0x0b};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    V86Harness h(c.exception ? ud2 : kIntThenStore);
    h.set_gdt(H::kFree, c.code);
    h.set_idt(c.exception ? vec::kUD : 0x21, gate_desc(H::kFree, kHandler, 0xe, 3));
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    ASSERT_EQ(h.delivered_vector(), vec::kGP);
    EXPECT_EQ(h.stack32(0), H::kFree + (c.exception ? 1u : 0u)) << "#GP(selector + EXT)";
    h.expect_v86_frame(1, 0);
  }
}

TEST(CpuRealMode, SysenterAndSysexitAreGp0) {
  for (uint8_t opcode : {0x34, 0x35}) {
    SCOPED_TRACE(opcode);
    CpuHarness h;
    constexpr uint64_t kGpHandler = 0x7000;
    VcpuState& s = h.s();
    s.efer = 0;
    s.cr0 = 0x10;  // ET; PE clear
    for (SegmentCache& sc : s.seg) sc = {0, 0xffff, 0, 0x93};
    s.seg[kCs] = {0x10000, 0xffff, 0x1000, 0x9b};
    s.idtr = {0, 0x3ff};
    s.gpr[kRsp] = 0x8000;
    h.memory.write_obj<uint32_t>(vec::kGP * 4, kGpHandler);  // IVT entry 0000:7000
    h.memory.write_obj<uint8_t>(kGpHandler, 0xf4);
    h.cpu->update_mode();
    ASSERT_EQ(s.mode, CpuMode::real);
    h.load({0x0f, opcode}, 0x10000);
    s.rip = 0;
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    EXPECT_EQ(s.rip, kGpHandler + 1) << "#GP, not #UD";
    EXPECT_EQ(h.memory.read_obj<uint16_t>(0x8000 - 6), 0u) << "IP of the instruction";
    EXPECT_EQ(h.memory.read_obj<uint16_t>(0x8000 - 4), 0x1000u);
  }
}

}  // namespace
}  // namespace nv::test
