// Hardware task switches on the software CPU (SDM Vol. 3A chapter 8): far
// JMP/CALL to a TSS or task gate, IDT task gates for exceptions (with their
// error code on the new task's stack, and #DF), external interrupts and
// INT n, IRET with NT = 1, 16-bit TSSs, CR3 loads, the T flag, a
// virtual-8086 task, the #GP/#NP/#TS cases before and after the commit
// point, and #GP in IA-32e mode (§8.7).
#include "cpu_legacy_harness.h"

#include <gtest/gtest.h>

namespace nv::test {
namespace {

// A 16-bit TSS (§8.6, Figure 8-11).
struct Tss16 {
  uint16_t link, sp0, ss0, sp1, ss1, sp2, ss2, ip, flags;
  uint16_t ax, cx, dx, bx, sp, bp, si, di;
  uint16_t es, cs, ss, ds, ldt;
};
static_assert(sizeof(Tss16) == 0x2c);

constexpr uint64_t task_gate(uint16_t tss, unsigned dpl = 0, bool present = true) {
  return (static_cast<uint64_t>(tss) << 16) | (5ull << 40) | (static_cast<uint64_t>(dpl) << 45) |
         (present ? 1ull << 47 : 0);
}

// 32-bit protected mode, paging off: GDT with flat ring-0/ring-3 code and
// data, the running task A (busy), task B (available, 32-bit), a task gate
// to B, a 16-bit TSS C and a spare slot; an IDT of 32-bit interrupt gates
// to the HLT stubs of CpuHarness::handler(v).
struct LegacyTaskHarness : CpuHarness {
  static constexpr uint64_t kTssA = 0x6000, kTssB = 0x6100, kTssC = 0x6200, kTssV = 0x6300;
  static constexpr uint64_t kCodeB = 0x20000, kStackB = 0x70000, kCodeC = 0x9000;
  static constexpr uint16_t kCode = 0x08, kData = 0x10, kSelA = 0x28, kSelB = 0x30, kGateB = 0x38, kSelC = 0x40;
  static constexpr uint16_t kSpare = 0x48;
  static constexpr unsigned kGdtEntries = 16;

  LegacyTaskHarness() {
    const uint64_t gdt[kGdtEntries] = {0,
                                       0x00cf9b000000ffff,  // 0x08 code, DPL 0
                                       0x00cf93000000ffff,  // 0x10 data, DPL 0
                                       0x00cffb000000ffff,  // 0x18 code, DPL 3
                                       0x00cff3000000ffff,  // 0x20 data, DPL 3
                                       system_desc(kTssA, 0x67, 0xb),
                                       system_desc(kTssB, 0x67, 0x9),
                                       task_gate(kSelB),
                                       system_desc(kTssC, 0x2b, 0x1)};
    memory.write(kGdt, gdt, sizeof gdt);
    for (unsigned v = 0; v < 256; ++v) set_interrupt_gate(v);
    uint8_t stub[16] = {0xf4};
    for (unsigned v = 0; v < 256; ++v) memory.write(handler(v), stub, sizeof stub);
    uint8_t hlt = 0xf4;
    memory.write(kCodeB, &hlt, 1);
    memory.write(kCodeC, &hlt, 1);
    enter_flat_protected_mode(*this, kCode, kData, kGdtEntries, kSelA, kTssA);
    Tss32 b{};
    b.eip = kCodeB;
    b.eflags = 0x2;
    b.eax = 0xb0b0;
    b.esp = kStackB;
    b.cs = kCode;
    b.ss = b.ds = b.es = b.fs = b.gs = kData;
    memory.write_obj(kTssB, b);
    memory.write_obj(kTssA, Tss32{});
  }

