// Far CALL/JMP through call gates on the software CPU (SDM Vol. 3A
// §5.8.3-5.8.6, Vol. 2A CALL, JMP, RET): 32- and 16-bit gates from ring 3
// to ring 0 with the TSS stack and parameter copy and RET imm16 back, JMP's
// privilege rules, conforming targets, the #GP/#NP/#TS/#SS cases with their
// selector error codes (the caller's state untouched), 64-bit gates in
// IA-32e mode with their null SS and no parameter copy, and which
// descriptors LAR, LSL, VERR and VERW accept.
#include "cpu_legacy_harness.h"

#include <gtest/gtest.h>

namespace nv::test {
namespace {

using H = LegacyHarness;
constexpr uint64_t kTarget = 0x30000;

GUEST_CODE(call_gate32, ".code32\n  push 0x22222222\n  push 0x11111111\n  call 0x43:0\n  mov ebx, 0x600d\n  int3\n")
GUEST_CODE(gate32_target, ".code32\n  hlt\n  mov ax, 0x10\n  mov ds, ax\n  retf 8\n")

TEST(CpuCallGate, Call32FromRing3CopiesParametersToTheRing0StackAndRetImmPopsThemOnBoth) {
  H h;
  h.set_gdt(H::kFree, gate_desc(H::kCode0, kTarget, 0xc, 3, 2));
  h.put_code(GUEST_BYTES(gate32_target), kTarget);
  h.enter_ring3();
  h.load(GUEST_BYTES(call_gate32));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  const VcpuState& s = h.s();
  EXPECT_EQ(s.rip, kTarget + 1);
  EXPECT_EQ(s.cpl, 0u);
  EXPECT_EQ(s.seg[kCs].selector, H::kCode0) << "CS.RPL = the new CPL";
  EXPECT_EQ(s.seg[kSs].selector, H::kData0) << "SS0 from the TSS";
  EXPECT_EQ(s.mode, CpuMode::prot32);
  ASSERT_EQ(s.gpr[kRsp], H::kStack0 - 24) << "SS, ESP, 2 parameters, CS, EIP";
  EXPECT_EQ(h.stack32(0), CpuHarness::kCodeAddr + 17) << "the instruction after the CALL";
  EXPECT_EQ(h.stack32(1), H::kCode3);
  EXPECT_EQ(h.stack32(2), 0x11111111u) << "parameters keep their order";
  EXPECT_EQ(h.stack32(3), 0x22222222u);
  EXPECT_EQ(h.stack32(4), CpuHarness::kStackTop - 8);
  EXPECT_EQ(h.stack32(5), H::kData3);
  EXPECT_EQ(h.memory.read_obj<uint32_t>(CpuHarness::kStackTop - 8), 0x11111111u) << "the caller's copy stays";

  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), 3) << "the INT3 after the return";
  EXPECT_EQ(s.gpr[kRbx], 0x600du) << "the return reached the caller";
  EXPECT_EQ(h.stack32(1), H::kCode3);
  EXPECT_EQ(h.stack32(3), CpuHarness::kStackTop) << "RET 8 popped the parameters from the caller's stack";
  EXPECT_EQ(h.stack32(4), H::kData3);
  EXPECT_EQ(s.gpr[kRsp], H::kStack0 - 20) << "the ring-0 stack was left empty by the RET";
  EXPECT_EQ(s.seg[kDs].selector, 0u) << "a DPL 0 data segment becomes null on the return to ring 3";
}

GUEST_CODE(call_gate16, ".code32\n  pushw 0x3333\n  pushw 0x2222\n  pushw 0x1111\n  call 0x43:0\n  int3\n")
GUEST_CODE(gate16_target, ".code16\n  hlt\n  retf 6\n.code32\n")

