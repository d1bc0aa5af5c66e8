// Host-comparison testing for the software CPU: an instruction is assembled
// once into a host function (HOST_INSN) that loads RAX..RDI and RFLAGS from a
// HostRegs, runs the instruction on the host CPU and stores them back. The
// very same bytes (between the nv_begin_/nv_end_ labels) are run by the
// emulator from the same inputs, and registers, memory and the flags the
// SDM defines for that instruction must match.
#pragma once

#include "cpu_test_support.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace nv::test {

struct HostRegs {
  uint64_t rax, rbx, rcx, rdx, flags, rsi, rdi;
};
static_assert(sizeof(HostRegs) == 56);

// Defines nv_host_NAME(HostRegs*) running TEXT (Intel syntax) on the host, and
// nv_begin_NAME / nv_end_NAME around TEXT's bytes.
#define HOST_INSN(name, text)                                                                                   \
  extern "C" void nv_host_##name(::nv::test::HostRegs*);                                                        \
  extern "C" const uint8_t nv_begin_##name[], nv_end_##name[];                                                  \
  asm(".pushsection .text.nv_host_" #name ",\"ax\",@progbits\n.intel_syntax noprefix\n.globl nv_host_" #name   \
      "\nnv_host_" #name                                                                                        \
      ":\n push rbx\n push rdi\n mov rax, [rdi]\n mov rbx, [rdi+8]\n mov rcx, [rdi+16]\n mov rdx, [rdi+24]\n"   \
      " mov rsi, [rdi+40]\n push qword ptr [rdi+32]\n mov rdi, [rdi+48]\n popfq\n.globl nv_begin_" #name        \
      "\nnv_begin_" #name ":\n " text "\n.globl nv_end_" #name "\nnv_end_" #name                               \
      ":\n pushfq\n xchg rdi, [rsp+8]\n pop qword ptr [rdi+32]\n cld\n mov [rdi], rax\n mov [rdi+8], rbx\n"    \
      " mov [rdi+16], rcx\n mov [rdi+24], rdx\n mov [rdi+40], rsi\n pop qword ptr [rdi+48]\n pop rbx\n ret\n"  \
      ".att_syntax prefix\n.popsection\n");

// Flags an instruction leaves undefined for given inputs (masked out of the comparison).
using UndefinedFlags = uint32_t (*)(const HostRegs& in);
// Adjusts random inputs so the host instruction cannot fault (DIV) or so
// they exercise the instruction (counts).
using InputFixup = void (*)(HostRegs& in);

struct HostCase {
  const char* name;
  void (*host)(HostRegs*);
  const uint8_t* begin;
  const uint8_t* end;
  unsigned size;  // operand size, for the fixups' benefit
  UndefinedFlags undefined;
  InputFixup fixup;
  bool memory;  // RSI points at a 16-byte buffer (host: a local, guest: kDataAddr)
};

#define HOST_CASE(name, size, undefined, fixup) \
  ::nv::test::HostCase { #name, nv_host_##name, nv_begin_##name, nv_end_##name, size, undefined, fixup, false }
#define HOST_MEM_CASE(name, size, undefined, fixup) \
  ::nv::test::HostCase { #name, nv_host_##name, nv_begin_##name, nv_end_##name, size, undefined, fixup, true }

inline uint32_t no_undefined(const HostRegs&) { return 0; }
inline uint32_t af_flag_undefined(const HostRegs&) { return rflags::kAF; }
inline void no_fixup(HostRegs&) {}

// Operand values that hit the edges (0, 1, sign boundaries, all ones) half the time.
inline uint64_t interesting(std::mt19937_64& rng) {
  static const uint64_t edges[] = {0,    1,    2,          0x7f,       0x80,       0xff,       0x7fff,
                                   0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffff,
                                   0x8000000000000000, ~0ull, 0x0f0f0f0f0f0f0f0f, 0x100, 0x10000};
  switch (rng() % 4) {
    case 0: return edges[rng() % std::size(edges)];
    case 1: return rng() & 0xff;
    default: return rng();
  }
}

// Runs `iterations` random inputs of `c` on the host and the emulator.
inline void compare_with_host(CpuHarness& h, const HostCase& c, unsigned iterations, uint64_t seed) {
  std::vector<uint8_t> bytes(c.begin, c.end);
  h.load(bytes);
  std::mt19937_64 rng(seed);
  for (unsigned it = 0; it < iterations; ++it) {
    HostRegs in{interesting(rng), interesting(rng), interesting(rng), interesting(rng), 0, interesting(rng),
                interesting(rng)};
    in.flags = 0x2 | (static_cast<uint32_t>(rng()) & (rflags::kArith));
    c.fixup(in);
    alignas(16) uint64_t host_buf[2] = {interesting(rng), interesting(rng)};
    uint64_t guest_buf_init[2] = {host_buf[0], host_buf[1]};
    HostRegs out = in;
    if (c.memory) out.rsi = reinterpret_cast<uint64_t>(host_buf);
    c.host(&out);
    if (c.memory) out.rsi = in.rsi;  // compared below as the guest address

    VcpuState& s = h.s();
    uint64_t* g = s.gpr;
    g[kRax] = in.rax, g[kRbx] = in.rbx, g[kRcx] = in.rcx, g[kRdx] = in.rdx, g[kRsi] = in.rsi, g[kRdi] = in.rdi;
    if (c.memory) {
      g[kRsi] = CpuHarness::kDataAddr;
      h.memory.write(CpuHarness::kDataAddr, guest_buf_init, sizeof guest_buf_init);
    }
    h.cpu->set_rflags(static_cast<uint32_t>(in.flags));
    s.rip = CpuHarness::kCodeAddr;
    ASSERT_EQ(h.run(1000), Cpu::Exit::halted) << c.name << ": did not reach HLT, rip " << std::hex << s.rip;
    ASSERT_EQ(s.rip, CpuHarness::kCodeAddr + bytes.size() + 1) << c.name << ": an exception was raised";
    if (c.memory) g[kRsi] = in.rsi;

    std::string ctx = std::string(c.name) + " in: rax=" + std::to_string(in.rax) + " rbx=" + std::to_string(in.rbx) +
                      " rcx=" + std::to_string(in.rcx) + " rdx=" + std::to_string(in.rdx) +
                      " flags=" + std::to_string(in.flags);
    EXPECT_EQ(g[kRax], out.rax) << ctx;
    EXPECT_EQ(g[kRbx], out.rbx) << ctx;
    EXPECT_EQ(g[kRcx], out.rcx) << ctx;
    EXPECT_EQ(g[kRdx], out.rdx) << ctx;
    EXPECT_EQ(g[kRsi], out.rsi) << ctx;
    EXPECT_EQ(g[kRdi], out.rdi) << ctx;
    uint32_t mask = rflags::kArith & ~c.undefined(in);
    EXPECT_EQ(h.cpu->rflags() & mask, static_cast<uint32_t>(out.flags) & mask)
        << ctx << " (flags emu " << std::hex << h.cpu->rflags() << " host " << out.flags << " mask " << mask << ")";
    if (c.memory) {
      uint64_t guest_buf[2];
      h.memory.read(CpuHarness::kDataAddr, guest_buf, sizeof guest_buf);
      EXPECT_EQ(guest_buf[0], host_buf[0]) << ctx;
      EXPECT_EQ(guest_buf[1], host_buf[1]) << ctx;
    }
    if (::testing::Test::HasFailure()) return;  // one failing input is enough to debug
  }
}

}  // namespace nv::test
