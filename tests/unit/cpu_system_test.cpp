// System instructions of the software CPU: CPUID from the engine's table,
// MSRs, port I/O and MMIO through the machine's buses, control-register
// checks, PUSHF/POPF privilege rules, descriptor-table instructions and far
// transfers between 64-bit and compatibility mode.
#include "cpu/emu_cpuid.h"
#include "cpu_test_support.h"
#include "cpuid/cpu_model.h"

#include <gtest/gtest.h>

#include <cstring>

namespace nv::test {
namespace {

GUEST_CODE(cpuid_vendor, "  xor eax, eax\n  cpuid\n  mov r8d, ebx\n  mov r9d, edx\n  mov r10d, ecx\n"
                         "  mov eax, 0x80000001\n  cpuid\n  mov r11d, edx\n")

TEST(CpuSystem, CpuidComesFromTheEngineTable) {
  CpuHarness h;
  h.load(GUEST_BYTES(cpuid_vendor));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  char vendor[13] = {};
  uint32_t regs[3] = {static_cast<uint32_t>(h.s().gpr[kR8]), static_cast<uint32_t>(h.s().gpr[kR9]),
                      static_cast<uint32_t>(h.s().gpr[kR10])};
  std::memcpy(vendor, regs, 12);
  EXPECT_STREQ(vendor, "GenuineIntel");
  EXPECT_TRUE(h.s().gpr[kR11] & (1u << 29));  // long mode
  EXPECT_TRUE(h.s().gpr[kR11] & (1u << 20));  // NX
}

GUEST_CODE(cpuid_apic_topology, "  mov eax, 1\n  cpuid\n  mov r8d, edx\n"
                                "  mov ecx, 0x1b\n  rdmsr\n  and eax, 0xfffff7ff\n  wrmsr\n"
                                "  mov eax, 1\n  cpuid\n  mov r9d, edx\n"
                                "  mov eax, 0xb\n  mov ecx, 1\n  cpuid\n  mov r10d, eax\n  mov r11d, ecx\n")

TEST(CpuSystem, CpuidApicBitFollowsApicBaseEnableAndLeafBHasTheTopology) {
  ApicCpuHarness h(2);
  h.load(GUEST_BYTES(cpuid_apic_topology));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_TRUE(h.s().gpr[kR8] & (1u << 9));   // APIC present
  EXPECT_FALSE(h.s().gpr[kR9] & (1u << 9));  // IA32_APIC_BASE.EN = 0: reads as absent (SDM Vol. 3A §11.4.3)
  EXPECT_EQ(h.s().gpr[kR10], 8u);            // core level: x2APIC ID >> 8 is the package
  EXPECT_EQ(h.s().gpr[kR11] & 0xffff, 0x201u);  // level type core, level number 1
}

// Runs `code` with the long-mode tables installed; returns the vector
// delivered, -1 when the code reached its final HLT.
int run_for_vector(CpuHarness& h, const std::vector<uint8_t>& code) {
  h.install_long_mode_tables();
  h.load(code);
  EXPECT_EQ(h.run(), Cpu::Exit::halted);
  return h.delivered_vector();
}

// A harness whose CPUID lacks `feature`.
struct HarnessWithout : CpuHarness {
  explicit HarnessWithout(std::string_view feature) {
    CpuEnvironment env{memory, io, mmio, control, code, emu_supported_cpuid()};
    clear_cpu_feature(env.cpuid, feature);
    cpu = std::make_unique<Cpu>(env, 0);
    cpu->set_flat64_test_state(kCodeAddr, kStackTop);
  }
};

GUEST_CODE(stac_clac, "  stac\n  pushfq\n  pop r8\n  clac\n  pushfq\n  pop r9\n")

TEST(CpuSystem, StacAndClacSetAndClearAc) {
  CpuHarness h;
  EXPECT_EQ(run_for_vector(h, GUEST_BYTES(stac_clac)), -1);
  EXPECT_TRUE(h.s().gpr[kR8] & rflags::kAC);
  EXPECT_FALSE(h.s().gpr[kR9] & rflags::kAC);
  HarnessWithout no_smap("smap");
  EXPECT_EQ(run_for_vector(no_smap, GUEST_BYTES(stac_clac)), vec::kUD);  // Vol. 2B STAC: #UD without SMAP
}

// INVPCID type in RAX, descriptor at [RBX].
GUEST_CODE(invpcid, "  invpcid rax, xmmword ptr [rbx]\n")

TEST(CpuSystem, InvpcidChecksTypeAndDescriptor) {
  struct Case {
    uint64_t type, pcid, lin;
    int vector;
  } cases[] = {
      {2, 0, 0, -1},                       // all contexts
      {0, 0, 0x1000, -1},                  // one address, PCID 0
      {4, 0, 0, vec::kGP},                 // type > 3
      {1, 1ull << 12, 0, vec::kGP},        // descriptor bits 63:12 reserved
      {0, 0, 1ull << 47, vec::kGP},        // type 0: non-canonical address
      {1, 5, 0, vec::kGP},                 // PCID != 0 while CR4.PCIDE = 0
  };
  for (const Case& c : cases) {
    CpuHarness h;
    h.memory.write_obj(CpuHarness::kDataAddr, c.pcid);
    h.memory.write_obj(CpuHarness::kDataAddr + 8, c.lin);
    h.install_long_mode_tables();
    h.load(GUEST_BYTES(invpcid));
    h.s().gpr[kRax] = c.type;
    h.s().gpr[kRbx] = CpuHarness::kDataAddr;
    EXPECT_EQ(h.run(), Cpu::Exit::halted);
    EXPECT_EQ(h.delivered_vector(), c.vector) << "type " << c.type << " pcid " << c.pcid;
  }
  HarnessWithout no_invpcid("invpcid");
  no_invpcid.s().gpr[kRbx] = CpuHarness::kDataAddr;
  EXPECT_EQ(run_for_vector(no_invpcid, GUEST_BYTES(invpcid)), vec::kUD);
}

GUEST_CODE(msrs, "  mov ecx, 0xc0000100\n  mov eax, 0x1000\n  mov edx, 0\n  wrmsr\n"
                 "  mov rax, qword ptr fs:[0x10]\n  mov r8, rax\n"
                 "  mov ecx, 0xc0000080\n  rdmsr\n  mov r9d, eax\n"
                 "  mov ecx, 0x12345\n  rdmsr\n")

TEST(CpuSystem, MsrsAndFsBase) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.memory.write_obj<uint64_t>(0x1010, 0xfeedface);
  h.load(GUEST_BYTES(msrs));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kR8], 0xfeedfaceu);
  EXPECT_EQ(h.s().gpr[kR9], efer::kLME | efer::kLMA);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);  // the unknown MSR
}