TEST(CpuCallGate, Call16CopiesWordsAndPushesSixteenBitsWhateverTheCallersSize) {
  H h;
  constexpr uint64_t kBase16 = 0x20000, kCaller = 0x8000;
  constexpr uint16_t kCode16 = 0x48;
  h.set_gdt(kCode16, system_desc(kBase16, 0xffff, 0x1b));  // 16-bit code, DPL 0
  h.set_gdt(H::kFree, gate_desc(kCode16, 0x100, 0x4, 3, 3));
  h.put_code(GUEST_BYTES(gate16_target), kBase16 + 0x100);
  h.enter_ring3();
  h.s().gpr[kRsp] = 0xf000;
  std::vector<uint8_t> code = GUEST_BYTES(call_gate16);
  h.load(code, kCaller);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  const VcpuState& s = h.s();
  EXPECT_EQ(s.rip, 0x101u);
  EXPECT_EQ(s.cpl, 0u);
  EXPECT_EQ(s.seg[kCs].selector, kCode16);
  EXPECT_EQ(s.mode, CpuMode::prot16);
  ASSERT_EQ(s.gpr[kRsp], H::kStack0 - 14) << "7 words";
  EXPECT_EQ(h.stack16(0), kCaller + code.size() - 1) << "IP of the INT3";
  EXPECT_EQ(h.stack16(1), H::kCode3);
  EXPECT_EQ(h.stack16(2), 0x1111u);
  EXPECT_EQ(h.stack16(3), 0x2222u);
  EXPECT_EQ(h.stack16(4), 0x3333u);
  EXPECT_EQ(h.stack16(5), 0xf000u - 6);
  EXPECT_EQ(h.stack16(6), H::kData3);

  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), 3);
  EXPECT_EQ(h.stack32(0), kCaller + code.size());
  EXPECT_EQ(h.stack32(3), 0xf000u) << "RET 6 dropped the three words";
}

GUEST_CODE(jmp_gate, ".code32\n  jmp 0x43:0\n")
GUEST_CODE(call_gate_plain, ".code32\n  call 0x43:0\n")
GUEST_CODE(breakpoint, ".code32\n  mov eax, 0x1234\n  int3\n")

TEST(CpuCallGate, JmpNeverChangesPrivilege) {
  H h;
  h.set_gdt(H::kFree, gate_desc(H::kCode0, kTarget, 0xc, 3));
  h.enter_ring3();
  h.load(GUEST_BYTES(jmp_gate));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), vec::kGP) << "JMP to a nonconforming DPL 0 segment from ring 3";
  EXPECT_EQ(h.stack32(0), H::kCode0 & 0xfffcu) << "#GP(code segment selector)";
  EXPECT_EQ(h.stack32(1), CpuHarness::kCodeAddr);
  EXPECT_EQ(h.stack32(4), CpuHarness::kStackTop);
}

TEST(CpuCallGate, ConformingTargetsRunAtTheCallersLevel) {
  for (bool call : {false, true}) {
    SCOPED_TRACE(call ? "CALL" : "JMP");
    H h;
    constexpr uint16_t kConforming = 0x48;
    h.set_gdt(kConforming, 0x00cf9f000000ffff);  // conforming code, DPL 0
    h.set_gdt(H::kFree, gate_desc(kConforming, kTarget, 0xc, 3));
    h.put_code(GUEST_BYTES(breakpoint), kTarget);
    h.enter_ring3();
    h.load(call ? GUEST_BYTES(call_gate_plain) : GUEST_BYTES(jmp_gate));
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    ASSERT_EQ(h.delivered_vector(), 3);
    EXPECT_EQ(h.s().gpr[kRax], 0x1234u);
    EXPECT_EQ(h.stack32(1), kConforming | 3u) << "CPL 3 in conforming code: CS.RPL = 3";
    EXPECT_EQ(h.stack32(3), CpuHarness::kStackTop - (call ? 8 : 0)) << "no stack switch";
    EXPECT_EQ(h.stack32(4), H::kData3);
    if (call) {
      EXPECT_EQ(h.memory.read_obj<uint32_t>(CpuHarness::kStackTop - 8), CpuHarness::kCodeAddr + 7);
      EXPECT_EQ(h.memory.read_obj<uint32_t>(CpuHarness::kStackTop - 4), H::kCode3);
    }
  }
}

