// Architectural event delivery of the software CPU (SDM Vol. 3A chapter 6):
// IA-32e interrupt gates with their stack frames, error codes, privilege
// changes through TSS.RSP0, IST, #PF with CR2, double and triple faults,
// the real-mode IVT, external interrupts with the STI shadow, and #UD for
// instructions the engine does not implement.
#include "cpu/unimplemented_log.h"
#include "cpu_test_support.h"

#include <gtest/gtest.h>

namespace nv::test {
namespace {

GUEST_CODE(divide_by_zero, "  xor ebx, ebx\n  mov eax, 1\n  div ebx\n")

TEST(CpuException, DivideErrorPushesAFaultFrame) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.load(GUEST_BYTES(divide_by_zero));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kDE);
  EXPECT_EQ(h.stack(0), CpuHarness::kCodeAddr + 7);  // RIP of the DIV (a fault)
  EXPECT_EQ(h.stack(1), 0x08u);                        // CS
  EXPECT_EQ(h.stack(3), CpuHarness::kStackTop);        // RSP
  EXPECT_EQ(h.stack(4), 0x10u);                        // SS
  EXPECT_EQ(h.s().gpr[kRsp], CpuHarness::kStackTop - 40);
  EXPECT_FALSE(h.cpu->rflags() & rflags::kIF);
}

GUEST_CODE(int_not_present, "  int 0x40\n")

TEST(CpuException, NotPresentGateRaisesNpWithTheIdtErrorCode) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.set_gate(0x40, CpuHarness::handler(0x40), 3, 0, /*present=*/false);
  h.load(GUEST_BYTES(int_not_present));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kNP);
  EXPECT_EQ(h.stack(0), 0x40u * 8 + 2);             // IDT bit set, EXT clear (software INT)
  EXPECT_EQ(h.stack(1), CpuHarness::kCodeAddr);     // RIP of the INT
}

// IRETQ to CPL 3, then INT 0x80 (DPL 3 gate) back to CPL 0 on TSS.RSP0.
GUEST_CODE(to_user_and_back,
           "  mov rax, rsp\n  push 0x23\n  push 0x50000\n  push 0x202\n  push 0x1b\n"
           "  lea rcx, [rip+1f]\n  push rcx\n  iretq\n"
           "1: mov ebx, 0x1234\n  int 0x80\n")

TEST(CpuException, InterruptFromUserModeSwitchesToRsp0) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.load(GUEST_BYTES(to_user_and_back));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), 0x80);
  EXPECT_EQ(h.s().gpr[kRbx], 0x1234u);  // ran at CPL 3
  EXPECT_EQ(h.s().cpl, 0);
  EXPECT_EQ(h.s().gpr[kRsp], CpuHarness::kRsp0 - 40);
  EXPECT_EQ(h.stack(1), 0x1bu);       // user CS
  EXPECT_EQ(h.stack(2) & rflags::kIF, rflags::kIF);
  EXPECT_EQ(h.stack(3), 0x50000u);    // user RSP
  EXPECT_EQ(h.stack(4), 0x23u);       // user SS
}

GUEST_CODE(user_privileged,
           "  push 0x23\n  push 0x50000\n  push 0x2\n  push 0x1b\n  lea rcx, [rip+1f]\n  push rcx\n  iretq\n"
           "1: int 0x81\n")

TEST(CpuException, GateDplBelowCplRaisesGp) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.set_gate(0x81, CpuHarness::handler(0x81), 0, 0);
  h.load(GUEST_BYTES(user_privileged));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.stack(0), 0x81u * 8 + 2);
  EXPECT_EQ(h.stack(2), 0x1bu);  // from CPL 3
}

GUEST_CODE(hlt_in_user,
           "  push 0x23\n  push 0x50000\n  push 0x2\n  push 0x1b\n  lea rcx, [rip+1f]\n  push rcx\n  iretq\n"
           "1: hlt\n")