class RecordingDevice : public Device {
 public:
  std::string_view name() const override { return "recorder"; }
  uint32_t io_read(uint16_t port, unsigned size) override { return 0xab00 | port | size << 12; }
  void io_write(uint16_t port, unsigned size, uint32_t value) override {
    last_port = port, last_size = size, last_value = value;
  }
  uint64_t mmio_read(uint64_t addr, unsigned size) override { return addr ^ size; }
  void mmio_write(uint64_t addr, unsigned size, uint64_t value) override {
    last_addr = addr, last_size = size, last_value = value;
  }
  uint64_t last_port = 0, last_addr = 0, last_size = 0, last_value = 0;
};

GUEST_CODE(port_io, "  mov dx, 0x70\n  in al, dx\n  mov r8, rax\n  mov eax, 0x12345678\n  out 0x71, ax\n")
GUEST_CODE(mmio, "  mov rdi, 0xd0000010\n  mov eax, dword ptr [rdi]\n  mov r8, rax\n"
                 "  mov qword ptr [rdi+8], 0x55\n")

TEST(CpuSystem, PortIoAndMmioReachTheBuses) {
  CpuHarness h;
  RecordingDevice dev;
  h.io.add(0x70, 2, &dev);
  h.mmio.add(0xd0000000, 0x1000, &dev);
  h.load(GUEST_BYTES(port_io));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kR8] & 0xff, 0x70u);  // (0xab00 | 0x70 | 1 << 12) & 0xff
  EXPECT_EQ(dev.last_port, 0x71u);
  EXPECT_EQ(dev.last_size, 2u);
  EXPECT_EQ(dev.last_value, 0x5678u);
  h.load(GUEST_BYTES(mmio));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kR8], 0xd0000010u ^ 4);
  EXPECT_EQ(dev.last_addr, 0xd0000018u);
  EXPECT_EQ(dev.last_size, 8u);
  EXPECT_EQ(dev.last_value, 0x55u);
}