GUEST_CODE(call_gate_ring0, ".code32\n  call 0x40:0\n")

TEST(CpuCallGate, CallAtTheSameLevelPushesOnTheCurrentStack) {
  H h;
  h.set_gdt(H::kFree, gate_desc(H::kCode0, kTarget, 0xc, 0));
  h.put_code(GUEST_BYTES(gate32_target), kTarget);
  h.load(GUEST_BYTES(call_gate_ring0));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().rip, kTarget + 1);
  EXPECT_EQ(h.s().seg[kSs].selector, H::kData0);
  ASSERT_EQ(h.s().gpr[kRsp], CpuHarness::kStackTop - 8) << "no parameters, no SS:ESP";
  EXPECT_EQ(h.stack32(0), CpuHarness::kCodeAddr + 7);
  EXPECT_EQ(h.stack32(1), H::kCode0);
}

// One fault of a CALL through the gate at 0x40 (selector 0x43) from ring 3,
// or from ring 0 (selector 0x40 | rpl).
struct GateFault {
  const char* what;
  unsigned ring;
  uint64_t gate;
  uint8_t vector;
  uint32_t error;
  void (*setup)(H&) = nullptr;
};

TEST(CpuCallGate, FaultsLeaveTheCallerAsItWasAndNameTheirSelector) {
  constexpr uint16_t kAlt = 0x48;  // a descriptor the case sets up
  const GateFault cases[] = {
      {"gate DPL < CPL", 3, gate_desc(H::kCode1, kTarget, 0xc, 2), vec::kGP, 0x40},
      {"gate not present", 3, gate_desc(H::kCode1, kTarget, 0xc, 3, 0, false), vec::kNP, 0x40},
      {"null code selector", 3, gate_desc(0, kTarget, 0xc, 3), vec::kGP, 0},
      {"data segment", 3, gate_desc(H::kData1, kTarget, 0xc, 3), vec::kGP, 0x38},
      {"code outside the GDT", 3, gate_desc(0x1f9, kTarget, 0xc, 3), vec::kGP, 0x1f8},
      {"code not present", 3, gate_desc(kAlt, kTarget, 0xc, 3), vec::kNP, kAlt,
       [](H& h) { h.set_gdt(kAlt, 0x00cf3b000000ffff); }},
      {"offset past the limit", 3, gate_desc(kAlt, 0x2000, 0xc, 3), vec::kGP, 0,
       [](H& h) { h.set_gdt(kAlt, 0x0040bb0000000fff); }},
      {"null SS1", 3, gate_desc(H::kCode1, kTarget, 0xc, 3), vec::kTS, 0,
       [](H& h) {
         Tss32 t = h.tss();
         t.ss1 = 0;
         h.set_tss(t);
       }},
      {"SS1.RPL != 1", 3, gate_desc(H::kCode1, kTarget, 0xc, 3), vec::kTS, 0x38,
       [](H& h) {
         Tss32 t = h.tss();
         t.ss1 = 0x3b;
         h.set_tss(t);
       }},
      {"SS1 is code", 3, gate_desc(H::kCode1, kTarget, 0xc, 3), vec::kTS, 0x30,
       [](H& h) {
         Tss32 t = h.tss();
         t.ss1 = H::kCode1;
         h.set_tss(t);
       }},
      {"SS1 outside the GDT", 3, gate_desc(H::kCode1, kTarget, 0xc, 3), vec::kTS, 0x1f8,
       [](H& h) {
         Tss32 t = h.tss();
         t.ss1 = 0x1f9;
         h.set_tss(t);
       }},
      {"SS1 not present", 3, gate_desc(H::kCode1, kTarget, 0xc, 3), vec::kSS, kAlt,
       [](H& h) {
         h.set_gdt(kAlt, 0x00cf33000000ffff);
         Tss32 t = h.tss();
         t.ss1 = kAlt | 1;
         h.set_tss(t);
       }},
      {"no room on the new stack", 3, gate_desc(H::kCode1, kTarget, 0xc, 3, 1), vec::kSS, kAlt,
       [](H& h) {
         h.set_gdt(kAlt, 0x0040b3000000ffff);  // byte-granular 64 KiB, DPL 1
         Tss32 t = h.tss();
         t.ss1 = kAlt | 1;
         t.esp1 = 12;  // room for SS, ESP and the parameter; CS is #SS
         h.set_tss(t);
       }},
      {"TSS too short for SS1", 3, gate_desc(H::kCode1, kTarget, 0xc, 3), vec::kTS, H::kTssSel,
       [](H& h) { h.s().tr.limit = 0xf; }},
      {"gate RPL > DPL", 0, gate_desc(H::kCode0, kTarget, 0xc, 0), vec::kGP, 0x40},
      {"target DPL > CPL", 0, gate_desc(H::kCode3, kTarget, 0xc, 0), vec::kGP, 0x18},
      {"an LDT descriptor is no gate", 3, system_desc(0x9000, 0xff, 0x2, 3), vec::kGP, 0x40},
  };
  for (const GateFault& c : cases) {
    SCOPED_TRACE(c.what);
    H h;
    h.set_gdt(H::kFree, c.gate);
    if (c.setup) c.setup(h);
    h.put_code(GUEST_BYTES(breakpoint), kTarget);
    const bool from3 = c.ring == 3;
    if (from3) h.enter_ring3();
    // The ring-0 RPL case names the gate with RPL 1.
    std::vector<uint8_t> code = GUEST_BYTES(call_gate_plain);
    code[5] = static_cast<uint8_t>(from3 ? 0x43 : c.error == 0x40 ? 0x41 : 0x40);
    h.load(code);
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    ASSERT_EQ(h.delivered_vector(), c.vector);
    EXPECT_EQ(h.stack32(0), c.error);
    EXPECT_EQ(h.stack32(1), CpuHarness::kCodeAddr) << "the fault is the CALL's";
    EXPECT_EQ(h.stack32(2), from3 ? H::kCode3 : H::kCode0);
    if (from3) {
      EXPECT_EQ(h.stack32(4), CpuHarness::kStackTop) << "ESP as before the CALL";
      EXPECT_EQ(h.stack32(5), H::kData3);
      EXPECT_EQ(h.s().gpr[kRsp], H::kStack0 - 24);
    } else {
      EXPECT_EQ(h.s().gpr[kRsp], CpuHarness::kStackTop - 16);
    }
  }
}