TEST(CpuException, HltAtCpl3RaisesGp) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.load(GUEST_BYTES(hlt_in_user));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.stack(0), 0u);
}

GUEST_CODE(int_ist, "  int 0x50\n")

TEST(CpuException, IstGateUsesItsStack) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.set_gate(0x50, CpuHarness::handler(0x50), 3, 1);
  h.load(GUEST_BYTES(int_ist));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), 0x50);
  EXPECT_EQ(h.s().gpr[kRsp], CpuHarness::kIst1 - 40);
  EXPECT_EQ(h.stack(3), CpuHarness::kStackTop);
}

GUEST_CODE(int_beyond_idt, "  int 0x60\n")

TEST(CpuException, FaultWhileDeliveringAFaultIsADoubleFault) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.s().idtr.limit = 0x60 * 16 - 1;                                  // INT 0x60: #GP(0x302)
  h.set_gate(vec::kGP, CpuHarness::handler(vec::kGP), 3, 0, false);  // delivering #GP: #NP
  h.load(GUEST_BYTES(int_beyond_idt));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kDF);  // Table 6-5: contributory then contributory
  EXPECT_EQ(h.stack(0), 0u);
  EXPECT_EQ(h.stack(1), CpuHarness::kCodeAddr);
}

GUEST_CODE(ud2, "  ud2\n")

TEST(CpuException, FaultDeliveringTheDoubleFaultResetsTheMachine) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.s().idtr.limit = 0;  // nothing can be delivered
  h.load(GUEST_BYTES(ud2));
  EXPECT_EQ(h.run(), Cpu::Exit::shutdown);
  EXPECT_EQ(h.control.stop_kind(), MachineControl::Stop::reset);
  EXPECT_EQ(h.run(), Cpu::Exit::shutdown);  // stays shut down
}

// 4-level paging: 2 MiB identity pages for 0-16 MiB except 8-10 MiB (not
// present) and 10-12 MiB (read-only).
void enable_paging(CpuHarness& h) {
  const uint64_t pml4 = 0x200000, pdpt = 0x201000, pd = 0x202000;
  h.memory.write_obj(pml4, pdpt | 3);
  h.memory.write_obj(pdpt, pd | 3);
  for (uint64_t i = 0; i < 8; ++i) {
    uint64_t e = (i << 21) | 0x83;
    if (i == 4) e = 0;
    if (i == 5) e &= ~2ull;
    h.memory.write_obj(pd + 8 * i, e);
  }
  Cpu& c = *h.cpu;
  c.write_cr(4, cr4::kPAE);
  c.write_cr(3, pml4);
  // MOV to CR0 activates IA-32e mode only from a CS with L = 0 (§10.8.5).
  h.s().seg[kCs].attr = 0xc09b;
  c.write_cr(0, h.s().cr0 | cr0::kPG | cr0::kWP);
  h.s().seg[kCs].attr = 0xa09b;
  c.update_mode();
}

GUEST_CODE(page_faults, "  mov rax, [0x800010]\n")
GUEST_CODE(write_read_only, "  mov dword ptr [0xa00020], 1\n")

TEST(CpuException, PageFaultsReportCr2AndTheErrorCode) {
  CpuHarness h;
  h.install_long_mode_tables();
  enable_paging(h);
  ASSERT_TRUE(h.s().efer & efer::kLMA);
  h.load(GUEST_BYTES(page_faults));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kPF);
  EXPECT_EQ(h.s().cr2, 0x800010u);
  EXPECT_EQ(h.stack(0), 0u);  // not present, read, supervisor
  EXPECT_EQ(h.stack(1), CpuHarness::kCodeAddr);

  h.s().gpr[kRsp] = CpuHarness::kStackTop;
  h.load(GUEST_BYTES(write_read_only));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kPF);
  EXPECT_EQ(h.s().cr2, 0xa00020u);
  EXPECT_EQ(h.stack(0), 3u);  // present, write
}