// At CPL 3 with IOPL 0: POPF keeps IF and IOPL, IN faults.
GUEST_CODE(user_flags,
           "  push 0x23\n  push 0x50000\n  push 0x202\n  push 0x1b\n  lea rcx, [rip+1f]\n  push rcx\n  iretq\n"
           "1: push 0x3000\n  popfq\n  pushfq\n  pop r8\n  in al, 0x70\n")

TEST(CpuSystem, PopfAndIoAtCpl3FollowIopl) {
  CpuHarness h;
  h.install_long_mode_tables();
  RecordingDevice dev;
  h.io.add(0x70, 2, &dev);
  h.load(GUEST_BYTES(user_flags));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kR8] & (rflags::kIF | rflags::kIOPL), rflags::kIF);
  EXPECT_EQ(h.delivered_vector(), vec::kGP);  // IN with CPL > IOPL and no I/O bitmap in the TSS limit
}

TEST(CpuSystem, ControlRegisterChecks) {
  CpuHarness h;
  Cpu& c = *h.cpu;
  auto faults = [&](auto f) {
    try {
      f();
    } catch (const GuestFault& g) {
      return static_cast<int>(g.vector);
    }
    return -1;
  };
  EXPECT_EQ(faults([&] { c.write_cr(0, 1ull << 32); }), vec::kGP);          // reserved
  EXPECT_EQ(faults([&] { c.write_cr(0, cr0::kPG); }), vec::kGP);            // PG without PE
  EXPECT_EQ(faults([&] { c.write_cr(0, 0x20000001); }), vec::kGP);          // NW without CD
  EXPECT_EQ(faults([&] { c.write_cr(4, 1ull << 40); }), vec::kGP);          // reserved
  EXPECT_EQ(faults([&] { c.write_cr(4, 0); }), vec::kGP);                   // clearing PAE with LMA
  EXPECT_EQ(faults([&] { c.write_cr(5, 0); }), vec::kUD);
  EXPECT_EQ(faults([&] { c.write_cr(8, 0xf); }), -1);
  EXPECT_EQ(c.read_cr(8), 0xfu);
  EXPECT_EQ(faults([&] { c.write_msr(0xc0000080, 1ull << 20); }), vec::kGP);  // reserved EFER bit
}

GUEST_CODE(tables, "  sgdt [rdi]\n  sidt [rdi+16]\n  lidt [rdi+32]\n  smsw eax\n")

TEST(CpuSystem, DescriptorTableRegisters) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.memory.write_obj<uint16_t>(CpuHarness::kDataAddr + 32, 0x7ff);
  h.memory.write_obj<uint64_t>(CpuHarness::kDataAddr + 34, 0x123000);
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  h.load(GUEST_BYTES(tables));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.memory.read_obj<uint16_t>(CpuHarness::kDataAddr), 7 * 8 - 1);
  EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kDataAddr + 2), CpuHarness::kGdt);
  EXPECT_EQ(h.memory.read_obj<uint16_t>(CpuHarness::kDataAddr + 16), 256 * 16 - 1);
  EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kDataAddr + 18), CpuHarness::kIdt);
  EXPECT_EQ(h.s().idtr.base, 0x123000u);
  EXPECT_EQ(h.s().idtr.limit, 0x7ffu);
  EXPECT_EQ(h.s().gpr[kRax] & 0xffffffff, h.s().cr0 & 0xffffffff);
}

// A far call into a 32-bit compatibility-mode segment and a far return back.
GUEST_CODE(far_compat,
           "  lea rax, [rip+2f]\n  mov [rip+3f], eax\n  call fword ptr [rip+3f]\n  mov r9d, 2\n  jmp 4f\n"
           ".code32\n2: mov edx, 1\n  retf\n.code64\n"
           "3: .long 0\n  .word 0x38\n"
           "4: nop\n")

