// Runs one SSE/MMX instruction on the host and on the software CPU from the
// same register image and compares XMM0-1, MM0-1, RAX, RCX, MXCSR, the
// arithmetic flags and a 16-byte memory operand at [RSI].
#pragma once

#include "cpu_test_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>

namespace nv::test {

struct alignas(16) SimdRegs {
  uint64_t xmm0[2], xmm1[2];
  uint64_t mem[2];  // the memory operand: [RSI]
  uint64_t mm0, mm1;
  uint64_t rax, rcx;
  uint32_t mxcsr, pad;
  uint64_t flags;
};
static_assert(sizeof(SimdRegs) == 96);

// Defines nv_simd_NAME(SimdRegs*) running TEXT (Intel syntax) on the host with
// the host MXCSR saved around it, and nv_sbegin_NAME / nv_send_NAME around TEXT.
#define SIMD_INSN(name, text)                                                                                    \
  extern "C" void nv_simd_##name(::nv::test::SimdRegs*);                                                         \
  extern "C" const uint8_t nv_sbegin_##name[], nv_send_##name[];                                                 \
  asm(".pushsection .text.nv_simd_" #name ",\"ax\",@progbits\n.intel_syntax noprefix\n.globl nv_simd_" #name    \
      "\nnv_simd_" #name                                                                                         \
      ":\n push rbx\n sub rsp, 16\n stmxcsr [rsp]\n push rdi\n movdqu xmm0, [rdi]\n movdqu xmm1, [rdi+16]\n"     \
      " movq mm0, [rdi+48]\n movq mm1, [rdi+56]\n mov rax, [rdi+64]\n mov rcx, [rdi+72]\n ldmxcsr [rdi+80]\n"  \
      " lea rsi, [rdi+32]\n push qword ptr [rdi+88]\n popfq\n.globl nv_sbegin_" #name "\nnv_sbegin_" #name       \
      ":\n " text "\n.globl nv_send_" #name "\nnv_send_" #name                                                   \
      ":\n pushfq\n pop rdx\n pop rdi\n mov [rdi+88], rdx\n movdqu [rdi], xmm0\n movdqu [rdi+16], xmm1\n"        \
      " movq [rdi+48], mm0\n movq [rdi+56], mm1\n mov [rdi+64], rax\n mov [rdi+72], rcx\n stmxcsr [rdi+80]\n"   \
      " emms\n ldmxcsr [rsp]\n add rsp, 16\n pop rbx\n ret\n.att_syntax prefix\n.popsection\n");

struct SimdCase {
  const char* name;
  void (*host)(SimdRegs*);
  const uint8_t* begin;
  const uint8_t* end;
};
#define SIMD_CASE(name) \
  ::nv::test::SimdCase { #name, nv_simd_##name, nv_sbegin_##name, nv_send_##name }

inline std::string hex128(const uint64_t v[2]) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx:%016llx", static_cast<unsigned long long>(v[1]),
                static_cast<unsigned long long>(v[0]));
  return buf;
}

// A vCPU with CR4.OSFXSR set (and OSXMMEXCPT, so an unmasked exception would
// show as #XM instead of passing silently).
struct SimdHarness : CpuHarness {
  SimdHarness() {
    install_long_mode_tables();
    s().cr4 |= (1ull << 9) | (1ull << 10);
  }

  // Runs `c` on both; false (with a gtest failure) when they differ.
  bool compare(const SimdCase& c, const SimdRegs& in) {
    SimdRegs host = in;
    c.host(&host);

    VcpuState& st = s();
    std::memcpy(st.xmm[0], in.xmm0, 16);
    std::memcpy(st.xmm[1], in.xmm1, 16);
    std::memcpy(st.st[0], &in.mm0, 8);
    std::memcpy(st.st[1], &in.mm1, 8);
    st.fsw = 0;
    st.ftw = 0;
    st.gpr[kRax] = in.rax;
    st.gpr[kRcx] = in.rcx;
    st.gpr[kRsi] = kDataAddr;
    st.gpr[kRsp] = kStackTop;
    st.mxcsr = in.mxcsr;
    memory.write(kDataAddr, in.mem, 16);
    cpu->set_rflags(static_cast<uint32_t>(in.flags));
    load(std::vector<uint8_t>(c.begin, c.end));
    run(100);
    char ctx[256];
    std::snprintf(ctx, sizeof ctx, "%s in xmm0=%s xmm1=%s mem=%s mm0=%016llx mm1=%016llx rax=%llx mxcsr=%x", c.name,
                  hex128(in.xmm0).c_str(), hex128(in.xmm1).c_str(), hex128(in.mem).c_str(),
                  static_cast<unsigned long long>(in.mm0), static_cast<unsigned long long>(in.mm1),
                  static_cast<unsigned long long>(in.rax), in.mxcsr);
    EXPECT_EQ(st.rip, kCodeAddr + (c.end - c.begin) + 1) << ctx << ": did not complete, vector "
                                                        << delivered_vector();
    EXPECT_EQ(hex128(st.xmm[0]), hex128(host.xmm0)) << ctx;
    EXPECT_EQ(hex128(st.xmm[1]), hex128(host.xmm1)) << ctx;
    uint64_t mem[2];
    memory.read(kDataAddr, mem, 16);
    EXPECT_EQ(hex128(mem), hex128(host.mem)) << ctx;
    uint64_t mm0, mm1;
    std::memcpy(&mm0, st.st[0], 8);
    std::memcpy(&mm1, st.st[1], 8);
    EXPECT_EQ(mm0, host.mm0) << ctx;
    EXPECT_EQ(mm1, host.mm1) << ctx;
    EXPECT_EQ(st.gpr[kRax], host.rax) << ctx;
    EXPECT_EQ(st.gpr[kRcx], host.rcx) << ctx;
    EXPECT_EQ(st.mxcsr, host.mxcsr) << ctx;
    EXPECT_EQ(cpu->rflags() & rflags::kArith, host.flags & rflags::kArith) << ctx;
    return !::testing::Test::HasFailure();
  }

  // Each case on `runs` inputs whose 64-bit words come from `value(rng)`
  // (MXCSR at its default, flags clear); stops at the first difference.
  template <size_t N, class Value>
  void compare_random(const SimdCase (&cases)[N], uint64_t seed, Value value, unsigned runs = 64) {
    std::mt19937_64 rng(seed);
    for (const SimdCase& c : cases) {
      for (unsigned it = 0; it < runs; ++it) {
        SimdRegs in{};
        for (uint64_t* v : {&in.xmm0[0], &in.xmm0[1], &in.xmm1[0], &in.xmm1[1], &in.mem[0], &in.mem[1], &in.mm0,
                            &in.mm1, &in.rax, &in.rcx})
          *v = value(rng);
        in.mxcsr = 0x1f80;
        in.flags = 0x2;
        if (!compare(c, in)) return;
      }
    }
  }
};

}  // namespace nv::test