  void set_gdt(uint16_t sel, uint64_t d) { memory.write_obj(kGdt + (sel & 0xfff8), d); }
  void set_idt(unsigned v, uint64_t gate) { memory.write_obj(kIdt + v * 8, gate); }
  void set_interrupt_gate(unsigned v, bool present = true) {
    uint64_t target = handler(v);
    set_idt(v, (target & 0xffff) | (static_cast<uint64_t>(kCode) << 16) | (0xeull << 40) | (3ull << 45) |
                   (present ? 1ull << 47 : 0) | ((target >> 16) << 48));
  }
  void put_code(const std::vector<uint8_t>& bytes, uint64_t at) {
    memory.write(at, bytes.data(), bytes.size());
    code.invalidate_code_page(at);
  }
  bool busy(uint16_t sel) { return (memory.read_obj<uint64_t>(kGdt + (sel & 0xfff8)) >> 41) & 1; }
  Tss32 tss(uint64_t at) { return memory.read_obj<Tss32>(at); }
  // 32-bit stack slot `slot` above ESP.
  uint32_t stack32(unsigned slot) {
    return memory.read_obj<uint32_t>(s().seg[kSs].base + static_cast<uint32_t>(s().gpr[kRsp]) + 4 * slot);
  }
  uint32_t flags() { return cpu->rflags(); }
};

GUEST_CODE(jmp_to_task, ".code32\n  mov eax, 0xa1\n  mov ebx, 0xb1\n  mov esi, 0x51\n  jmp 0x30:0\n")

TEST(CpuTaskSwitch, FarJmpToTssSavesTheOldTaskAndLoadsTheNew) {
  LegacyTaskHarness h;
  std::vector<uint8_t> code = GUEST_BYTES(jmp_to_task);
  h.load(code);
  h.cpu->write_dr(0, 0x123000);
  h.cpu->write_dr(7, 0x1 | 0x8);  // L0, G1
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  const VcpuState& s = h.s();
  EXPECT_EQ(s.rip, LegacyTaskHarness::kCodeB + 1);
  EXPECT_EQ(s.tr.selector, LegacyTaskHarness::kSelB);
  EXPECT_EQ(s.tr.base, LegacyTaskHarness::kTssB);
  EXPECT_EQ(s.tr.type(), 0xbu) << "TR caches the busy TSS";
  EXPECT_EQ(s.gpr[kRax], 0xb0b0u);
  EXPECT_EQ(s.gpr[kRbx], 0u);
  EXPECT_EQ(s.gpr[kRsp], LegacyTaskHarness::kStackB);
  EXPECT_EQ(s.mode, CpuMode::prot32);
  EXPECT_FALSE(h.flags() & rflags::kNT) << "JMP does not nest";
  EXPECT_TRUE(s.cr0 & (1u << 3)) << "CR0.TS is set by every task switch";
  EXPECT_FALSE(h.busy(LegacyTaskHarness::kSelA)) << "JMP frees the old task";
  EXPECT_TRUE(h.busy(LegacyTaskHarness::kSelB));
  Tss32 a = h.tss(LegacyTaskHarness::kTssA);
  EXPECT_EQ(a.eip, CpuHarness::kCodeAddr + code.size()) << "EIP of the instruction after the JMP";
  EXPECT_EQ(a.eax, 0xa1u);
  EXPECT_EQ(a.ebx, 0xb1u);
  EXPECT_EQ(a.esi, 0x51u);
  EXPECT_EQ(a.esp, CpuHarness::kStackTop);
  EXPECT_EQ(a.cs, LegacyTaskHarness::kCode);
  EXPECT_EQ(a.ss, LegacyTaskHarness::kData);
  EXPECT_EQ(a.eflags & ~rflags::kArith, 0x2u);
  EXPECT_EQ(h.tss(LegacyTaskHarness::kTssB).link, 0u) << "JMP writes no link";
  EXPECT_EQ(s.dr[7], 0x408u) << "L0 cleared, G1 kept (Vol. 3B §19.2.4)";
}

GUEST_CODE(call_task_gate, ".code32\n  mov ebx, 0xaa\n  call 0x38:0\n")
GUEST_CODE(task_b_hlt_iret, ".code32\n  mov ebx, 5\n  hlt\n  iretd\n")

TEST(CpuTaskSwitch, FarCallThroughTaskGateNestsAndIretReturns) {
  LegacyTaskHarness h;
  h.put_code(GUEST_BYTES(task_b_hlt_iret), LegacyTaskHarness::kCodeB);
  std::vector<uint8_t> code = GUEST_BYTES(call_task_gate);
  h.load(code);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  // In task B: nested under A.
  EXPECT_EQ(h.s().tr.selector, LegacyTaskHarness::kSelB);
  EXPECT_TRUE(h.flags() & rflags::kNT);
  EXPECT_EQ(h.tss(LegacyTaskHarness::kTssB).link, LegacyTaskHarness::kSelA);
  EXPECT_TRUE(h.busy(LegacyTaskHarness::kSelA)) << "CALL leaves the caller busy";
  EXPECT_TRUE(h.busy(LegacyTaskHarness::kSelB));
  // IRET with NT = 1 goes back to A, after its CALL.
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().tr.selector, LegacyTaskHarness::kSelA);
  EXPECT_EQ(h.s().rip, CpuHarness::kCodeAddr + code.size() + 1);
  EXPECT_EQ(h.s().gpr[kRbx], 0xaau) << "A's registers come back from its TSS";
  EXPECT_FALSE(h.flags() & rflags::kNT);
  EXPECT_TRUE(h.busy(LegacyTaskHarness::kSelA));
  EXPECT_FALSE(h.busy(LegacyTaskHarness::kSelB)) << "IRET frees the task it leaves";
  Tss32 b = h.tss(LegacyTaskHarness::kTssB);
  EXPECT_EQ(b.ebx, 5u);
  EXPECT_EQ(b.eip, LegacyTaskHarness::kCodeB + 7) << "B resumes after its IRET";
  EXPECT_FALSE(b.eflags & rflags::kNT) << "IRET clears NT in the image it saves";
}

GUEST_CODE(load_bad_ds, ".code32\n  mov ax, 0x1234\n  mov ds, ax\n")

TEST(CpuTaskSwitch, ExceptionThroughIdtTaskGatePushesItsErrorCodeOnTheNewStack) {
  LegacyTaskHarness h;
  h.set_idt(vec::kGP, task_gate(LegacyTaskHarness::kSelB));
  h.load(GUEST_BYTES(load_bad_ds));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  const VcpuState& s = h.s();
  EXPECT_EQ(s.tr.selector, LegacyTaskHarness::kSelB);
  EXPECT_EQ(s.rip, LegacyTaskHarness::kCodeB + 1);
  EXPECT_EQ(s.gpr[kRsp], LegacyTaskHarness::kStackB - 4);
  EXPECT_EQ(h.stack32(0), 0x1234u) << "#GP(selector) on the handler task's stack";
  EXPECT_TRUE(h.flags() & rflags::kNT);
  EXPECT_EQ(h.tss(LegacyTaskHarness::kTssB).link, LegacyTaskHarness::kSelA);
  EXPECT_TRUE(h.busy(LegacyTaskHarness::kSelA));
  Tss32 a = h.tss(LegacyTaskHarness::kTssA);
  EXPECT_EQ(a.eip, CpuHarness::kCodeAddr + 4) << "the faulting MOV DS";
  EXPECT_TRUE(a.eflags & rflags::kRF) << "a fault saves RF set (§18.3.1.1)";
}

TEST(CpuTaskSwitch, DoubleFaultThroughTaskGate) {
  LegacyTaskHarness h;
  h.set_interrupt_gate(vec::kGP, /*present=*/false);  // #GP, then #NP delivering it: #DF
  h.set_idt(vec::kDF, task_gate(LegacyTaskHarness::kSelB));
  h.load(GUEST_BYTES(load_bad_ds));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().tr.selector, LegacyTaskHarness::kSelB);
  EXPECT_EQ(h.s().gpr[kRsp], LegacyTaskHarness::kStackB - 4);
  EXPECT_EQ(h.stack32(0), 0u) << "#DF's error code is 0";
  EXPECT_EQ(h.tss(LegacyTaskHarness::kTssA).eip, CpuHarness::kCodeAddr + 4);
  EXPECT_FALSE(h.control.stop_requested()) << "no triple fault";
}