TEST(CpuSystem, FarCallToCompatibilityModeAndBack) {
  CpuHarness h;
  h.install_long_mode_tables();
  // GDT entry 0x38: 32-bit code (D = 1, L = 0), DPL 0.
  h.memory.write_obj<uint64_t>(CpuHarness::kGdt + 0x38, 0x00cf9a000000ffff);
  h.s().gdtr.limit = 8 * 8 - 1;
  h.load(GUEST_BYTES(far_compat));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().mode, CpuMode::long64);
  EXPECT_EQ(h.s().seg[kCs].selector, 0x08);
  EXPECT_EQ(h.s().gpr[kR9], 2u);
  EXPECT_EQ(h.s().gpr[kRsp], CpuHarness::kStackTop);
}

GUEST_CODE(syscall_round_trip,
           "  mov ecx, 0xc0000080\n  rdmsr\n  or eax, 1\n  wrmsr\n"                // EFER.SCE
           "  mov ecx, 0xc0000081\n  xor eax, eax\n  mov edx, 0x00100008\n  wrmsr\n"  // STAR
           "  mov ecx, 0xc0000082\n  lea rax, [rip+2f]\n  mov rdx, rax\n  shr rdx, 32\n  wrmsr\n"
           "  mov ecx, 0xc0000084\n  mov eax, 0x200\n  xor edx, edx\n  wrmsr\n"  // SFMASK: IF
           "  lea rcx, [rip+1f]\n  mov r11d, 0x202\n  sysretq\n"
           "1: mov ebx, 7\n  syscall\n"
           "3: ud2\n"
           "2: nop\n")

TEST(CpuSystem, SyscallAndSysret) {
  CpuHarness h;
  h.install_long_mode_tables();
  std::vector<uint8_t> code = GUEST_BYTES(syscall_round_trip);
  h.load(code);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  const VcpuState& s = h.s();
  EXPECT_EQ(s.gpr[kRbx], 7u);  // ran at CPL 3 after SYSRET
  EXPECT_EQ(s.cpl, 0);
  EXPECT_EQ(s.seg[kCs].selector, 0x08);
  EXPECT_EQ(s.seg[kSs].selector, 0x10);
  EXPECT_EQ(s.gpr[kRcx], CpuHarness::kCodeAddr + code.size() - 3);  // the UD2 after SYSCALL
  EXPECT_EQ(s.gpr[kR11] & rflags::kIF, rflags::kIF);
  EXPECT_FALSE(h.cpu->rflags() & rflags::kIF);  // masked by IA32_FMASK
}

GUEST_CODE(single_step, "  pushfq\n  or qword ptr [rsp], 0x100\n  popfq\n  nop\n  nop\n")

TEST(CpuSystem, TrapFlagSingleSteps) {
  CpuHarness h;
  h.install_long_mode_tables();
  std::vector<uint8_t> code = GUEST_BYTES(single_step);
  h.load(code);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kDB);
  EXPECT_EQ(h.stack(0), CpuHarness::kCodeAddr + code.size() - 1);  // after the first NOP (a trap)
  EXPECT_TRUE(h.stack(2) & rflags::kTF);
  EXPECT_TRUE(h.s().dr[6] & (1u << 14));  // DR6.BS
  EXPECT_FALSE(h.cpu->rflags() & rflags::kTF);  // cleared for the handler
}

TEST(CpuSystem, Cr4BitsNeedTheirCpuidFeature) {
  auto faults = [&](CpuHarness& h, uint64_t cr4) {
    try {
      h.cpu->write_cr(4, cr4);
    } catch (const GuestFault& g) {
      return g.vector == vec::kGP;
    }
    return false;
  };
  CpuHarness h;
  EXPECT_FALSE(faults(h, cr4::kPAE | cr4::kSMEP));   // SMEP is offered
  EXPECT_FALSE(faults(h, cr4::kPAE | cr4::kPCIDE));  // PCID is offered
  EXPECT_FALSE(faults(h, cr4::kPAE | (1ull << 18)));  // XSAVE is offered
  HarnessWithout no_pcid("pcid");
  EXPECT_TRUE(faults(no_pcid, cr4::kPAE | cr4::kPCIDE));
  HarnessWithout no_xsave("xsave");
  EXPECT_TRUE(faults(no_xsave, cr4::kPAE | (1ull << 18)));
}

