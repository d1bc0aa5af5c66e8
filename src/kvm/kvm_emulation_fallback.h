// What nestvisor does with an instruction that the host's in-kernel
// emulator gave up on (KVM_EXIT_INTERNAL_ERROR / KVM_INTERNAL_ERROR_EMULATION).
//
// On hardware-assisted KVM these instructions run natively or fault
// natively. Paravirtual hosts (kvm_pvm, this project's CI) trap more of
// them into KVM's emulator, which knows no cache-line write-backs and does
// not raise #UD for instructions the guest's CPUID or CR4 disables; QEMU then
// stops the VM. nestvisor finishes the instruction the way the processor
// would, where that needs no state KVM keeps to itself.
#pragma once

#include "cpuid/cpu_model.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nv {

enum class GuestCodeSize { bits16, bits32, bits64 };

struct FallbackInput {
  std::span<const uint8_t> bytes;  // the instruction bytes KVM reported
  GuestCodeSize code_size;
  uint64_t cr4;
  uint64_t xcr0;
  bool protected_mode;  // CR0.PE
  bool long_mode;       // EFER.LMA
  uint16_t idt_limit;
  const std::vector<CpuidEntry>* cpuid;  // the table the guest was given
};

struct FallbackDecision {
  enum class Action {
    raise_ud,  // the instruction is undefined for this guest: inject #UD
    raise_gp,  // the instruction faults with #GP(error_code)
    skip,      // architecturally complete without visible effect: advance RIP
    xgetbv,    // read XCR[ECX] through KVM_GET_XCRS
    xsetbv,    // write XCR[ECX] through KVM_SET_XCRS
    give_up,   // nestvisor cannot finish it either: the engine stops
  };
  Action action;
  unsigned length = 0;      // instruction length, to advance RIP past it
  std::string reason;       // for the log line: what, and which rule
  uint32_t error_code = 0;  // for raise_gp
};

FallbackDecision decide_emulation_fallback(const FallbackInput& in);

}  // namespace nv