GUEST_CODE(two_nops, ".code32\n  nop\n  nop\n")

TEST(CpuTaskSwitch, ExternalInterruptThroughTaskGate) {
  LegacyTaskHarness h;
  h.set_idt(0x40, task_gate(LegacyTaskHarness::kSelB));
  h.load(GUEST_BYTES(two_nops));
  h.cpu->set_rflags(0x202);
  h.cpu->request_interrupt(0x40);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().tr.selector, LegacyTaskHarness::kSelB);
  EXPECT_EQ(h.s().gpr[kRsp], LegacyTaskHarness::kStackB) << "no error code";
  Tss32 a = h.tss(LegacyTaskHarness::kTssA);
  EXPECT_EQ(a.eip, CpuHarness::kCodeAddr);
  EXPECT_EQ(a.eflags & (rflags::kIF | rflags::kRF), rflags::kIF);
  EXPECT_FALSE(h.flags() & rflags::kIF) << "EFLAGS come from B's TSS";
}

TEST(CpuTaskSwitch, FaultAfterTheCommitPointOfAnInterruptTaskIsTheNewTasksWithExt) {
  // An external interrupt through a task gate to a task whose DS is bad:
  // #TS with EXT = 1, delivered in the new task (not rolled back to A).
  LegacyTaskHarness h;
  Tss32 b = h.tss(LegacyTaskHarness::kTssB);
  b.ds = 0x1238;
  h.memory.write_obj(LegacyTaskHarness::kTssB, b);
  h.set_idt(0x40, task_gate(LegacyTaskHarness::kSelB));
  h.load(GUEST_BYTES(two_nops));
  h.cpu->set_rflags(0x202);
  h.cpu->request_interrupt(0x40);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kTS);
  EXPECT_EQ(h.stack32(0), 0x1238u | 1) << "EXT";
  EXPECT_EQ(h.stack32(1), LegacyTaskHarness::kCodeB);
  EXPECT_EQ(h.s().tr.selector, LegacyTaskHarness::kSelB);
  EXPECT_EQ(h.tss(LegacyTaskHarness::kTssA).eip, CpuHarness::kCodeAddr);
}