GUEST_CODE(tsc_adjust, "  mov ecx, 0x3b\n  rdmsr\n  mov r8d, eax\n"
                       "  rdtsc\n  shl rdx, 32\n  or rax, rdx\n  mov r9, rax\n"
                       "  mov ecx, 0x3b\n  xor eax, eax\n  mov edx, 0x100\n  wrmsr\n"
                       "  rdtsc\n  shl rdx, 32\n  or rax, rdx\n  mov r10, rax\n"
                       "  mov ecx, 0x10\n  xor eax, eax\n  xor edx, edx\n  wrmsr\n"
                       "  mov ecx, 0x3b\n  rdmsr\n  shl rdx, 32\n  or rax, rdx\n  mov r11, rax\n"
                       "  rdtsc\n  shl rdx, 32\n  or rax, rdx\n  mov r12, rax\n")

TEST(CpuSystem, TscAdjustAndTscWritesMoveEachOther) {
  CpuHarness h;
  h.load(GUEST_BYTES(tsc_adjust));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kR8], 0u);
  EXPECT_GE(h.s().gpr[kR10] - h.s().gpr[kR9], 1ull << 40) << "TSC_ADJUST = 2^40 moves the TSC by 2^40";
  // Writing IA32_TSC = 0 moved IA32_TSC_ADJUST by the same (negative) amount (SDM Vol. 3B §18.17.3).
  EXPECT_LT(static_cast<int64_t>(h.s().gpr[kR11]), 0);
  EXPECT_LT(h.s().gpr[kR12], 1ull << 40) << "the TSC restarted from 0";
}

GUEST_CODE(tsc_aux, "  mov ecx, 0xc0000103\n  mov eax, 0x2a\n  xor edx, edx\n  wrmsr\n  xor ecx, ecx\n  rdtscp\n"
                    "  mov r8d, ecx\n  rdpid r9\n")

TEST(CpuSystem, RdtscpAndRdpidReadTscAux) {
  CpuHarness h;
  h.load(GUEST_BYTES(tsc_aux));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kR8], 0x2au);
  EXPECT_EQ(h.s().gpr[kR9], 0x2au);
}

GUEST_CODE(debug_registers, "  xor eax, eax\n  mov dr6, rax\n  mov r8, dr6\n  mov dr7, rax\n  mov r9, dr7\n"
                            "  mov rax, 0x12345678\n  mov dr0, rax\n  mov r10, dr0\n")

TEST(CpuSystem, DebugRegistersKeepTheirFixedBits) {
  CpuHarness h;
  h.load(GUEST_BYTES(debug_registers));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kR8], 0xffff0ff0u);  // Vol. 3B §19.2.3: reserved DR6 bits read as 1
  EXPECT_EQ(h.s().gpr[kR9], 0x400u);
  EXPECT_EQ(h.s().gpr[kR10], 0x12345678u);
}

GUEST_CODE(spin_pause, "  pause\n  mov eax, 1\n")

TEST(CpuSystem, PauseEndsTheTurnWhenOtherVcpusWait) {
  CpuHarness h;
  h.s().gpr[kRax] = 0;
  h.load(GUEST_BYTES(spin_pause));
  h.cpu->set_yield_on_pause(true);
  EXPECT_EQ(h.cpu->run(1000), Cpu::Exit::quantum);
  EXPECT_EQ(h.s().rip, CpuHarness::kCodeAddr + 2);  // after PAUSE, before the MOV
  EXPECT_EQ(h.s().gpr[kRax], 0u);
  h.cpu->set_yield_on_pause(false);
  h.s().rip = CpuHarness::kCodeAddr;
  EXPECT_EQ(h.cpu->run(1000), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kRax], 1u);
}

// DR0 = the NOP (execute), DR1 = a 4-byte write watchpoint, both global.
GUEST_CODE(breakpoints,
           "  lea rax, [rip+1f]\n  mov dr0, rax\n  mov rax, rdi\n  mov dr1, rax\n"
           "  mov eax, 0x00d00402 | 0x8\n  mov dr7, rax\n"
           "1: nop\n")
GUEST_CODE(watched_store, "  mov dword ptr [rdi], 5\n  nop\n")
GUEST_CODE(general_detect, "  mov eax, 0x2400\n  mov dr7, rax\n  mov rax, dr0\n")

