// VMCALL/VMMCALL as KVM hypercalls on the software CPU (Linux
// Documentation/virt/kvm/x86/hypercalls.rst): return codes, KVM_HC_SEND_IPI
// into the local APICs, KVM_HC_KICK_CPU waking a vCPU halted with IF = 0, and
// the KVM CPUID leaves that advertise them.
#include "cpu_test_support.h"

#include <gtest/gtest.h>

#include <cstring>

namespace nv::test {
namespace {

struct HypercallHarness : ApicCpuHarness {
  // Runs one hypercall with the given registers; returns RAX.
  uint64_t call(const std::vector<uint8_t>& insn, uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                uint64_t a3 = 0) {
    load(insn);
    s().gpr[kRax] = nr;
    s().gpr[kRbx] = a0;
    s().gpr[kRcx] = a1;
    s().gpr[kRdx] = a2;
    s().gpr[kRsi] = a3;
    EXPECT_EQ(run(), Cpu::Exit::halted);
    return s().gpr[kRax];
  }
};

const std::vector<uint8_t> kVmcall = {0x0f, 0x01, 0xc1}, kVmmcall = {0x0f, 0x01, 0xd9};
constexpr uint64_t kSendIpi = 10, kKickCpu = 5, kSchedYield = 11;

TEST(CpuHypercall, UnknownNumbersReturnEnosysAndUserModeEperm) {
  HypercallHarness h;
  EXPECT_EQ(h.call(kVmcall, 12345), static_cast<uint64_t>(-1000));
  EXPECT_EQ(h.call(kVmmcall, 0), static_cast<uint64_t>(-1000));
  // SCHED_YIELD returns 0 and ends the vCPU's turn right after the VMCALL.
  h.load(kVmcall);
  h.s().gpr[kRax] = kSchedYield;
  EXPECT_EQ(h.run(), Cpu::Exit::quantum);
  EXPECT_EQ(h.s().gpr[kRax], 0u);
  EXPECT_EQ(h.s().rip, HypercallHarness::kCodeAddr + 3);
  h.s().cpl = 3;  // only CPL is looked at; the flat test state has no user segments
  h.load(kVmcall);
  h.s().gpr[kRax] = kSendIpi;
  EXPECT_EQ(h.cpu->run(1), Cpu::Exit::quantum);
  EXPECT_EQ(h.s().gpr[kRax], static_cast<uint64_t>(-1));
}

TEST(CpuHypercall, SendIpiDeliversToTheBitmapsApics) {
  for (const auto& insn : {kVmcall, kVmmcall}) {
    HypercallHarness h;
    // APIC IDs 1 and 3 (bits 1 and 3 from min 0), vector 0x40, fixed.
    EXPECT_EQ(h.call(insn, kSendIpi, 0b1010, 0, 0, 0x40), 2u);
    EXPECT_FALSE(h.apics.apic(0).irr(0x40));
    EXPECT_TRUE(h.apics.apic(1).irr(0x40));
    EXPECT_FALSE(h.apics.apic(2).irr(0x40));
    EXPECT_TRUE(h.apics.apic(3).irr(0x40));
    // From min 2: IDs 2 and 3 in the low word; the high word starts at 66,
    // where no APIC is.
    EXPECT_EQ(h.call(insn, kSendIpi, 0b11, 1, 2, 0x41), 2u);
    EXPECT_TRUE(h.apics.apic(2).irr(0x41));
    EXPECT_TRUE(h.apics.apic(3).irr(0x41));
    // kvm-unit-tests' apic test: min beyond every APIC delivers nothing.
    EXPECT_EQ(h.call(insn, kSendIpi, 0xffffffff, 0, 0xffffffff, 0), 0u);
  }
}

TEST(CpuHypercall, SendIpiRefusesLogicalAndShorthandIcrs) {
  HypercallHarness h;
  EXPECT_EQ(h.call(kVmcall, kSendIpi, 1, 0, 0, 0x40 | (1u << 11)), static_cast<uint64_t>(-22));
  EXPECT_EQ(h.call(kVmcall, kSendIpi, 1, 0, 0, 0x40 | (2u << 18)), static_cast<uint64_t>(-22));
  EXPECT_FALSE(h.apics.apic(0).irr(0x40));
  // A software-disabled APIC does not accept the fixed interrupt.
  h.apics.apic(1).mmio_write(0xfee000f0, 4, 0xff);
  EXPECT_EQ(h.call(kVmcall, kSendIpi, 0b110, 0, 0, 0x42), 1u);
  EXPECT_FALSE(h.apics.apic(1).irr(0x42));
  EXPECT_TRUE(h.apics.apic(2).irr(0x42));
}

GUEST_CODE(halt_masked, "  cli\n  hlt\n  mov r8, 1\n")

TEST(CpuHypercall, KickCpuWakesAVcpuHaltedWithInterruptsMasked) {
  HypercallHarness h;
  h.load(GUEST_BYTES(halt_masked));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.cpu->run(100), Cpu::Exit::halted);  // IF = 0: nothing wakes it
  EXPECT_EQ(h.s().gpr[kR8], 0u);
  EXPECT_FALSE(h.apics.kick(7));  // no such APIC
  EXPECT_TRUE(h.apics.kick(0));
  EXPECT_EQ(h.cpu->run(100), Cpu::Exit::halted);  // the final HLT
  EXPECT_EQ(h.s().gpr[kR8], 1u);
  EXPECT_FALSE(h.apics.apic(0).take_kick());  // taken once
  // The hypercall: a0 flags, a1 the APIC ID.
  EXPECT_EQ(h.call(kVmcall, kKickCpu, 0, 2), 0u);
  EXPECT_TRUE(h.apics.apic(2).take_kick());
  EXPECT_FALSE(h.apics.apic(1).take_kick());
}

GUEST_CODE(kvm_leaves, "  mov eax, 0x40000000\n  cpuid\n  mov r8d, eax\n  mov r9d, ebx\n  mov r10d, ecx\n"
                       "  mov r11d, edx\n  mov eax, 0x40000001\n  cpuid\n  mov r12d, eax\n")

TEST(CpuHypercall, CpuidAdvertisesKvmWithTheImplementedPvFeatures) {
  HypercallHarness h;
  h.load(GUEST_BYTES(kvm_leaves));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kR8], 0x40000001u);
  char sig[13] = {};
  uint32_t regs[3] = {static_cast<uint32_t>(h.s().gpr[kR9]), static_cast<uint32_t>(h.s().gpr[kR10]),
                      static_cast<uint32_t>(h.s().gpr[kR11])};
  std::memcpy(sig, regs, 12);
  EXPECT_STREQ(sig, "KVMKVMKVM");
  // pv-unhalt (7), pv-ipi (11), pv-sched-yield (13) and nothing else: no
  // kvmclock, async PF, PV EOI or steal time.
  EXPECT_EQ(h.s().gpr[kR12], (1u << 7) | (1u << 11) | (1u << 13));
}

}  // namespace
}  // namespace nv::test
