// A single software vCPU over 16 MiB of RAM for the CPU unit tests and
// benchmarks. The default state is the engine's flat 64-bit test state:
// CS.L = 1, every base 0, paging off (linear = physical), CPL 0; code is
// placed at kCodeAddr and the stack grows down from kStackTop.
#pragma once

#include "cpu/cpu.h"
#include "cpu/decode_cache.h"
#include "cpu/emu_cpuid.h"
#include "lapic/apic_bus.h"
#include "lapic/manual_clock.h"
#include "vmm/bus.h"
#include "vmm/guest_memory.h"
#include "vmm/machine_control.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

// Assembles TEXT (Intel syntax; 64-bit unless it says .code32/.code16 and
// switches back) into read-only data between nv_gbegin_NAME and nv_gend_NAME
// for the emulator to run; the host never executes it. Absolute addresses
// are written as (label - nv_gbegin_NAME + load address).
#define GUEST_CODE(name, text)                                                                              \
  extern "C" const uint8_t nv_gbegin_##name[], nv_gend_##name[];                                          \
  asm(".pushsection .rodata.nv_guest_" #name ",\"a\"\n.intel_syntax noprefix\n.globl nv_gbegin_" #name \
      "\nnv_gbegin_" #name ":\n" text "\n.code64\n.globl nv_gend_" #name "\nnv_gend_" #name                \
      ":\n.att_syntax prefix\n.popsection\n");
#define GUEST_BYTES(name) std::vector<uint8_t>(nv_gbegin_##name, nv_gend_##name)

namespace nv::test {

struct CpuHarness {
  static constexpr uint64_t kCodeAddr = 0x10000;
  static constexpr uint64_t kStackTop = 0x80000;
  static constexpr uint64_t kDataAddr = 0x100000;

  GuestMemory memory{16ull << 20};
  Bus io{Bus::Kind::io};
  Bus mmio{Bus::Kind::mmio};
  MachineControl control;
  DecodeCache code{16ull << 20};
  std::unique_ptr<Cpu> cpu;

  CpuHarness() {
    CpuEnvironment env{memory, io, mmio, control, code, emu_supported_cpuid()};
    cpu = std::make_unique<Cpu>(env, 0);
    cpu->set_flat64_test_state(kCodeAddr, kStackTop);
  }

  VcpuState& s() { return cpu->state(); }

  // Copies `bytes` followed by HLT to `at` and points RIP there.
  void load(const std::vector<uint8_t>& bytes, uint64_t at = kCodeAddr) {
    memory.write(at, bytes.data(), bytes.size());
    uint8_t hlt = 0xf4;
    memory.write(at + bytes.size(), &hlt, 1);
    code.invalidate_code_page(at);
    s().rip = at;
    s().halted = 0;
  }
  // 64-bit descriptor tables for exception tests: GDT at kGdt (0x08 code64
  // DPL 0, 0x10 data DPL 0, 0x18 code64 DPL 3, 0x20 data DPL 3, 0x28 TSS),
  // IDT at kIdt whose 256 interrupt gates (DPL 3, IST 0) lead to a HLT stub at
  // handler(v), and a TSS at kTss with RSP0 = kRsp0 and IST1 = kIst1.
  static constexpr uint64_t kGdt = 0x2000, kIdt = 0x3000, kStubs = 0x4000, kTss = 0x5000;
  static constexpr uint64_t kRsp0 = 0x70000, kIst1 = 0x60000;
  static constexpr uint64_t handler(unsigned v) { return kStubs + v * 16; }

  void install_long_mode_tables() {
    const uint64_t gdt[] = {0, 0x00af9a000000ffff, 0x00cf92000000ffff, 0x00affa000000ffff, 0x00cff2000000ffff,
                            // 64-bit available TSS (type 9), limit 0x67, base kTss
                            0x0000890000000067 | ((kTss & 0xffffff) << 16), 0};
    memory.write(kGdt, gdt, sizeof gdt);
    for (unsigned v = 0; v < 256; ++v) set_gate(v, handler(v), 3, 0);
    uint8_t stub[16] = {0xf4};  // HLT
    for (unsigned v = 0; v < 256; ++v) memory.write(handler(v), stub, sizeof stub);
    uint8_t tss[0x68] = {};
    uint64_t rsp0 = kRsp0, ist1 = kIst1;
    std::memcpy(tss + 4, &rsp0, 8);
    std::memcpy(tss + 0x24, &ist1, 8);
    memory.write(kTss, tss, sizeof tss);
    s().gdtr = {kGdt, sizeof gdt - 1};
    s().idtr = {kIdt, 256 * 16 - 1};
    s().tr = {kTss, 0x67, 0x28, 0x8b};
  }
  // A 64-bit interrupt gate (type 0xE) or trap gate (trap = true).
  void set_gate(unsigned v, uint64_t target, unsigned dpl, unsigned ist, bool present = true, bool trap = false) {
    uint64_t lo = (target & 0xffff) | (0x08ull << 16) | (static_cast<uint64_t>(ist) << 32) |
                  (static_cast<uint64_t>(trap ? 0xf : 0xe) << 40) | (static_cast<uint64_t>(dpl) << 45) |
                  (present ? 1ull << 47 : 0) | (((target >> 16) & 0xffff) << 48);
    uint64_t hi = target >> 32;
    memory.write_obj(kIdt + v * 16, lo);
    memory.write_obj(kIdt + v * 16 + 8, hi);
  }
  // The vector whose HLT stub stopped the vCPU, -1 if none did.
  int delivered_vector() {
    uint64_t rip = s().rip;
    if (rip <= kStubs || rip > kStubs + 256 * 16 || (rip - kStubs - 1) % 16 != 0) return -1;
    return static_cast<int>((rip - kStubs - 1) / 16);
  }
  uint64_t stack(unsigned slot) { return memory.read_obj<uint64_t>(s().gpr[kRsp] + 8 * slot); }

  // Runs until HLT (or `limit` instructions); returns the exit reason.
  Cpu::Exit run(uint64_t limit = 100000) {
    s().halted = 0;
    return cpu->run(limit);
  }
};

// A CpuHarness whose vCPU 0 has local APIC 0 on a bus of `vcpus`
// software-enabled APICs (the rest stand for vCPUs that are not run).
struct ApicCpuHarness : CpuHarness {
  ManualClock clock;
  ApicBus apics;

  explicit ApicCpuHarness(unsigned vcpus = 4) : apics(vcpus, clock) {
    CpuEnvironment env{memory, io, mmio, control, code, emu_supported_cpuid()};
    env.apic = &apics.apic(0);
    env.apic_bus = &apics;
    env.clock = &clock;
    cpu = std::make_unique<Cpu>(env, 0);
    cpu->set_flat64_test_state(kCodeAddr, kStackTop);
    Cpu* c = cpu.get();
    apics.apic(0).set_wakeup([c] { c->notify_interrupt(); });
    for (unsigned i = 0; i < vcpus; ++i) apics.apic(i).mmio_write(0xfee000f0, 4, 0x1ff);  // SVR: enabled
  }
};

}  // namespace nv::test