TEST(CpuSystem, HardwareBreakpointsAndWatchpoints) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  std::vector<uint8_t> code = GUEST_BYTES(breakpoints);
  h.load(code);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kDB);
  EXPECT_EQ(h.stack(0), CpuHarness::kCodeAddr + code.size() - 1);  // a fault: RIP of the NOP
  EXPECT_EQ(h.s().dr[6] & 0xf, 1u);                                // B0

  h.s().gpr[kRsp] = CpuHarness::kStackTop;
  std::vector<uint8_t> store = GUEST_BYTES(watched_store);
  h.load(store);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kDB);
  EXPECT_EQ(h.stack(0), CpuHarness::kCodeAddr + store.size() - 1);  // a trap: after the store
  EXPECT_EQ(h.s().dr[6] & 0xf, 2u);                                  // B1
  EXPECT_EQ(h.memory.read_obj<uint32_t>(CpuHarness::kDataAddr), 5u);

  h.s().gpr[kRsp] = CpuHarness::kStackTop;
  h.load(GUEST_BYTES(general_detect));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kDB);
  EXPECT_EQ(h.stack(0), CpuHarness::kCodeAddr + 8);  // the MOV from DR0 (GD fault)
  EXPECT_TRUE(h.s().dr[6] & (1u << 13));              // BD
  EXPECT_FALSE(h.s().dr[7] & (1u << 13));             // GD cleared for the handler
}

// A harness whose CPUID vendor is "AuthenticAMD".
struct AmdHarness : CpuHarness {
  AmdHarness() {
    CpuEnvironment env{memory, io, mmio, control, code, emu_supported_cpuid()};
    env.cpuid[0].ebx = 0x68747541;
    env.cpuid[0].edx = 0x69746e65;
    env.cpuid[0].ecx = 0x444d4163;
    cpu = std::make_unique<Cpu>(env, 0);
    cpu->set_flat64_test_state(kCodeAddr, kStackTop);
  }
};

GUEST_CODE(amd_perf_msrs, "  mov ecx, 0xc0010000\n  mov eax, 0x430076\n  xor edx, edx\n  wrmsr\n"
                          "  mov ecx, 0xc0010004\n  rdmsr\n  mov r8d, eax\n")

TEST(CpuSystem, AmdLegacyPerfMsrsReadZeroOnAnAmdVendor) {
  AmdHarness amd;
  amd.install_long_mode_tables();
  amd.load(GUEST_BYTES(amd_perf_msrs));
  amd.s().gpr[kR8] = 1;
  ASSERT_EQ(amd.run(), Cpu::Exit::halted);
  EXPECT_EQ(amd.delivered_vector(), -1);
  EXPECT_EQ(amd.s().gpr[kR8], 0u);
  CpuHarness intel;
  intel.install_long_mode_tables();
  intel.load(GUEST_BYTES(amd_perf_msrs));
  ASSERT_EQ(intel.run(), Cpu::Exit::halted);
  EXPECT_EQ(intel.delivered_vector(), vec::kGP);
}

// DR0 = the NOP right after MOV SS (execute breakpoint, global).
GUEST_CODE(breakpoint_after_mov_ss,
           "  lea rax, [rip+1f]\n  mov dr0, rax\n  mov eax, 0x402\n  mov dr7, rax\n"
           "  mov eax, 0x10\n  mov ss, ax\n1: nop\n")

TEST(CpuSystem, InstructionBreakpointAfterMovSsFollowsTheVendor) {
  CpuHarness intel;
  intel.install_long_mode_tables();
  intel.load(GUEST_BYTES(breakpoint_after_mov_ss));
  ASSERT_EQ(intel.run(), Cpu::Exit::halted);
  EXPECT_EQ(intel.delivered_vector(), -1) << "inhibited on Intel (SDM Vol. 3A §6.8.3)";

  AmdHarness amd;
  amd.install_long_mode_tables();
  amd.load(GUEST_BYTES(breakpoint_after_mov_ss));
  ASSERT_EQ(amd.run(), Cpu::Exit::halted);
  EXPECT_EQ(amd.delivered_vector(), vec::kDB);
}

GUEST_CODE(single_step_int, "  pushfq\n  or qword ptr [rsp], 0x100\n  popfq\n  int 0x80\n")

