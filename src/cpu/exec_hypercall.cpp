// VMCALL and VMMCALL as KVM hypercalls (Linux Documentation/virt/kvm/x86/
// hypercalls.rst): the number in RAX, arguments in RBX, RCX, RDX, RSI, the
// result in RAX. KVM accepts both instructions whatever the CPU vendor (it
// patches the other one in place; the engine simply runs it), so guests
// written for either vendor work. Outside 64-bit mode the number, arguments
// and result are 32 bits wide.
#include "cpu/cpu.h"
#include "cpu/handler_table.h"
#include "lapic/apic_bus.h"

namespace nv {

namespace {

// Hypercall numbers and errors (include/uapi/linux/kvm_para.h).
constexpr uint64_t kHcKickCpu = 5, kHcSendIpi = 10, kHcSchedYield = 11;
constexpr int64_t kEperm = 1, kEinval = 22, kEnosys = 1000;

// KVM_HC_SEND_IPI: a1:a0 is a bitmap of APIC IDs starting at `min` (each
// half as wide as a register: 64 or 32 bits), a3 the low ICR word whose
// vector, delivery mode, level and trigger are used. Destination mode and
// shorthand must be 0 (physical, none). Returns how many APICs accepted.
int64_t send_ipi(Cpu& c, uint64_t low, uint64_t high, uint64_t min, uint64_t icr, unsigned width) {
  if (icr & ((1u << 11) | (3u << 18))) return -kEinval;
  ApicBus* bus = c.apic_bus();
  if (!bus) return 0;
  ApicMessage msg;
  msg.x2apic_format = true;
  msg.vector = icr & 0xff;
  msg.mode = static_cast<DeliveryMode>((icr >> 8) & 7);
  msg.level_asserted = icr & (1u << 14);
  msg.level_trigger = icr & (1u << 15);
  int64_t count = 0;
  for (uint64_t bitmap : {low, high}) {
    for (unsigned i = 0; i < width; ++i) {
      uint64_t id = min + i;
      if (!((bitmap >> i) & 1) || id > 0xffffffffu) continue;
      count += bus->deliver_to_id(static_cast<uint32_t>(id), msg);
    }
    min += width;
  }
  return count;
}

int64_t hypercall(Cpu& c, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, unsigned width) {
  // KVM refuses hypercalls from user mode.
  if (c.state().cpl != 0) return -kEperm;
  switch (nr) {
    case kHcKickCpu:  // a0 flags (unused), a1 the APIC ID of the vCPU to wake
      if (ApicBus* bus = c.apic_bus()) bus->kick(static_cast<uint32_t>(a1));
      return 0;
    case kHcSendIpi:
      return send_ipi(c, a0, a1, a2, a3, width);
    case kHcSchedYield:  // a0: the APIC ID of a preempted vCPU; one thread runs them all, so end this turn
      c.yield();
      return 0;
    default:
      return -kEnosys;
  }
}

void kvm_hypercall(Cpu& c, const DecodedInsn&) {
  if (c.intercept({.reason = ExitReason::vmcall})) return;  // unconditional in VMX non-root operation
  const VcpuState& s = c.state();
  const bool wide = s.mode == CpuMode::long64;
  const unsigned size = wide ? 8 : 4;
  int64_t ret = hypercall(c, c.reg(kRax, size), c.reg(kRbx, size), c.reg(kRcx, size), c.reg(kRdx, size),
                          c.reg(kRsi, size), wide ? 64 : 32);
  c.set_reg(kRax, 8, wide ? static_cast<uint64_t>(ret) : static_cast<uint32_t>(ret));
}

}  // namespace

void add_hypercall_handlers(HandlerTable& t) {
  t.add(ZYDIS_MNEMONIC_VMCALL, kvm_hypercall);
  t.add(ZYDIS_MNEMONIC_VMMCALL, kvm_hypercall);
}

}  // namespace nv