// Found by the differential fuzz guest (docs/guests.md): faults of
// read-modify-write and POP-to-memory instructions, against the processor.
GUEST_CODE(rmw_not_present, "  mov ebx, 5\n  add dword ptr [0x800010], ebx\n")
GUEST_CODE(btc_read_only, "  btc qword ptr [0xa00020], 8\n")
GUEST_CODE(xadd_read_only, "  mov esi, 7\n  xor eax, eax\n  xadd dword ptr [0xa00020], esi\n")
GUEST_CODE(pop_not_present, "  push 0x1234\n  pop qword ptr [0x800010]\n")
GUEST_CODE(ss_non_canonical, "  mov r14, 0x8000000000000000\n  mov eax, ss:[r14]\n")

TEST(CpuException, ReadModifyWriteFaultsAreWritesAndChangeNothing) {
  CpuHarness h;
  h.install_long_mode_tables();
  enable_paging(h);
  h.load(GUEST_BYTES(rmw_not_present));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kPF);
  EXPECT_EQ(h.stack(0), 2u) << "not present, write: the read of a read-modify-write is checked as its write";

  h.s().gpr[kRsp] = CpuHarness::kStackTop;
  h.load(GUEST_BYTES(btc_read_only));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kPF);
  EXPECT_EQ(h.stack(0), 3u) << "present, write";

  h.s().gpr[kRsp] = CpuHarness::kStackTop;
  h.s().rflags = rflags::kFixed1;
  h.load(GUEST_BYTES(xadd_read_only));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kPF);
  EXPECT_EQ(h.s().gpr[kRsi], 7u) << "the source register keeps its value";
  EXPECT_EQ(h.stack(3) & rflags::kArith, static_cast<uint64_t>(rflags::kZF | rflags::kPF))
      << "the flags of XOR EAX, EAX: XADD changed none";
}

TEST(CpuException, FaultingPopToMemoryLeavesRspAlone) {
  CpuHarness h;
  h.install_long_mode_tables();
  enable_paging(h);
  h.load(GUEST_BYTES(pop_not_present));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kPF);
  EXPECT_EQ(h.stack(4), CpuHarness::kStackTop - 8) << "RSP in the frame: the pushed value is still on the stack";
}

TEST(CpuException, NonCanonicalAddressThroughSsOverrideIsSs) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.load(GUEST_BYTES(ss_non_canonical));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kSS) << "SDM Vol. 3A §6.15, Interrupt 12";
  EXPECT_EQ(h.stack(0), 0u);
}

// VPERMD (AVX2) has no handler: the engine offers AVX but not AVX2.
GUEST_CODE(avx2_vpermd, "  vpermd ymm0, ymm1, ymm2\n")

TEST(CpuException, UnimplementedInstructionRaisesUdAndIsCounted) {
  CpuHarness h;
  h.install_long_mode_tables();
  uint64_t before = UnimplementedLog::instance().count("vpermd");
  h.load(GUEST_BYTES(avx2_vpermd));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kUD);
  EXPECT_EQ(h.stack(0), CpuHarness::kCodeAddr);
  h.s().gpr[kRsp] = CpuHarness::kStackTop;
  h.s().rip = CpuHarness::kCodeAddr;
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(UnimplementedLog::instance().count("vpermd"), before + 2);
  auto top = UnimplementedLog::instance().by_frequency();
  ASSERT_FALSE(top.empty());
  EXPECT_NE(UnimplementedLog::instance().dump().find("vpermd"), std::string::npos);
}

TEST(CpuException, UnimplementedLogReportsEachEncodingOnce) {
  UnimplementedLog log;
  EXPECT_TRUE(log.record("fld", {0xd9, 0x00}));
  EXPECT_FALSE(log.record("fld", {0xd9, 0x00}));
  EXPECT_TRUE(log.record("fld", {0xd9, 0x01}));
  EXPECT_TRUE(log.record("movaps", {0x0f, 0x28, 0xc1}));
  ASSERT_EQ(log.by_frequency().size(), 2u);
  EXPECT_EQ(log.by_frequency()[0].first, "fld");
  EXPECT_EQ(log.by_frequency()[0].second, 3u);
}