// INT n clears TF on the way to its handler: no single-step trap follows it.
TEST(CpuSystem, NoSingleStepTrapAfterADeliveredSoftwareInterrupt) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.load(GUEST_BYTES(single_step_int));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), 0x80);
  EXPECT_TRUE(h.stack(2) & rflags::kTF) << "the INT's frame keeps TF for the IRET";
  EXPECT_FALSE(h.s().dr[6] & (1u << 14));
}

// DR1 = a 4-byte read/write watchpoint on [RDI], global; then MOV SS reads it.
GUEST_CODE(watch_mov_ss_nop, "  mov rax, rdi\n  mov dr1, rax\n  mov eax, 0xf00008\n  mov dr7, rax\n"
                             "  mov ss, word ptr [rdi]\n  nop\n1:\n")
GUEST_CODE(watch_mov_ss_icebp, "  mov rax, rdi\n  mov dr1, rax\n  mov eax, 0xf00008\n  mov dr7, rax\n"
                               "  mov ss, word ptr [rdi]\n  .byte 0xf1\n")

// MOV SS holds back its data breakpoint until the next instruction ends
// (SDM Vol. 3A §6.8.3); when that instruction is INT1, the one #DB reports both.
TEST(CpuSystem, MovSsDefersItsWatchpointPastTheNextInstruction) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  h.memory.write_obj<uint16_t>(CpuHarness::kDataAddr, 0x10);
  std::vector<uint8_t> code = GUEST_BYTES(watch_mov_ss_nop);
  h.load(code);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.delivered_vector(), vec::kDB);
  EXPECT_EQ(h.stack(0), CpuHarness::kCodeAddr + code.size()) << "after the NOP, not after MOV SS";
  EXPECT_EQ(h.s().dr[6] & 0xf, 2u);  // B1

  CpuHarness i;
  i.install_long_mode_tables();
  i.s().gpr[kRdi] = CpuHarness::kDataAddr;
  i.memory.write_obj<uint16_t>(CpuHarness::kDataAddr, 0x10);
  code = GUEST_BYTES(watch_mov_ss_icebp);
  i.load(code);
  i.s().dr[6] = 0xffff0ff0;
  ASSERT_EQ(i.run(), Cpu::Exit::halted);
  EXPECT_EQ(i.delivered_vector(), vec::kDB);
  EXPECT_EQ(i.stack(0), CpuHarness::kCodeAddr + code.size()) << "one #DB, the INT1's";
  EXPECT_EQ(i.stack(3), CpuHarness::kStackTop) << "delivered once: the frame is the first on the stack";
  EXPECT_EQ(i.s().dr[6] & 0xf, 2u) << "with the watchpoint's B1";
}

GUEST_CODE(ltr_0x28, "  mov ax, 0x28\n  ltr ax\n")

// IA-32e mode's 16-byte TSS descriptor: its upper half must lie within the GDT
// and have type 0 (SDM Vol. 3A §7.2.3, Vol. 2A LTR: #GP(selector)).
TEST(CpuSystem, LtrInLongModeChecksTheDescriptorsUpperHalf) {
  auto ltr = [](CpuHarness& h) {
    h.s().gpr[kRsp] = CpuHarness::kStackTop;
    h.load(GUEST_BYTES(ltr_0x28));
    EXPECT_EQ(h.run(), Cpu::Exit::halted);
    return h.delivered_vector();
  };
  CpuHarness h;
  h.install_long_mode_tables();
  h.s().tr = {};
  h.s().gdtr.limit = 0x2f;  // the descriptor's low half fits, its upper half does not
  ASSERT_EQ(ltr(h), vec::kGP);
  EXPECT_EQ(h.stack(0), 0x28u);
  h.s().gdtr.limit = 0x37;
  h.memory.write_obj<uint64_t>(CpuHarness::kGdt + 0x30, 1ull << 40);  // type 1 in the upper half
  ASSERT_EQ(ltr(h), vec::kGP);
  EXPECT_EQ(h.stack(0), 0x28u);
  h.memory.write_obj<uint64_t>(CpuHarness::kGdt + 0x30, 0x12);  // base bits 63:32
  EXPECT_EQ(ltr(h), -1);
  EXPECT_EQ(h.s().tr.selector, 0x28);
  EXPECT_EQ(h.s().tr.base, (0x12ull << 32) | CpuHarness::kTss);
}

}  // namespace
}  // namespace nv::test