GUEST_CODE(int_0x41, ".code32\n  int 0x41\n")

TEST(CpuTaskSwitch, IntNThroughTaskGateChecksTheGateDpl) {
  LegacyTaskHarness h;
  h.set_idt(0x41, task_gate(LegacyTaskHarness::kSelB, 0));
  h.load(GUEST_BYTES(int_0x41));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().tr.selector, LegacyTaskHarness::kSelB);
  EXPECT_EQ(h.tss(LegacyTaskHarness::kTssA).eip, CpuHarness::kCodeAddr + 2) << "INT n saves the next EIP";

  // At CPL 3 the DPL 0 gate is #GP(vector * 8 + 2), without a switch.
  LegacyTaskHarness user;
  user.set_idt(0x41, task_gate(LegacyTaskHarness::kSelB, 0));
  user.load(GUEST_BYTES(int_0x41));
  user.s().tr = {LegacyTaskHarness::kTssA, 0x67, LegacyTaskHarness::kSelA, 0x8b};
  Tss32 a{};
  a.esp0 = 0x50000;
  a.ss0 = LegacyTaskHarness::kData;
  user.memory.write_obj(LegacyTaskHarness::kTssA, a);
  user.s().seg[kCs] = {0, 0xffffffff, 0x1b, 0xc0fb};
  user.s().seg[kSs] = {0, 0xffffffff, 0x23, 0xc0f3};
  user.s().cpl = 3;
  user.cpu->update_mode();
  ASSERT_EQ(user.run(), Cpu::Exit::halted);
  EXPECT_EQ(user.delivered_vector(), vec::kGP);
  EXPECT_EQ(user.stack32(0), 0x41u * 8 + 2);
  EXPECT_EQ(user.s().tr.selector, LegacyTaskHarness::kSelA);
}

// JMP m16:32 through a far pointer whose selector the test fills in.
GUEST_CODE(jmp_far_ptr, ".code32\n  jmp fword ptr [2f - nv_gbegin_jmp_far_ptr + 0x10000]\n  hlt\n2: .long 0\n  .word 0\n")

void jump_to(LegacyTaskHarness& h, uint16_t selector) {
  std::vector<uint8_t> code = GUEST_BYTES(jmp_far_ptr);
  h.load(code);
  h.memory.write_obj<uint16_t>(CpuHarness::kCodeAddr + code.size() - 2, selector);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
}

