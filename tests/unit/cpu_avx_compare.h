// Runs one AVX or SSE instruction on the host and on the software CPU from
// the same register image and compares YMM0-2 in all 256 bits (so VEX.128
// zeroing bits 255:128 and legacy SSE keeping them are both checked), a
// 64-byte memory operand at [RSI], RAX, RCX, MXCSR and the arithmetic flags,
// over random and edge inputs (cpu_avx_test.cpp, cpu_sse4_test.cpp).
#pragma once

#include "cpu_test_support.h"

#include <gtest/gtest.h>

#include <cpuid.h>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <random>
#include <string>

namespace nv::test {

struct alignas(32) AvxRegs {
  uint64_t ymm[3][4];  // YMM0-2, low quadword first
  uint64_t mem[8];     // the memory operand at [RSI], 32-byte aligned
  uint64_t rax, rcx;
  uint32_t mxcsr, pad;
  uint64_t flags;
};
static_assert(sizeof(AvxRegs) == 192);

// Defines nv_avx_NAME(AvxRegs*) running TEXT (Intel syntax) on the host with
// the host MXCSR saved around it, and nv_abegin_NAME / nv_aend_NAME around TEXT.
#define AVX_INSN(name, text)                                                                                   \
  extern "C" void nv_avx_##name(::nv::test::AvxRegs*);                                                         \
  extern "C" const uint8_t nv_abegin_##name[], nv_aend_##name[];                                               \
  asm(".pushsection .text.nv_avx_" #name ",\"ax\",@progbits\n.intel_syntax noprefix\n.globl nv_avx_" #name    \
      "\nnv_avx_" #name                                                                                        \
      ":\n push rbx\n sub rsp, 16\n stmxcsr [rsp]\n push rdi\n vmovdqu ymm0, [rdi]\n vmovdqu ymm1, [rdi+32]\n" \
      " vmovdqu ymm2, [rdi+64]\n mov rax, [rdi+160]\n mov rcx, [rdi+168]\n ldmxcsr [rdi+176]\n"              \
      " lea rsi, [rdi+96]\n push qword ptr [rdi+184]\n popfq\n.globl nv_abegin_" #name "\nnv_abegin_" #name     \
      ":\n " text "\n.globl nv_aend_" #name "\nnv_aend_" #name                                                 \
      ":\n pushfq\n pop rdx\n pop rdi\n mov [rdi+184], rdx\n vmovdqu [rdi], ymm0\n vmovdqu [rdi+32], ymm1\n"   \
      " vmovdqu [rdi+64], ymm2\n mov [rdi+160], rax\n mov [rdi+168], rcx\n stmxcsr [rdi+176]\n vzeroupper\n"  \
      " ldmxcsr [rsp]\n add rsp, 16\n pop rbx\n ret\n.att_syntax prefix\n.popsection\n");

struct AvxCase {
  const char* name;
  void (*host)(AvxRegs*);
  const uint8_t* begin;
  const uint8_t* end;
};
#define AVX_CASE(name) \
  ::nv::test::AvxCase { #name, nv_avx_##name, nv_abegin_##name, nv_aend_##name }

inline std::string hex256(const uint64_t v[4]) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "%016llx:%016llx:%016llx:%016llx", static_cast<unsigned long long>(v[3]),
                static_cast<unsigned long long>(v[2]), static_cast<unsigned long long>(v[1]),
                static_cast<unsigned long long>(v[0]));
  return buf;
}

inline bool host_has_avx() {
  unsigned a, b, c, d;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 28)) && (c & (1u << 27));
}

// A 64-bit vCPU with CR4.OSFXSR, OSXMMEXCPT and OSXSAVE and XCR0 = x87|SSE|AVX.
struct AvxHarness : CpuHarness {
  static constexpr uint64_t kCr4 = (1ull << 9) | (1ull << 10) | (1ull << 18);
  AvxHarness() {
    install_long_mode_tables();
    s().cr4 |= kCr4;
    cpu->set_xcr0(7);
  }

  void set_ymm(unsigned r, const uint64_t v[4]) {
    std::memcpy(s().xmm[r], v, 16);
    std::memcpy(s().ymm_hi[r], v + 2, 16);
  }
  void get_ymm(unsigned r, uint64_t v[4]) {
    std::memcpy(v, s().xmm[r], 16);
    std::memcpy(v + 2, s().ymm_hi[r], 16);
  }
  // Runs `code` from the state in `in`; returns the vector delivered, -1 when it reached its HLT.
  int exec(const std::vector<uint8_t>& code, const AvxRegs& in) {
    for (unsigned r = 0; r < 3; ++r) set_ymm(r, in.ymm[r]);
    s().gpr[kRax] = in.rax;
    s().gpr[kRcx] = in.rcx;
    s().gpr[kRsi] = kDataAddr;
    s().gpr[kRsp] = kStackTop;
    s().mxcsr = in.mxcsr;
    memory.write(kDataAddr, in.mem, sizeof in.mem);
    cpu->set_rflags(static_cast<uint32_t>(in.flags));
    load(code);
    run(100);
    return delivered_vector();
  }