GUEST_CODE(sti_shadow, "  nop\n  sti\n  nop\n  nop\n  nop\n")

TEST(CpuException, ExternalInterruptWaitsForIfAndTheStiShadow) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.cpu->request_interrupt(0x30);
  h.load(GUEST_BYTES(sti_shadow));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), 0x30);
  EXPECT_EQ(h.stack(0), CpuHarness::kCodeAddr + 3);  // after STI and the one shadowed NOP
}

GUEST_CODE(sti_hlt, "  sti\n  hlt\n  mov eax, 1\n")

TEST(CpuException, InterruptWakesHlt) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.load(GUEST_BYTES(sti_hlt));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().rip, CpuHarness::kCodeAddr + 2);
  h.cpu->request_interrupt(0x31);
  EXPECT_EQ(h.cpu->run(1000), Cpu::Exit::halted);  // delivered, then the handler stub's HLT
  EXPECT_EQ(h.delivered_vector(), 0x31);
  EXPECT_EQ(h.stack(0), CpuHarness::kCodeAddr + 2);
}

GUEST_CODE(real_mode, ".code16\n  mov sp, 0x7000\n  mov ax, 5\n  int 0x21\n  mov bx, ax\n  xor cx, cx\n  div cl\n")
GUEST_CODE(real_handler, ".code16\n  add ax, 1\n  iret\n")

TEST(CpuException, RealModeUsesTheIvt) {
  CpuHarness h;
  VcpuState& s = h.s();
  s.cr0 = 0x10;
  s.efer = 0;
  for (auto& seg : s.seg) seg = {0, 0xffff, 0, 0x93};
  s.seg[kCs].attr = 0x9b;
  s.idtr = {0, 0x3ff};
  h.cpu->update_mode();
  ASSERT_EQ(s.mode, CpuMode::real);
  h.memory.write_obj<uint32_t>(0x21 * 4, 0x00000600);  // 0000:0600
  h.memory.write_obj<uint32_t>(0, 0x00000700);         // #DE -> 0000:0700
  h.load(GUEST_BYTES(real_handler), 0x600);
  h.load({}, 0x700);
  h.load(GUEST_BYTES(real_mode), 0x7c00);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(s.gpr[kRbx] & 0xffff, 6u);
  EXPECT_EQ(s.rip, 0x701u);  // the #DE handler's HLT
  uint16_t frame[3];
  h.memory.read(s.gpr[kRsp] & 0xffff, frame, sizeof frame);
  EXPECT_EQ(frame[0], 0x7c00 + 12);  // IP of DIV
  EXPECT_EQ(frame[1], 0);            // CS
}

GUEST_CODE(segment_loads,
           "  mov ax, 0x28\n  ltr ax\n  mov ax, 0x23\n  mov ds, ax\n  mov ax, 0x08\n  mov es, ax\n"
           "  mov ax, 0x23\n  mov ss, ax\n")

TEST(CpuException, SegmentLoadsCheckDescriptors) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.s().tr = {0, 0, 0, 0x8b};
  h.load(GUEST_BYTES(segment_loads));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().tr.base, CpuHarness::kTss);
  EXPECT_EQ(h.s().tr.selector, 0x28);
  EXPECT_EQ((h.memory.read_obj<uint64_t>(CpuHarness::kGdt + 0x28) >> 40) & 0xf, 0xbu);  // busy
  EXPECT_EQ(h.s().seg[kDs].selector, 0x23);
  EXPECT_EQ(h.s().seg[kDs].dpl(), 3u);
  EXPECT_EQ(h.s().seg[kEs].selector, 0x08);
  // MOV SS with RPL 3 at CPL 0: #GP(selector).
  EXPECT_EQ(h.delivered_vector(), vec::kGP);
  EXPECT_EQ(h.stack(0), 0x20u);
}

}  // namespace
}  // namespace nv::test