TEST(CpuTaskSwitch, ChecksBeforeTheCommitPointFaultInTheOldTask) {
  struct Case {
    const char* what;
    uint16_t selector;
    uint64_t desc;  // written at the selector's slot when not 0
    uint8_t vector;
    uint32_t error;
  };
  const Case cases[] = {
      {"busy TSS (the running task)", LegacyTaskHarness::kSelA, 0, vec::kGP, LegacyTaskHarness::kSelA},
      {"RPL above the TSS's DPL", LegacyTaskHarness::kSelB | 3, 0, vec::kGP, LegacyTaskHarness::kSelB},
      {"TSS not present", LegacyTaskHarness::kSpare,
       system_desc(LegacyTaskHarness::kTssB, 0x67, 9, 0, false), vec::kNP, LegacyTaskHarness::kSpare},
      {"TSS limit below 0x67", LegacyTaskHarness::kSpare, system_desc(LegacyTaskHarness::kTssB, 0x60, 9), vec::kTS,
       LegacyTaskHarness::kSpare},
      {"task gate not present", LegacyTaskHarness::kSpare, task_gate(LegacyTaskHarness::kSelB, 0, false), vec::kNP,
       LegacyTaskHarness::kSpare},
      {"task gate to a busy TSS", LegacyTaskHarness::kSpare, task_gate(LegacyTaskHarness::kSelA), vec::kGP,
       LegacyTaskHarness::kSelA},
      {"task gate to a data segment", LegacyTaskHarness::kSpare, task_gate(LegacyTaskHarness::kData), vec::kGP,
       LegacyTaskHarness::kData},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    LegacyTaskHarness h;
    if (c.desc) h.set_gdt(c.selector, c.desc);
    jump_to(h, c.selector);
    EXPECT_EQ(h.delivered_vector(), c.vector);
    EXPECT_EQ(h.stack32(0), c.error);
    EXPECT_EQ(h.stack32(1), CpuHarness::kCodeAddr) << "RIP of the JMP";
    EXPECT_EQ(h.s().tr.selector, LegacyTaskHarness::kSelA);
    EXPECT_TRUE(h.busy(LegacyTaskHarness::kSelA));
    EXPECT_FALSE(h.busy(LegacyTaskHarness::kSelB));
    EXPECT_FALSE(h.s().cr0 & (1u << 3));
  }
}

