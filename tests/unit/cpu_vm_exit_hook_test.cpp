// The VM-exit hook of the software CPU (cpu/vm_exit_hook.h): each event VMX
// can turn into a VM exit reaches the hook once, with the SDM's exit reason
// and qualification, after the faults that have priority over it; a taken
// exit leaves the instruction or event without effect; VM entry and exit
// switch the MMU context.
#include "cpu_test_support.h"
#include "devices/device.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace nv::test {
namespace {

namespace q = exit_qualification;

// Records every event; takes (turns into a VM exit) those of `take`.
struct RecordingHook : VmExitHook {
  bool intercept(Cpu& cpu, const ExitEvent& e) override {
    events.push_back(e);
    rips.push_back(cpu.instruction_rip());
    if (take && *take == e.reason) {
      cpu.halt();  // stands for the switch to L1: the test looks at what the instruction left
      return true;
    }
    return false;
  }
  std::optional<ExitReason> take;
  std::vector<ExitEvent> events;
  std::vector<uint64_t> rips;
};

// A port that counts accesses.
struct CountingPort : Device {
  std::string_view name() const override { return "counting port"; }
  uint32_t io_read(uint16_t, unsigned) override {
    ++accesses;
    return 0x5a;
  }
  void io_write(uint16_t, unsigned, uint32_t) override { ++accesses; }
  int accesses = 0;
};

struct HookHarness : CpuHarness {
  HookHarness() {
    install_long_mode_tables();
    io.add(0x80, 4, &port);
    cpu->set_vm_exit_hook(&hook);
  }
  // Runs `code` (then HLT); the events the hook saw.
  const std::vector<ExitEvent>& run_code(const std::vector<uint8_t>& code) {
    load(code);
    run();
    return hook.events;
  }
  RecordingHook hook;
  CountingPort port;
};

struct InstructionCase {
  const char* name;
  std::vector<uint8_t> code;
  ExitReason reason;
  uint64_t qualification;
};

GUEST_CODE(cpuid_insn, "  cpuid\n")
GUEST_CODE(rdtsc_insn, "  rdtsc\n")
GUEST_CODE(rdtscp_insn, "  rdtscp\n")
GUEST_CODE(rdmsr_insn, "  mov ecx, 0x10\n  rdmsr\n")
GUEST_CODE(wrmsr_insn, "  mov ecx, 0x174\n  xor eax, eax\n  xor edx, edx\n  wrmsr\n")
GUEST_CODE(mov_to_cr3, "  xor eax, eax\n  mov cr3, rax\n")
GUEST_CODE(mov_from_cr0, "  mov rbx, cr0\n")
GUEST_CODE(clts_insn, "  clts\n")
GUEST_CODE(lmsw_insn, "  mov cx, 0x1\n  lmsw cx\n")
GUEST_CODE(mov_to_dr7, "  mov rcx, 0x400\n  mov dr7, rcx\n")
GUEST_CODE(mov_from_dr6, "  mov rdx, dr6\n")
GUEST_CODE(in_imm, "  in al, 0x80\n")
GUEST_CODE(out_dx, "  mov dx, 0x80\n  out dx, eax\n")
GUEST_CODE(rep_insb, "  mov dx, 0x80\n  mov ecx, 2\n  mov rdi, 0x100000\n  rep insb\n")
GUEST_CODE(invlpg_insn, "  mov rax, 0x123456\n  invlpg [rax]\n")
GUEST_CODE(wbinvd_insn, "  wbinvd\n")
GUEST_CODE(invd_insn, "  invd\n")
GUEST_CODE(vmcall_insn, "  mov eax, 1000\n  vmcall\n")
GUEST_CODE(sgdt_insn, "  sgdt [0x100000]\n")
GUEST_CODE(str_insn, "  str ax\n")
GUEST_CODE(pause_insn, "  pause\n")

// The last event is the instruction's, with the SDM's reason and qualification.
TEST(CpuVmExitHook, InstructionsReachTheHookWithReasonAndQualification) {
  const InstructionCase cases[] = {
      {"CPUID", GUEST_BYTES(cpuid_insn), ExitReason::cpuid, 0},
      {"RDTSC", GUEST_BYTES(rdtsc_insn), ExitReason::rdtsc, 0},
      {"RDTSCP", GUEST_BYTES(rdtscp_insn), ExitReason::rdtscp, 0},
      {"RDMSR", GUEST_BYTES(rdmsr_insn), ExitReason::rdmsr, 0},
      {"WRMSR", GUEST_BYTES(wrmsr_insn), ExitReason::wrmsr, 0},
      {"MOV CR3, RAX", GUEST_BYTES(mov_to_cr3), ExitReason::cr_access, q::cr_access(3, q::CrAccess::mov_to_cr, kRax)},
      {"MOV RBX, CR0", GUEST_BYTES(mov_from_cr0), ExitReason::cr_access,
       q::cr_access(0, q::CrAccess::mov_from_cr, kRbx)},
      {"CLTS", GUEST_BYTES(clts_insn), ExitReason::cr_access, q::cr_access(0, q::CrAccess::clts, 0)},
      {"LMSW CX", GUEST_BYTES(lmsw_insn), ExitReason::cr_access, q::cr_access(0, q::CrAccess::lmsw, kRcx, 1)},
      {"MOV DR7, RCX", GUEST_BYTES(mov_to_dr7), ExitReason::dr_access, q::dr_access(7, false, kRcx)},
      {"MOV RDX, DR6", GUEST_BYTES(mov_from_dr6), ExitReason::dr_access, q::dr_access(6, true, kRdx)},
      {"IN AL, 0x80", GUEST_BYTES(in_imm), ExitReason::io, q::io_access(0x80, 1, q::io::kIn | q::io::kImmediate)},
      {"OUT DX, EAX", GUEST_BYTES(out_dx), ExitReason::io, q::io_access(0x80, 4, 0)},
      {"REP INSB", GUEST_BYTES(rep_insb), ExitReason::io,
       q::io_access(0x80, 1, q::io::kIn | q::io::kString | q::io::kRep)},
      {"INVLPG", GUEST_BYTES(invlpg_insn), ExitReason::invlpg, 0x123456},
      {"WBINVD", GUEST_BYTES(wbinvd_insn), ExitReason::wbinvd, 0},
      {"INVD", GUEST_BYTES(invd_insn), ExitReason::invd, 0},
      {"VMCALL", GUEST_BYTES(vmcall_insn), ExitReason::vmcall, 0},
      {"SGDT", GUEST_BYTES(sgdt_insn), ExitReason::gdtr_idtr_access, 0},
      {"STR", GUEST_BYTES(str_insn), ExitReason::ldtr_tr_access, 0},
      {"PAUSE", GUEST_BYTES(pause_insn), ExitReason::pause, 0},
  };
  for (const InstructionCase& c : cases) {
    HookHarness h;
    std::vector<ExitEvent> seen;
    for (const ExitEvent& e : h.run_code(c.code))
      if (e.reason == c.reason) seen.push_back(e);
    // REP INSB passes once per element (the same port each time), the rest once.
    EXPECT_EQ(seen.size(), c.code == GUEST_BYTES(rep_insb) ? 2u : 1u) << c.name;
    for (const ExitEvent& e : seen) EXPECT_EQ(e.qualification, c.qualification) << c.name;
    EXPECT_EQ(h.delivered_vector(), -1) << c.name << ": ran to its HLT without a fault";
    EXPECT_EQ(h.hook.events.back().reason, ExitReason::hlt) << c.name << ": the final HLT passes the hook too";
  }
}

GUEST_CODE(cpuid_at_known_rip, "  mov eax, 0x12345\n  nop\n  cpuid\n  mov r8, 1\n")

TEST(CpuVmExitHook, ATakenExitLeavesTheInstructionWithoutEffect) {
  HookHarness h;
  h.hook.take = ExitReason::cpuid;
  h.run_code(GUEST_BYTES(cpuid_at_known_rip));
  EXPECT_EQ(h.s().gpr[kRax], 0x12345u) << "CPUID did not run";
  EXPECT_EQ(h.hook.rips.back(), CpuHarness::kCodeAddr + 6) << "the hook sees the instruction's own RIP";
  EXPECT_EQ(h.s().gpr[kR8], 0u) << "the hook's halt stands for the switch to L1: nothing after the exit ran";

  HookHarness io;
  io.hook.take = ExitReason::io;
  io.run_code(GUEST_BYTES(rep_insb));
  EXPECT_EQ(io.port.accesses, 0) << "an intercepted IN never reaches the port";
  EXPECT_EQ(io.s().gpr[kRcx], 2u) << "nor moves the REP counter";

  HookHarness cr;
  const uint64_t cr0 = cr.s().cr0;
  cr.hook.take = ExitReason::cr_access;
  cr.run_code(GUEST_BYTES(clts_insn));
  EXPECT_EQ(cr.s().cr0, cr0);
}

GUEST_CODE(mov_cr_at_cpl3, "  mov rax, rsp\n  push 0x23\n  push 0x50000\n  push 0x2\n  push 0x1b\n"
                           "  lea rcx, [rip+1f]\n  push rcx\n  iretq\n1:\n  mov rax, cr0\n")

TEST(CpuVmExitHook, PrivilegeFaultsComeBeforeTheExitAndAreExceptionEvents) {
  HookHarness h;
  h.run_code(GUEST_BYTES(mov_cr_at_cpl3));
  ASSERT_EQ(h.delivered_vector(), vec::kGP);
  // The #GP, then the HLT of its handler; no CR access.
  ASSERT_EQ(h.hook.events.size(), 2u);
  const ExitEvent& e = h.hook.events[0];
  EXPECT_EQ(e.reason, ExitReason::exception_or_nmi);
  EXPECT_EQ(e.vector, vec::kGP);
  EXPECT_EQ(e.type, InterruptionType::hardware_exception);
  EXPECT_TRUE(e.error_valid);
  EXPECT_EQ(e.error_code, 0u);
}

GUEST_CODE(int3_insn, "  int3\n")
GUEST_CODE(int80_insn, "  int 0x80\n")

TEST(CpuVmExitHook, SoftwareExceptionsPassTheHookAndIntNDoesNot) {
  HookHarness h;
  h.run_code(GUEST_BYTES(int3_insn));
  ASSERT_EQ(h.delivered_vector(), vec::kBP);
  ASSERT_EQ(h.hook.events.size(), 2u) << "INT3, then its handler's HLT";
  EXPECT_EQ(h.hook.events[0].reason, ExitReason::exception_or_nmi);
  EXPECT_EQ(h.hook.events[0].vector, vec::kBP);
  EXPECT_EQ(h.hook.events[0].type, InterruptionType::software_exception);
  EXPECT_FALSE(h.hook.events[0].error_valid);

  HookHarness n;
  n.run_code(GUEST_BYTES(int80_insn));
  ASSERT_EQ(n.delivered_vector(), 0x80);
  ASSERT_EQ(n.hook.events.size(), 1u) << "INT n is never a VM exit: only the handler's HLT";
  EXPECT_EQ(n.hook.events[0].reason, ExitReason::hlt);
}

GUEST_CODE(ud2_insn, "  ud2\n")

TEST(CpuVmExitHook, ATakenExceptionIsNotDelivered) {
  HookHarness h;
  h.hook.take = ExitReason::exception_or_nmi;
  h.run_code(GUEST_BYTES(ud2_insn));
  ASSERT_EQ(h.hook.events.size(), 1u);
  EXPECT_EQ(h.hook.events[0].vector, vec::kUD);
  EXPECT_EQ(h.delivered_vector(), -1) << "the IDT was not used";
  EXPECT_EQ(h.s().rip, CpuHarness::kCodeAddr) << "RIP stays at the faulting instruction";
}

GUEST_CODE(sti_spin, "  sti\n  nop\n  nop\n  nop\n")

TEST(CpuVmExitHook, ExternalInterruptsAndTheInterruptWindowPassTheHook) {
  HookHarness h;
  h.hook.take = ExitReason::external_interrupt;
  h.cpu->request_interrupt(0x40);
  h.run_code(GUEST_BYTES(sti_spin));
  ASSERT_FALSE(h.hook.events.empty());
  EXPECT_EQ(h.hook.events.back().reason, ExitReason::external_interrupt);
  EXPECT_EQ(h.hook.events.back().vector, 0x40);
  EXPECT_EQ(h.delivered_vector(), -1) << "a taken external interrupt is not delivered through the IDT";

  HookHarness w;
  w.hook.take = ExitReason::interrupt_window;
  w.cpu->set_window_exiting(true, false);
  w.run_code(GUEST_BYTES(sti_spin));
  ASSERT_FALSE(w.hook.events.empty());
  EXPECT_EQ(w.hook.events.back().reason, ExitReason::interrupt_window);
  EXPECT_EQ(w.s().rip, CpuHarness::kCodeAddr + 2) << "the window opens after STI's shadow, before the second instruction";
}

// VM entry and exit switch the MMU context of the same Cpu.
TEST(CpuVmExitHook, EnterL2AndExitToL1SwitchTheMmuContext) {
  CpuHarness h;
  EXPECT_FALSE(h.cpu->mmu().in_l2());
  h.cpu->enter_l2(asid::l2_space(5));
  EXPECT_TRUE(h.cpu->mmu().in_l2());
  EXPECT_EQ(h.cpu->mmu().active().space(), asid::l2_space(5));
  h.load({0x48, 0xc7, 0xc0, 0x07, 0x00, 0x00, 0x00});  // mov rax, 7 runs in L2's context
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kRax], 7u);
  EXPECT_TRUE(h.cpu->exit_to_l1());
  EXPECT_FALSE(h.cpu->mmu().in_l2());
  EXPECT_EQ(h.cpu->mmu().active().space(), asid::kL1Space);
}

}  // namespace
}  // namespace nv::test