// IA-32e mode: 16-byte gates, 64-bit targets, RSPn from the 64-bit TSS and a
// null SS (Vol. 3A §5.8.3.1, Vol. 2A CALL "CALL-GATE" in IA-32e mode).
struct LongGateHarness : CpuHarness {
  static constexpr uint16_t kGate = 0x38, kCompat3 = 0x4b, kCode32 = 0x50;
  static constexpr uint64_t kRsp0Odd = 0x6fff8;  // call gates do not align the new stack

  LongGateHarness() {
    install_long_mode_tables();
    memory.write_obj<uint64_t>(kGdt + 0x48, 0x00cffa000000ffff);  // 32-bit code, DPL 3
    memory.write_obj<uint64_t>(kGdt + kCode32, 0x00cf9a000000ffff);  // 32-bit code, DPL 0
    memory.write_obj<uint64_t>(kTss + 4, kRsp0Odd);
    s().gdtr.limit = 16 * 8 - 1;
    set_call_gate(0x08, kTarget, 0);
    // Compatibility mode at CPL 3.
    for (SegmentCache& sc : s().seg) sc = {0, 0xffffffff, 0x23, 0xc0f3};
    s().seg[kCs] = {0, 0xffffffff, kCompat3, 0xc0fb};
    s().cpl = 3;
    cpu->update_mode();
  }
  void set_call_gate(uint16_t cs, uint64_t offset, unsigned upper_type, unsigned type = 0xc) {
    memory.write_obj<uint64_t>(kGdt + kGate, gate_desc(cs, offset, type, 3));
    memory.write_obj<uint64_t>(kGdt + kGate + 8, (offset >> 32) | (static_cast<uint64_t>(upper_type) << 40));
  }
  void put_code(const std::vector<uint8_t>& bytes, uint64_t at) {
    memory.write(at, bytes.data(), bytes.size());
    code.invalidate_code_page(at);
  }
};