TEST(CpuTaskSwitch, SegmentChecksAfterTheCommitPointFaultInTheNewTask) {
  // §8.3 step 13: these faults are the new task's. Their handler is a task
  // gate back to A (free again after the JMP), as a #TS handler must be
  // (§6.15, interrupt 10): the segment registers may be unusable.
  struct Case {
    const char* what;
    uint32_t Tss32::*field;
    uint32_t value;
    uint64_t spare;  // the descriptor at LegacyTaskHarness::kSpare
    uint8_t vector;
    uint32_t error;
  };
  constexpr uint16_t kSpare = LegacyTaskHarness::kSpare, kSelC = LegacyTaskHarness::kSelC;
  constexpr uint64_t kNotPresentData = 0x00cf13000000ffff, kDpl3Data = 0x00cff3000000ffff;
  const Case cases[] = {
      {"DS beyond the GDT", &Tss32::ds, 0x1238, 0, vec::kTS, 0x1238},
      {"ES is a system descriptor", &Tss32::es, kSelC, 0, vec::kTS, kSelC},
      {"FS in an LDT the task lacks", &Tss32::fs, 0x0c, 0, vec::kTS, 0x0c},
      {"LDT selector names a TSS", &Tss32::ldt, kSelC, 0, vec::kTS, kSelC},
      {"GS not present", &Tss32::gs, kSpare, kNotPresentData, vec::kNP, kSpare},
      {"SS DPL differs from CPL", &Tss32::ss, kSpare, kDpl3Data, vec::kTS, kSpare},
      {"SS not present", &Tss32::ss, kSpare, kNotPresentData, vec::kSS, kSpare},
      {"null SS", &Tss32::ss, 0, 0, vec::kTS, 0},
      {"CS is a data segment", &Tss32::cs, LegacyTaskHarness::kData, 0, vec::kTS, LegacyTaskHarness::kData},
      {"EIP beyond the CS limit", &Tss32::cs, kSpare, 0x00409b000000ffff, vec::kGP, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    LegacyTaskHarness h;
    if (c.spare) h.set_gdt(kSpare, c.spare);
    Tss32 b = h.tss(LegacyTaskHarness::kTssB);
    b.*c.field = c.value;
    h.memory.write_obj(LegacyTaskHarness::kTssB, b);
    h.set_idt(c.vector, task_gate(LegacyTaskHarness::kSelA));
    jump_to(h, LegacyTaskHarness::kSelB);
    EXPECT_EQ(h.s().tr.selector, LegacyTaskHarness::kSelA) << "the fault's handler task runs";
    EXPECT_EQ(h.s().gpr[kRsp], CpuHarness::kStackTop - 4);
    EXPECT_EQ(h.stack32(0), c.error);
    EXPECT_EQ(h.tss(LegacyTaskHarness::kTssA).link, LegacyTaskHarness::kSelB) << "B was the running task";
    EXPECT_EQ(h.tss(LegacyTaskHarness::kTssB).eip, LegacyTaskHarness::kCodeB) << "at its first instruction";
    EXPECT_TRUE(h.busy(LegacyTaskHarness::kSelB));
  }
}

GUEST_CODE(iret_nested, ".code32\n  pushfd\n  or dword ptr [esp], 0x4000\n  popfd\n  iretd\n")

TEST(CpuTaskSwitch, IretToATaskThatIsNotBusyIsTs) {
  LegacyTaskHarness h;
  Tss32 a{};
  a.link = LegacyTaskHarness::kSelB;  // available, not busy
  h.memory.write_obj(LegacyTaskHarness::kTssA, a);
  h.load(GUEST_BYTES(iret_nested));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kTS);
  EXPECT_EQ(h.stack32(0), LegacyTaskHarness::kSelB);
  EXPECT_EQ(h.s().tr.selector, LegacyTaskHarness::kSelA);
}

GUEST_CODE(call_16bit_task, ".code32\n  mov eax, 0xdead0000\n  call 0x40:0\n")
GUEST_CODE(task_c, ".code32\n  hlt\n  mov ecx, 0x12345678\n  iretd\n")

TEST(CpuTaskSwitch, SixteenBitTss) {
  LegacyTaskHarness h;
  Tss16 c{};
  c.ip = LegacyTaskHarness::kCodeC;
  c.flags = 0x2;
  c.ax = 0x1234;
  c.sp = 0xf000;
  c.cs = LegacyTaskHarness::kCode;
  c.ss = c.ds = c.es = LegacyTaskHarness::kData;
  h.memory.write_obj(LegacyTaskHarness::kTssC, c);
  h.put_code(GUEST_BYTES(task_c), LegacyTaskHarness::kCodeC);
  std::vector<uint8_t> code = GUEST_BYTES(call_16bit_task);
  h.load(code);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  const VcpuState& s = h.s();
  EXPECT_EQ(s.tr.selector, LegacyTaskHarness::kSelC);
  EXPECT_EQ(s.tr.type(), 3u) << "busy 16-bit TSS";
  EXPECT_EQ(s.rip, LegacyTaskHarness::kCodeC + 1);
  EXPECT_EQ(s.gpr[kRax], 0x1234u);
  EXPECT_EQ(s.gpr[kRsp], 0xf000u);
  EXPECT_EQ(s.seg[kFs].selector, 0u) << "a 16-bit TSS has no FS/GS: null";
  EXPECT_TRUE(h.flags() & rflags::kNT);
  EXPECT_EQ(h.memory.read_obj<Tss16>(LegacyTaskHarness::kTssC).link, LegacyTaskHarness::kSelA);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(s.tr.selector, LegacyTaskHarness::kSelA);
  EXPECT_EQ(s.gpr[kRax], 0xdead0000u);
  EXPECT_EQ(s.rip, CpuHarness::kCodeAddr + code.size() + 1);
  Tss16 saved = h.memory.read_obj<Tss16>(LegacyTaskHarness::kTssC);
  EXPECT_EQ(saved.ip, LegacyTaskHarness::kCodeC + 7);
  EXPECT_EQ(saved.cx, 0x5678u) << "16 bits saved";
  EXPECT_EQ(saved.flags & rflags::kNT, 0u);
  EXPECT_FALSE(h.busy(LegacyTaskHarness::kSelC));
}

