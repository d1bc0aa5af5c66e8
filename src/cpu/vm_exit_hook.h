// Where VMX meets the software CPU. Every instruction and event that VMX
// non-root operation can turn into a VM exit (SDM Vol. 3C chapter 26 "VMX
// Non-Root Operation") passes through Cpu::intercept, once per kind, at the
// point where the SDM places the VM exit: after the faults that have priority
// over it (§26.1.1: #UD, privilege-level faults, the I/O permission bitmap's
// #GP) and before the instruction or event changes any state. src/nested
// installs a VmExitHook while L2 runs and decides there, from its VMCS
// controls, which of these become VM exits; instruction code never looks at
// VMX state.
#pragma once

#include <cstdint>

namespace nv {

class Cpu;

// Basic exit reasons (SDM Vol. 3D Appendix C, Table C-1), the numbers the
// VMCS's exit-reason field carries.
enum class ExitReason : uint16_t {
  exception_or_nmi = 0,
  external_interrupt = 1,
  triple_fault = 2,
  init = 3,
  sipi = 4,
  interrupt_window = 7,
  nmi_window = 8,
  task_switch = 9,
  cpuid = 10,
  hlt = 12,
  invd = 13,
  invlpg = 14,
  rdpmc = 15,
  rdtsc = 16,
  vmcall = 18,
  cr_access = 28,
  dr_access = 29,
  io = 30,
  rdmsr = 31,
  wrmsr = 32,
  mwait = 36,
  monitor = 39,
  pause = 40,
  gdtr_idtr_access = 46,
  ldtr_tr_access = 47,
  rdtscp = 51,
  wbinvd = 54,
  xsetbv = 55,
  invpcid = 58,
};

// Interruption types of the VM-exit interruption-information field (Vol. 3C
// §25.9.2, Table 25-19).
enum class InterruptionType : uint8_t {
  external_interrupt = 0,
  nmi = 2,
  hardware_exception = 3,
  software_interrupt = 4,
  privileged_software_exception = 5,
  software_exception = 6,
};

struct ExitEvent {
  ExitReason reason;
  // The exit qualification as Vol. 3C §28.2.1 lays it out for this reason:
  // the linear address of INVLPG; Table 28-2 for task switches; Table 28-3 for MOV CR, CLTS and LMSW;
  // Table 28-4 for MOV DR; Table 28-5 for I/O. Zero for the others.
  uint64_t qualification = 0;
  // Exceptions, NMIs and external interrupts (§25.9.2): the vector, its
  // interruption type, and the error code when error_valid. The SIPI vector
  // for `sipi`.
  uint8_t vector = 0;
  InterruptionType type = InterruptionType::external_interrupt;
  bool error_valid = false;
  uint32_t error_code = 0;
};

// Exit-qualification layouts (Vol. 3C §28.2.1).
namespace exit_qualification {
// Table 28-3: control-register accesses.
enum class CrAccess : uint64_t { mov_to_cr = 0, mov_from_cr = 1, clts = 2, lmsw = 3 };
constexpr uint64_t cr_access(unsigned cr, CrAccess type, unsigned gpr, uint16_t lmsw_source = 0) {
  return cr | static_cast<uint64_t>(type) << 4 | static_cast<uint64_t>(gpr) << 8 |
         static_cast<uint64_t>(lmsw_source) << 16;
}
// Table 28-2: task switches (the new TSS's selector and what started it).
enum class TaskSwitchSource : uint64_t { call = 0, iret = 1, jmp = 2, task_gate = 3 };
constexpr uint64_t task_switch(uint16_t selector, TaskSwitchSource source) {
  return selector | static_cast<uint64_t>(source) << 30;
}
// Table 28-4: MOV DR.
constexpr uint64_t dr_access(unsigned dr, bool from_dr, unsigned gpr) {
  return dr | (from_dr ? 1ull << 4 : 0) | static_cast<uint64_t>(gpr) << 8;
}
// Table 28-5: I/O instructions.
namespace io {
inline constexpr uint64_t kIn = 1ull << 3, kString = 1ull << 4, kRep = 1ull << 5, kImmediate = 1ull << 6;
}  // namespace io
constexpr uint64_t io_access(uint16_t port, unsigned size, uint64_t flags) {
  return (size - 1) | flags | static_cast<uint64_t>(port) << 16;
}
}  // namespace exit_qualification

class VmExitHook {
 public:
  virtual ~VmExitHook() = default;
  // Returns true when `event` became a VM exit. The hook has then switched
  // the vCPU to L1 (Cpu::exit_to_l1 and the host state) and the CPU drops
  // the instruction or event; false lets it happen in L2 as usual.
  // Cpu::instruction_rip() is the instruction's address for the VMCS.
  virtual bool intercept(Cpu& cpu, const ExitEvent& event) = 0;
};

}  // namespace nv
