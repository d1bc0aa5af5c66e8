// Virtual-8086 mode extensions and protected-mode virtual interrupts (SDM
// Vol. 3A §20.3, §20.4; Vol. 2 CLI, STI, PUSHF, POPF, IRET, INT n): with
// CR4.VME in virtual-8086 mode and CR4.PVI at CPL 3, IOPL-sensitive
// instructions work on VIF; VIP makes the ones that would set VIF fault; INT n
// follows the TSS's interrupt redirection bitmap.
#include "cpu_legacy_harness.h"

#include <gtest/gtest.h>

namespace nv::test {
namespace {

using H = LegacyHarness;
constexpr uint16_t kV86Cs = 0x4200, kV86Ss = 0x5000;
constexpr uint32_t kV86Sp = 0x1000;
constexpr uint64_t kVme = 1, kPvi = 2;
constexpr uint16_t kIoMap = 0x88;  // the redirection bitmap is at TSS + 68H .. 87H

// Ring 0 tables of LegacyHarness (HLT stubs behind DPL 3 interrupt gates);
// the vCPU in virtual-8086 mode at 4200:0000 with IOPL `iopl`, IF set, CR4.VME.
struct VmeHarness : H {
  explicit VmeHarness(const std::vector<uint8_t>& code, unsigned iopl = 0, uint32_t extra_flags = 0) {
    put_code(code, kV86Cs * 16);
    s().cr4 |= kVme;
    Tss32 t = tss();
    t.iomap = kIoMap;
    set_tss(t);
    s().tr.limit = kIoMap + 0x20;
    cpu->set_rflags(rflags::kFixed1 | rflags::kVM | rflags::kIF | (iopl << 12) | extra_flags);
    s().cpl = 3;
    for (unsigned seg = 0; seg < kSegCount; ++seg) cpu->load_real_segment(seg, seg == kCs ? kV86Cs : kV86Ss);
    s().gpr[kRsp] = kV86Sp;
    s().rip = 0;
    cpu->update_mode();
  }
  // Bit `vector` of the redirection bitmap: 1 = not redirected.
  void set_redirection_bit(uint8_t vector, bool bit) {
    const uint64_t at = kTss + kIoMap - 32 + vector / 8;
    uint8_t b = memory.read_obj<uint8_t>(at);
    b = bit ? b | (1u << (vector & 7)) : b & ~(1u << (vector & 7));
    memory.write_obj(at, b);
  }
  uint16_t v86_stack(unsigned below_top) { return memory.read_obj<uint16_t>(kV86Ss * 16 + kV86Sp - below_top); }
  // The EFLAGS image of the ring-0 frame of an event from virtual-8086 mode (EIP, CS, EFLAGS, ...).
  uint32_t frame_flags() { return stack32(2); }
};

// CLI; STI; PUSHF; CLI; PUSHF; INT3.
const std::vector<uint8_t> kCliStiPushf = {0xfa, 0xfb, 0x9c, 0xfa, 0x9c, 0xcc};

TEST(CpuVme, CliStiAndPushfUseVifInVirtual8086Mode) {
  VmeHarness h(kCliStiPushf);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), vec::kBP);
  EXPECT_TRUE(h.frame_flags() & rflags::kIF) << "IF kept";
  EXPECT_FALSE(h.frame_flags() & rflags::kVIF);
  // PUSHF images: IF is VIF, IOPL reads as 3.
  EXPECT_EQ(h.v86_stack(2) & (rflags::kIF | rflags::kIOPL), rflags::kIF | rflags::kIOPL);
  EXPECT_EQ(h.v86_stack(4) & (rflags::kIF | rflags::kIOPL), rflags::kIOPL);
}

TEST(CpuVme, WithoutVmeCliIsGp) {
  VmeHarness h(kCliStiPushf);
  h.s().cr4 &= ~kVme;
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.stack32(1), 0u);  // the CLI's IP, after the error code
}

// STI with VIP set.
TEST(CpuVme, StiWithVipIsGp) {
  VmeHarness h({0xfb, 0xcc}, 0, rflags::kVIP);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_FALSE(h.stack32(3) & rflags::kVIF);  // EFLAGS image after the error code
}

// PUSH 0 (IF clear); POPF; PUSH 200H; POPF; INT3.
const std::vector<uint8_t> kPopf = {0x6a, 0x00, 0x9d, 0x68, 0x00, 0x02, 0x9d, 0xcc};

TEST(CpuVme, PopfLoadsVifFromIfAndKeepsIf) {
  VmeHarness h(kPopf);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), vec::kBP);
  EXPECT_TRUE(h.frame_flags() & rflags::kIF);
  EXPECT_TRUE(h.frame_flags() & rflags::kVIF);
}