GUEST_CODE(read_then_switch, ".code32\n  mov eax, [0x400000]\n  jmp 0x30:0\n")
GUEST_CODE(read_in_new_task, ".code32\n  mov ebx, [0x400000]\n  hlt\n")

TEST(CpuTaskSwitch, LoadsCr3AndTheTlbFollows) {
  LegacyTaskHarness h;
  constexpr uint64_t kPd1 = 0x30000, kPd2 = 0x31000;
  // 4 MiB pages (CR4.PSE): both map 0-4 MiB to itself; linear 4 MiB maps to
  // physical 4 MiB in the first directory and to 8 MiB in the second.
  h.memory.write_obj<uint32_t>(kPd1, 0x83);
  h.memory.write_obj<uint32_t>(kPd1 + 4, 0x400083);
  h.memory.write_obj<uint32_t>(kPd2, 0x83);
  h.memory.write_obj<uint32_t>(kPd2 + 4, 0x800083);
  h.memory.write_obj<uint32_t>(0x400000, 0x1111);
  h.memory.write_obj<uint32_t>(0x800000, 0x2222);
  h.cpu->write_cr(4, 1u << 4);
  h.cpu->write_cr(3, kPd1);
  h.cpu->write_cr(0, h.s().cr0 | cr0::kPG);
  Tss32 b = h.tss(LegacyTaskHarness::kTssB);
  b.cr3 = kPd2;
  h.memory.write_obj(LegacyTaskHarness::kTssB, b);
  h.put_code(GUEST_BYTES(read_in_new_task), LegacyTaskHarness::kCodeB);
  h.load(GUEST_BYTES(read_then_switch));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().cr3, kPd2);
  EXPECT_EQ(h.tss(LegacyTaskHarness::kTssA).eax, 0x1111u);
  EXPECT_EQ(h.s().gpr[kRbx], 0x2222u);
}

TEST(CpuTaskSwitch, TFlagTrapsBeforeTheNewTasksFirstInstruction) {
  LegacyTaskHarness h;
  Tss32 b = h.tss(LegacyTaskHarness::kTssB);
  b.t_flag = 1;
  h.memory.write_obj(LegacyTaskHarness::kTssB, b);
  jump_to(h, LegacyTaskHarness::kSelB);
  EXPECT_EQ(h.delivered_vector(), vec::kDB);
  EXPECT_TRUE(h.s().dr[6] & (1u << 15)) << "DR6.BT";
  EXPECT_EQ(h.stack32(0), LegacyTaskHarness::kCodeB);
  EXPECT_EQ(h.s().tr.selector, LegacyTaskHarness::kSelB);
}