GUEST_CODE(call_gate64, ".code32\n  call 0x3b:0\n  mov ebx, 0x600d\n  int3\n")
GUEST_CODE(gate64_target, ".code64\n  hlt\n  .byte 0x48, 0xcb\n")  // HLT; RETF with REX.W

TEST(CpuCallGate, Call64FromCompatibilityModeLoadsRsp0AndANullSs) {
  LongGateHarness h;
  h.put_code(GUEST_BYTES(gate64_target), kTarget);
  h.load(GUEST_BYTES(call_gate64));
  ASSERT_EQ(h.s().mode, CpuMode::compat32);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  const VcpuState& s = h.s();
  EXPECT_EQ(s.rip, kTarget + 1);
  EXPECT_EQ(s.mode, CpuMode::long64);
  EXPECT_EQ(s.cpl, 0u);
  EXPECT_EQ(s.seg[kCs].selector, 0x08u);
  EXPECT_EQ(s.seg[kSs].selector, 0u) << "null SS with RPL = new CPL";
  ASSERT_EQ(s.gpr[kRsp], LongGateHarness::kRsp0Odd - 32);
  EXPECT_EQ(h.stack(0), CpuHarness::kCodeAddr + 7);
  EXPECT_EQ(h.stack(1), LongGateHarness::kCompat3);
  EXPECT_EQ(h.stack(2), CpuHarness::kStackTop);
  EXPECT_EQ(h.stack(3), 0x23u);

  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.delivered_vector(), 3);
  EXPECT_EQ(s.gpr[kRbx], 0x600du);
  EXPECT_EQ(h.stack(1), LongGateHarness::kCompat3) << "back in compatibility mode at CPL 3";
  EXPECT_EQ(h.stack(3), CpuHarness::kStackTop);
  EXPECT_EQ(h.stack(4), 0x23u);
}

GUEST_CODE(jmp_gate64, ".code32\n  jmp 0x38:0\n")

TEST(CpuCallGate, Jmp64FromCompatibilityModeKeepsCplAndStack) {
  LongGateHarness h;
  h.s().cpl = 0;
  h.s().seg[kCs] = {0, 0xffffffff, LongGateHarness::kCode32, 0xc09b};
  h.s().seg[kSs] = {0, 0xffffffff, 0x10, 0xc093};
  h.cpu->update_mode();
  h.put_code(GUEST_BYTES(gate64_target), kTarget);
  h.load(GUEST_BYTES(jmp_gate64));
  ASSERT_EQ(h.s().mode, CpuMode::compat32);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().rip, kTarget + 1);
  EXPECT_EQ(h.s().mode, CpuMode::long64);
  EXPECT_EQ(h.s().seg[kCs].selector, 0x08u);
  EXPECT_EQ(h.s().seg[kSs].selector, 0x10u);
  EXPECT_EQ(h.s().gpr[kRsp], CpuHarness::kStackTop) << "JMP pushes nothing";
}