TEST(CpuVme, PopfFaultsOnTfOrOnIfWithVipOr32Bits) {
  {
    VmeHarness h({0x68, 0x00, 0x01, 0x9d, 0xcc});  // PUSH 100H (TF); POPF
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    EXPECT_EQ(h.delivered_vector(), vec::kGP);
  }
  {
    VmeHarness h({0x68, 0x00, 0x02, 0x9d, 0xcc}, 0, rflags::kVIP);  // IF with VIP set
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    EXPECT_EQ(h.delivered_vector(), vec::kGP);
    EXPECT_EQ(h.stack32(4), kV86Sp - 2) << "nothing popped";
  }
  {
    VmeHarness h({0x66, 0x9d, 0xcc});  // POPFD
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    EXPECT_EQ(h.delivered_vector(), vec::kGP);
  }
}

// PUSH 200H; PUSH CS; PUSH 0AH; IRET; (0AH:) INT3.
const std::vector<uint8_t> kIret = {0x68, 0x00, 0x02, 0x0e, 0x6a, 0x0a, 0xcf, 0x90, 0x90, 0x90, 0xcc};

TEST(CpuVme, SixteenBitIretLoadsVif) {
  VmeHarness h(kIret);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), vec::kBP);
  EXPECT_EQ(h.stack32(0), 0x0bu);  // EIP after the INT3 at 0AH
  EXPECT_TRUE(h.frame_flags() & rflags::kVIF);
}

TEST(CpuVme, IretWithVipAndIfIsGp) {
  VmeHarness h(kIret, 0, rflags::kVIP);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.stack32(1), 6u);  // the IRET
}

// INT 30h; then the v86 IVT's handler at 0000:0600 runs INT3.
struct RedirectHarness : VmeHarness {
  explicit RedirectHarness(unsigned iopl) : VmeHarness({0xcd, 0x30, 0xcc}, iopl) {
    memory.write_obj<uint32_t>(0x30 * 4, 0x00000600);
    put_code({0xcc}, 0x600);
  }
};

TEST(CpuVme, RedirectedIntNUsesTheVirtual8086IvtWithVif) {
  RedirectHarness h(0);
  h.set_redirection_bit(0x30, false);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), vec::kBP);
  EXPECT_EQ(h.stack32(0), 0x601u);  // INT3 in the v86 handler
  EXPECT_EQ(h.stack32(1), 0u);      // CS 0000
  EXPECT_EQ(h.v86_stack(6), 2u);    // IP after INT 30h
  EXPECT_EQ(h.v86_stack(4), kV86Cs);
  // FLAGS image: IF = VIF (0), IOPL 3; IF itself kept.
  EXPECT_EQ(h.v86_stack(2) & (rflags::kIF | rflags::kIOPL), rflags::kIOPL);
  EXPECT_TRUE(h.frame_flags() & rflags::kIF);
}

TEST(CpuVme, RedirectedIntNAtIopl3ClearsIf) {
  RedirectHarness h(3);
  h.set_redirection_bit(0x30, false);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), vec::kBP);
  EXPECT_EQ(h.v86_stack(2) & rflags::kIF, rflags::kIF);
  EXPECT_FALSE(h.frame_flags() & rflags::kIF);
}

TEST(CpuVme, NotRedirectedIntNAtIoplBelow3IsGp) {
  RedirectHarness h(0);
  h.set_redirection_bit(0x30, true);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.stack32(1), 0u);
}

// PVI: CLI; STI at CPL 3 with IOPL 0 work on VIF (32-bit code); then INT3.
TEST(CpuVme, PviCliStiAtCpl3UseVif) {
  H h;
  h.put_code({0xfa, 0xcc, 0xfb, 0xcc}, CpuHarness::kCodeAddr);
  h.enter_ring3();
  h.s().cr4 |= kPvi;
  h.cpu->set_rflags(rflags::kFixed1 | rflags::kIF | rflags::kVIF);
  h.s().rip = CpuHarness::kCodeAddr;
  h.s().gpr[kRsp] = 0x60000;
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), vec::kBP);
  EXPECT_EQ(h.stack32(2) & (rflags::kIF | rflags::kVIF), rflags::kIF);
  // Back to CPL 3 after the INT3, as the handler's IRET would: STI sets VIF.
  h.enter_ring3();
  h.cpu->set_rflags(h.stack32(2));
  h.s().rip = CpuHarness::kCodeAddr + 2;
  h.s().gpr[kRsp] = 0x60000;
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.stack32(2) & (rflags::kIF | rflags::kVIF), rflags::kIF | rflags::kVIF);
}

TEST(CpuVme, WithoutPviCliAtCpl3IsGp) {
  H h;
  h.put_code({0xfa, 0xcc}, CpuHarness::kCodeAddr);
  h.enter_ring3();
  h.s().rip = CpuHarness::kCodeAddr;
  h.s().gpr[kRsp] = 0x60000;
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
}

TEST(CpuVme, CpuidOffersVme) {
  H h;
  EXPECT_TRUE(h.cpu->cpuid_has(1, 3, 1));
}

}  // namespace
}  // namespace nv::test