TEST(CpuTaskSwitch, IretIntoAVirtual8086TaskAndBackThroughATaskGate) {
  // As kvm-unit-tests taskswitch2's VM86 case: IRET with NT = 1 to a busy
  // TSS whose EFLAGS.VM = 1; its UD2 comes back through a task gate.
  LegacyTaskHarness h;
  h.set_gdt(LegacyTaskHarness::kSpare, system_desc(LegacyTaskHarness::kTssV, 0x67, 0xb));
  Tss32 a{};
  a.link = LegacyTaskHarness::kSpare;
  h.memory.write_obj(LegacyTaskHarness::kTssA, a);
  Tss32 v{};
  v.eflags = rflags::kVM | 0x2;
  v.cs = 0x4200;
  v.eip = 0x2;
  v.ds = 0x1234;
  v.es = 0x2345;
  v.ss = 0x5000;
  v.esp = 0x100;
  h.memory.write_obj(LegacyTaskHarness::kTssV, v);
  const uint8_t v86_code[] = {0x90, 0x90, 0x0f, 0x0b};  // NOP NOP UD2 at 4200:0000
  h.memory.write(0x42000, v86_code, sizeof v86_code);
  h.set_idt(vec::kUD, task_gate(LegacyTaskHarness::kSelA));
  std::vector<uint8_t> code = GUEST_BYTES(iret_nested);
  h.load(code);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  const VcpuState& s = h.s();
  EXPECT_EQ(s.tr.selector, LegacyTaskHarness::kSelA);
  EXPECT_EQ(s.mode, CpuMode::prot32);
  EXPECT_EQ(s.rip, CpuHarness::kCodeAddr + code.size() + 1) << "A resumes after its IRET";
  EXPECT_TRUE(h.flags() & rflags::kNT);
  EXPECT_EQ(h.tss(LegacyTaskHarness::kTssA).link, LegacyTaskHarness::kSpare);
  Tss32 saved = h.tss(LegacyTaskHarness::kTssV);
  EXPECT_EQ(saved.eip, 0x2u) << "the faulting UD2";
  EXPECT_EQ(saved.cs, 0x4200u);
  EXPECT_EQ(saved.ds, 0x1234u);
  EXPECT_TRUE(saved.eflags & rflags::kVM);
  EXPECT_TRUE(h.busy(LegacyTaskHarness::kSpare));
}

GUEST_CODE(long_far_jmp, "  jmp fword ptr [rip+1f]\n1: .long 0\n  .word 0x28\n")
GUEST_CODE(long_iret_nt, "  pushfq\n  or qword ptr [rsp], 0x4000\n  popfq\n  iretq\n")

TEST(CpuTaskSwitch, Ia32eModeHasNoTaskSwitches) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.load(GUEST_BYTES(long_far_jmp));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kGP) << "far JMP to a 64-bit TSS";
  EXPECT_EQ(h.stack(0), 0x28u);

  CpuHarness iret;
  iret.install_long_mode_tables();
  iret.load(GUEST_BYTES(long_iret_nt));
  ASSERT_EQ(iret.run(), Cpu::Exit::halted);
  EXPECT_EQ(iret.delivered_vector(), vec::kGP) << "IRET with NT = 1";
  EXPECT_EQ(iret.stack(0), 0u);

  CpuHarness gate;
  gate.install_long_mode_tables();
  gate.memory.write_obj<uint64_t>(CpuHarness::kIdt + 0x41 * 16, task_gate(0x28, 3));
  gate.load(std::vector<uint8_t>{0xcd, 0x41});
  ASSERT_EQ(gate.run(), Cpu::Exit::halted);
  EXPECT_EQ(gate.delivered_vector(), vec::kGP) << "IDT task gate";
  EXPECT_EQ(gate.stack(0), 0x41u * 8 + 2);
}

// In VMX non-root operation a task switch is a VM exit before any of its
// checks (Vol. 3C §26.1.2), with the TSS selector and source in the
// qualification (Table 28-2); a taken exit leaves both tasks untouched.
TEST(CpuTaskSwitch, TaskSwitchesPassTheVmExitHookFirst) {
  struct TakeTaskSwitch : VmExitHook {
    bool intercept(Cpu& cpu, const ExitEvent& e) override {
      if (e.reason != ExitReason::task_switch) return false;
      qualification = e.qualification;
      cpu.halt();
      return true;
    }
    uint64_t qualification = 0;
  } hook;
  LegacyTaskHarness h;
  h.cpu->set_vm_exit_hook(&hook);
  h.load(GUEST_BYTES(call_task_gate));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  // Through a task gate the qualification names the TSS the gate leads to.
  EXPECT_EQ(hook.qualification, exit_qualification::task_switch(LegacyTaskHarness::kSelB,
                                                                exit_qualification::TaskSwitchSource::call));
  EXPECT_EQ(h.s().tr.selector, LegacyTaskHarness::kSelA);
  EXPECT_TRUE(h.busy(LegacyTaskHarness::kSelA));
  EXPECT_FALSE(h.busy(LegacyTaskHarness::kSelB));
  EXPECT_EQ(h.tss(LegacyTaskHarness::kTssA).eip, 0u) << "nothing was saved";
}

}  // namespace
}  // namespace nv::test