  // Runs `c` on both; false (with a gtest failure) when they differ.
  bool compare(const AvxCase& c, const AvxRegs& in) {
    AvxRegs host = in;
    c.host(&host);
    int v = exec(std::vector<uint8_t>(c.begin, c.end), in);
    std::string ctx = std::string(c.name) + " in ymm0=" + hex256(in.ymm[0]) + " ymm1=" + hex256(in.ymm[1]) +
                      " ymm2=" + hex256(in.ymm[2]) + " mem=" + hex256(in.mem) + " mxcsr=" + std::to_string(in.mxcsr);
    EXPECT_EQ(s().rip, kCodeAddr + (c.end - c.begin) + 1) << ctx << ": did not complete, vector " << v;
    for (unsigned r = 0; r < 3; ++r) {
      uint64_t y[4];
      get_ymm(r, y);
      EXPECT_EQ(hex256(y), hex256(host.ymm[r])) << ctx << " ymm" << r;
    }
    uint64_t mem[8];
    memory.read(kDataAddr, mem, sizeof mem);
    EXPECT_EQ(hex256(mem), hex256(host.mem)) << ctx;
    EXPECT_EQ(hex256(mem + 4), hex256(host.mem + 4)) << ctx;
    EXPECT_EQ(s().gpr[kRax], host.rax) << ctx;
    EXPECT_EQ(s().gpr[kRcx], host.rcx) << ctx;
    EXPECT_EQ(s().mxcsr, host.mxcsr) << ctx;
    EXPECT_EQ(cpu->rflags() & rflags::kArith, host.flags & rflags::kArith) << ctx;
    return !::testing::Test::HasFailure();
  }
};

inline constexpr uint32_t kFloats[] = {0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x3f800000,
                                       0xbf800000, 0x3fc00000, 0x40200000, 0x3f800001, 0x7f7fffff, 0xff7fffff,
                                       0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0xff812345,
                                       0x3eaaaaab, 0x4f000000, 0xcf000001, 0x5f000000, 0x00400000, 0x60000000};
inline constexpr uint64_t kDoubles[] = {0x0000000000000000, 0x8000000000000000, 0x0000000000000001, 0x800fffffffffffff,
                                        0x0010000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0x3ff8000000000000,
                                        0x3ff0000000000001, 0x7fefffffffffffff, 0x7ff0000000000000, 0xfff0000000000000,
                                        0x7ff8000000000000, 0xfff8000000000001, 0x7ff0000000000001, 0xfff0000000012345,
                                        0x3fd5555555555555, 0x41e0000000000000, 0xc1e0000000200000, 0x43e0000000000000,
                                        0x36a0000000000000, 0x47effffff0000000, 0x0008000000000000, 0x2000000000000000};
inline constexpr uint64_t kIntegers[] = {0, 1, ~0ull, 0x7fffffff, 0x80000000, 0x7fffffffffffffff, 0x8000000000000000,
                                         0x1000001, 0x20000000000001, 0xffffffff, 0x12345678};

// integers: mostly random bits; lanes: edge values per lane (0, -1, signed
// and unsigned limits of bytes, words and dwords) mixed with random bits;
// singles and doubles: special and ordinary floating-point values.
enum class Values { integers, lanes, singles, doubles };

inline uint64_t a_value(Values kind, std::mt19937_64& rng) {
  switch (kind) {
    case Values::singles:
      return kFloats[rng() % std::size(kFloats)] | uint64_t{kFloats[rng() % std::size(kFloats)]} << 32;
    case Values::doubles:
      return rng() % 8 ? kDoubles[rng() % std::size(kDoubles)] : rng();
    case Values::lanes: {
      static constexpr uint64_t kLanes[] = {0,
                                            ~0ull,
                                            0x8000800080008000,
                                            0x7fff7fff7fff7fff,
                                            0x8080808080808080,
                                            0x7f7f7f7f7f7f7f7f,
                                            0x0001000100010001,
                                            0x80000000ffffffff,
                                            0x00ff00ff00ff00ff,
                                            0x8000000000000000};
      uint64_t v = kLanes[rng() % std::size(kLanes)];
      return rng() % 3 == 0 ? rng() : rng() % 2 ? v : v ^ (rng() & rng());
    }
    default:
      return rng() % 4 ? rng() : kIntegers[rng() % std::size(kIntegers)];
  }
}

inline void run_cases(const AvxCase* cases, size_t count, Values kind) {
  if (!host_has_avx()) GTEST_SKIP() << "host without AVX";
  AvxHarness h;
  std::mt19937_64 rng(11);
  for (size_t n = 0; n < count; ++n) {
    for (unsigned it = 0; it < 64; ++it) {
      AvxRegs in{};
      for (auto& y : in.ymm)
        for (uint64_t& q : y) q = a_value(kind, rng);
      for (uint64_t& q : in.mem) q = a_value(kind, rng);
      in.rax = kIntegers[rng() % std::size(kIntegers)];
      in.rcx = kIntegers[rng() % std::size(kIntegers)];
      // RC 0-3, each with and without FTZ+DAZ; some runs start with flags set (sticky).
      in.mxcsr = 0x1f80 | ((it & 3) << 13) | ((it & 4) ? 0x8040 : 0) | (rng() % 4 == 0 ? (rng() & 0x3f) : 0);
      in.flags = 0x2 | (rng() & rflags::kArith);
      if (!h.compare(cases[n], in)) return;
    }
  }
}

}  // namespace nv::test