TEST(CpuCallGate, Ia32eModeFaults) {
  struct Case {
    const char* what;
    uint16_t cs;
    uint64_t offset;
    unsigned upper_type, type;
    uint32_t error;
  } cases[] = {
      {"upper type not 0", 0x08, kTarget, 0xc, 0xc, LongGateHarness::kGate},
      {"16-bit call gate", 0x08, kTarget, 0, 0x4, LongGateHarness::kGate},
      {"32-bit target", LongGateHarness::kCode32, kTarget, 0, 0xc, LongGateHarness::kCode32},
      {"noncanonical offset", 0x08, 0x8000000000030000, 0, 0xc, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    LongGateHarness h;
    h.set_call_gate(c.cs, c.offset, c.upper_type, c.type);
    h.put_code(GUEST_BYTES(gate64_target), kTarget);
    h.load(GUEST_BYTES(call_gate64));
    ASSERT_EQ(h.run(), Cpu::Exit::halted);
    ASSERT_EQ(h.delivered_vector(), vec::kGP);
    EXPECT_EQ(h.stack(0), c.error);
    EXPECT_EQ(h.stack(1), CpuHarness::kCodeAddr);
    EXPECT_EQ(h.stack(4), CpuHarness::kStackTop);
  }
}

// LAR EAX, ECX / LSL EAX, ECX / VERR CX / VERW CX on the selector in ECX.
enum class Examine { lar, lsl, verr, verw };
const std::vector<uint8_t> kExamineBytes[] = {{0x0f, 0x02, 0xc1}, {0x0f, 0x03, 0xc1}, {0x0f, 0x00, 0xe1},
                                              {0x0f, 0x00, 0xe9}};

struct ExamineCase {
  const char* what;
  Examine insn;
  uint16_t selector;
  bool zf;
  uint32_t eax;  // the result (LAR, LSL) or kUntouched
};
constexpr uint32_t kUntouched = 0xdeadbeef;

template <typename Harness>
void run_examine_cases(Harness& h, const ExamineCase& c) {
  SCOPED_TRACE(c.what);
  h.load(kExamineBytes[static_cast<unsigned>(c.insn)]);
  h.s().gpr[kRax] = kUntouched;
  h.s().gpr[kRcx] = c.selector;
  h.cpu->set_rflags(rflags::kFixed1 | (c.zf ? 0 : rflags::kZF));
  ASSERT_EQ(h.cpu->run(1), Cpu::Exit::quantum);
  EXPECT_EQ(h.s().rip, h.kCodeAddr + 3) << "no fault";
  EXPECT_EQ(static_cast<bool>(h.cpu->rflags() & rflags::kZF), c.zf);
  EXPECT_EQ(h.s().gpr[kRax], c.eax);
}

TEST(CpuCallGate, LarAcceptsCallGatesLslVerrVerwDoNot) {
  constexpr uint16_t kGate = H::kFree, kIntGate = 0x48, kExecOnly = 0x50, kConforming = 0x58, kTss16 = 0x60;
  const ExamineCase ring0[] = {
      {"LAR call gate", Examine::lar, kGate, true, 0xec00},
      {"LSL call gate", Examine::lsl, kGate, false, kUntouched},
      {"VERR call gate", Examine::verr, kGate, false, kUntouched},
      {"LAR interrupt gate", Examine::lar, kIntGate, false, kUntouched},
      {"LAR data", Examine::lar, H::kData3, true, 0x00c0f300},
      {"LSL data, 4 KiB granular", Examine::lsl, H::kData3, true, 0xffffffff},
      {"LAR 32-bit TSS", Examine::lar, H::kTssSel, true, 0x8b00},
      {"LSL 32-bit TSS", Examine::lsl, H::kTssSel, true, 0x67},
      {"LSL 16-bit TSS", Examine::lsl, kTss16, true, 0x2b},
      {"LAR null", Examine::lar, 0, false, kUntouched},
      {"LAR outside the GDT", Examine::lar, 0x1f8, false, kUntouched},
      {"LAR LDT selector without an LDT", Examine::lar, 0x0c, false, kUntouched},
      {"VERR execute-only code", Examine::verr, kExecOnly, false, kUntouched},
      {"VERR readable code", Examine::verr, H::kCode0, true, kUntouched},
      {"VERW data", Examine::verw, H::kData0, true, kUntouched},
      {"VERW code", Examine::verw, H::kCode0, false, kUntouched},
      {"LAR RPL > DPL", Examine::lar, H::kData0 | 3, false, kUntouched},
  };
  const ExamineCase ring3[] = {
      {"LAR DPL 0 data", Examine::lar, H::kData0, false, kUntouched},
      {"VERW DPL 0 data", Examine::verw, H::kData0, false, kUntouched},
      {"LAR conforming DPL 0 code", Examine::lar, kConforming, true, 0x00c09f00},
      {"VERR conforming DPL 0 code", Examine::verr, kConforming, true, kUntouched},
      {"LSL DPL 0 TSS", Examine::lsl, H::kTssSel, false, kUntouched},
  };
  H h;
  h.set_gdt(kGate, gate_desc(H::kCode0, kTarget, 0xc, 3, 2));
  h.set_gdt(kIntGate, gate_desc(H::kCode0, kTarget, 0xe, 3));
  h.set_gdt(kExecOnly, 0x00cf99000000ffff);
  h.set_gdt(kConforming, 0x00cf9f000000ffff);
  h.set_gdt(kTss16, system_desc(0x9000, 0x2b, 0x1));
  for (const ExamineCase& c : ring0) run_examine_cases(h, c);
  h.enter_ring3();
  for (const ExamineCase& c : ring3) run_examine_cases(h, c);
}

TEST(CpuCallGate, LarInIa32eModeTakesOnly64BitGates) {
  LongGateHarness h;
  h.s().cpl = 0;
  h.s().seg[kCs] = {0, 0xffffffff, 0x08, 0xa09b};
  h.cpu->update_mode();
  h.memory.write_obj<uint64_t>(CpuHarness::kGdt + 0x58, gate_desc(0x08, kTarget, 0x4, 0));
  h.memory.write_obj<uint64_t>(CpuHarness::kGdt + 0x60, system_desc(0x9000, 0x2b, 0x1));
  const ExamineCase cases[] = {
      {"LAR 64-bit call gate", Examine::lar, LongGateHarness::kGate, true, 0xec00},
      {"LAR 16-bit call gate", Examine::lar, 0x58, false, kUntouched},
      {"LSL 16-bit TSS", Examine::lsl, 0x60, false, kUntouched},
      {"LSL 64-bit TSS", Examine::lsl, 0x28, true, 0x67},
  };
  for (const ExamineCase& c : cases) run_examine_cases(h, c);
}

GUEST_CODE(arpl_cx, ".code32\n  arpl ax, cx\n  setz bl\n  arpl word ptr [0x100000], cx\n  setz bh\n")

// ARPL (Vol. 2A): the destination selector's RPL rises to the source's
// (ZF = 1), or stays when it is already at least that (ZF = 0).
TEST(CpuCallGate, ArplRaisesTheRequestedPrivilegeLevel) {
  LegacyHarness h;
  h.load(GUEST_BYTES(arpl_cx));
  h.s().gpr[kRax] = 0x0011;  // RPL 1
  h.s().gpr[kRcx] = 0x0003;  // RPL 3
  h.memory.write_obj<uint16_t>(0x100000, 0x0023);  // already RPL 3
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), -1);
  EXPECT_EQ(h.s().gpr[kRax] & 0xffff, 0x0013u);
  EXPECT_EQ(h.s().gpr[kRbx] & 0xffff, 0x0001u) << "ZF = 1 for the register, 0 for the memory operand";
  EXPECT_EQ(h.memory.read_obj<uint16_t>(0x100000), 0x0023u);
}

}  // namespace
}  // namespace nv::test
