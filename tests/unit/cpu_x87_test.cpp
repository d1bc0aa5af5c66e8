// x87 instructions on the software CPU against the host's x87 unit: each
// instruction runs on both from the same FRSTOR image (registers with edge
// values, random TOP and empty registers, every rounding and precision
// control, sometimes unmasked exceptions) and the FNSAVE images, memory
// operand, EFLAGS and AX after it are compared. Then the #MF and stack rules.
#include "cpu_test_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <iterator>
#include <random>
#include <string>

namespace nv::test {
namespace {

struct alignas(16) X87Regs {
  uint8_t image[112];  // FNSAVE/FRSTOR, 32-bit format (108 bytes)
  uint64_t mem[2];     // the memory operand: [RSI]
  uint64_t flags;
  uint64_t rax;
};
static_assert(sizeof(X87Regs) == 144);

#define X87_INSN(name, text)                                                                                   \
  extern "C" void nv_x87_##name(X87Regs*);                                                                     \
  extern "C" const uint8_t nv_xbegin_##name[], nv_xend_##name[];                                               \
  asm(".pushsection .text.nv_x87_" #name ",\"ax\",@progbits\n.intel_syntax noprefix\n.globl nv_x87_" #name   \
      "\nnv_x87_" #name                                                                                        \
      ":\n push rbx\n push rdi\n frstor [rdi]\n lea rsi, [rdi+112]\n mov rax, [rdi+136]\n"                     \
      " push qword ptr [rdi+128]\n popfq\n.globl nv_xbegin_" #name "\nnv_xbegin_" #name ":\n " text            \
      "\n.globl nv_xend_" #name "\nnv_xend_" #name                                                             \
      ":\n pushfq\n pop rdx\n pop rdi\n fnsave [rdi]\n mov [rdi+128], rdx\n mov [rdi+136], rax\n pop rbx\n"    \
      " ret\n.att_syntax prefix\n.popsection\n");

struct X87Case {
  const char* name;
  void (*host)(X87Regs*);
  const uint8_t* begin;
  const uint8_t* end;
};
#define X87_CASE(name) \
  X87Case { #name, nv_x87_##name, nv_xbegin_##name, nv_xend_##name }

X87_INSN(fadd_st0_st1, "fadd st, st(1)")
X87_INSN(fadd_st2_st0, "fadd st(2), st")
X87_INSN(faddp, "faddp st(1), st")
X87_INSN(fadd_m32, "fadd dword ptr [rsi]")
X87_INSN(fadd_m64, "fadd qword ptr [rsi]")
X87_INSN(fiadd_m16, "fiadd word ptr [rsi]")
X87_INSN(fiadd_m32, "fiadd dword ptr [rsi]")
X87_INSN(fsub_st0_st1, "fsub st, st(1)")
X87_INSN(fsub_st2_st0, "fsub st(2), st")
X87_INSN(fsubp, "fsubp st(1), st")
X87_INSN(fsub_m32, "fsub dword ptr [rsi]")
X87_INSN(fsub_m64, "fsub qword ptr [rsi]")
X87_INSN(fisub_m16, "fisub word ptr [rsi]")
X87_INSN(fisub_m32, "fisub dword ptr [rsi]")
X87_INSN(fsubr_st0_st1, "fsubr st, st(1)")
X87_INSN(fsubr_st2_st0, "fsubr st(2), st")
X87_INSN(fsubrp, "fsubrp st(1), st")
X87_INSN(fsubr_m32, "fsubr dword ptr [rsi]")
X87_INSN(fsubr_m64, "fsubr qword ptr [rsi]")
X87_INSN(fisubr_m16, "fisubr word ptr [rsi]")
X87_INSN(fisubr_m32, "fisubr dword ptr [rsi]")
X87_INSN(fmul_st0_st1, "fmul st, st(1)")
X87_INSN(fmul_st2_st0, "fmul st(2), st")
X87_INSN(fmulp, "fmulp st(1), st")
X87_INSN(fmul_m32, "fmul dword ptr [rsi]")
X87_INSN(fmul_m64, "fmul qword ptr [rsi]")
X87_INSN(fimul_m16, "fimul word ptr [rsi]")
X87_INSN(fimul_m32, "fimul dword ptr [rsi]")
X87_INSN(fdiv_st0_st1, "fdiv st, st(1)")
X87_INSN(fdiv_st2_st0, "fdiv st(2), st")
X87_INSN(fdivp, "fdivp st(1), st")
X87_INSN(fdiv_m32, "fdiv dword ptr [rsi]")
X87_INSN(fdiv_m64, "fdiv qword ptr [rsi]")
X87_INSN(fidiv_m16, "fidiv word ptr [rsi]")
X87_INSN(fidiv_m32, "fidiv dword ptr [rsi]")
X87_INSN(fdivr_st0_st1, "fdivr st, st(1)")
X87_INSN(fdivr_st2_st0, "fdivr st(2), st")
X87_INSN(fdivrp, "fdivrp st(1), st")
X87_INSN(fdivr_m32, "fdivr dword ptr [rsi]")
X87_INSN(fdivr_m64, "fdivr qword ptr [rsi]")
X87_INSN(fidivr_m16, "fidivr word ptr [rsi]")
X87_INSN(fidivr_m32, "fidivr dword ptr [rsi]")
X87_INSN(fld_m32, "fld dword ptr [rsi]")
X87_INSN(fld_m64, "fld qword ptr [rsi]")
X87_INSN(fld_m80, "fld tbyte ptr [rsi]")
X87_INSN(fld_st3, "fld st(3)")
X87_INSN(fild_m16, "fild word ptr [rsi]")
X87_INSN(fild_m32, "fild dword ptr [rsi]")
X87_INSN(fild_m64, "fild qword ptr [rsi]")
X87_INSN(fld1, "fld1")
X87_INSN(fldl2t, "fldl2t")
X87_INSN(fldl2e, "fldl2e")
X87_INSN(fldpi, "fldpi")
X87_INSN(fldlg2, "fldlg2")
X87_INSN(fldln2, "fldln2")
X87_INSN(fldz, "fldz")
X87_INSN(fst_m32, "fst dword ptr [rsi]")
X87_INSN(fst_m64, "fst qword ptr [rsi]")
X87_INSN(fstp_m32, "fstp dword ptr [rsi]")
X87_INSN(fstp_m64, "fstp qword ptr [rsi]")
X87_INSN(fstp_m80, "fstp tbyte ptr [rsi]")
X87_INSN(fst_st3, "fst st(3)")
X87_INSN(fstp_st2, "fstp st(2)")
X87_INSN(fist_m16, "fist word ptr [rsi]")
X87_INSN(fist_m32, "fist dword ptr [rsi]")
X87_INSN(fistp_m16, "fistp word ptr [rsi]")
X87_INSN(fistp_m32, "fistp dword ptr [rsi]")
X87_INSN(fistp_m64, "fistp qword ptr [rsi]")
X87_INSN(fisttp_m16, "fisttp word ptr [rsi]")
X87_INSN(fisttp_m32, "fisttp dword ptr [rsi]")
X87_INSN(fisttp_m64, "fisttp qword ptr [rsi]")
X87_INSN(fcom_st1, "fcom st(1)")
X87_INSN(fcomp_st2, "fcomp st(2)")
X87_INSN(fcompp, "fcompp")
X87_INSN(fucom_st1, "fucom st(1)")
X87_INSN(fucomp_st3, "fucomp st(3)")
X87_INSN(fucompp, "fucompp")
X87_INSN(fcom_m32, "fcom dword ptr [rsi]")
X87_INSN(fcomp_m64, "fcomp qword ptr [rsi]")
X87_INSN(ficom_m16, "ficom word ptr [rsi]")
X87_INSN(ficomp_m32, "ficomp dword ptr [rsi]")
X87_INSN(fcomi, "fcomi st, st(1)")
X87_INSN(fcomip, "fcomip st, st(2)")
X87_INSN(fucomi, "fucomi st, st(1)")
X87_INSN(fucomip, "fucomip st, st(3)")
X87_INSN(ftst, "ftst")
X87_INSN(fxam, "fxam")
X87_INSN(fchs, "fchs")
X87_INSN(fabs, "fabs")
X87_INSN(fsqrt, "fsqrt")
X87_INSN(frndint, "frndint")
X87_INSN(fscale, "fscale")
X87_INSN(fprem, "fprem")
X87_INSN(fprem1, "fprem1")
X87_INSN(f2xm1, "f2xm1")
X87_INSN(fsin, "fsin")
X87_INSN(fcos, "fcos")
X87_INSN(fxch, "fxch st(3)")
X87_INSN(ffree, "ffree st(2)")
X87_INSN(ffreep, ".byte 0xdf, 0xc2")  // FFREEP ST(2)
X87_INSN(fincstp, "fincstp")
X87_INSN(fdecstp, "fdecstp")
X87_INSN(fnop, "fnop")
X87_INSN(fcmovb, "fcmovb st, st(1)")
X87_INSN(fcmove, "fcmove st, st(2)")
X87_INSN(fcmovbe, "fcmovbe st, st(1)")
X87_INSN(fcmovu, "fcmovu st, st(1)")
X87_INSN(fcmovnb, "fcmovnb st, st(1)")
X87_INSN(fcmovne, "fcmovne st, st(1)")
X87_INSN(fcmovnbe, "fcmovnbe st, st(3)")
X87_INSN(fcmovnu, "fcmovnu st, st(1)")
X87_INSN(fnstsw, "fnstsw ax")
X87_INSN(fnclex, "fnclex")
X87_INSN(fninit, "fninit")
X87_INSN(fpatan, "fpatan")
X87_INSN(fyl2x, "fyl2x")
X87_INSN(fyl2xp1, "fyl2xp1")
X87_INSN(fptan, "fptan")
X87_INSN(fsincos, "fsincos")
X87_INSN(fxtract, "fxtract")
X87_INSN(fbld, "fbld tbyte ptr [rsi]")
X87_INSN(fbstp, "fbstp tbyte ptr [rsi]")

const X87Case kX87Cases[] = {
    X87_CASE(fpatan),
    X87_CASE(fyl2x),
    X87_CASE(fyl2xp1),
    X87_CASE(fptan),
    X87_CASE(fsincos),
    X87_CASE(fxtract),
    X87_CASE(fbld),
    X87_CASE(fbstp),
    X87_CASE(fadd_st0_st1),
    X87_CASE(fadd_st2_st0),
    X87_CASE(faddp),
    X87_CASE(fadd_m32),
    X87_CASE(fadd_m64),
    X87_CASE(fiadd_m16),
    X87_CASE(fiadd_m32),
    X87_CASE(fsub_st0_st1),
    X87_CASE(fsub_st2_st0),
    X87_CASE(fsubp),
    X87_CASE(fsub_m32),
    X87_CASE(fsub_m64),
    X87_CASE(fisub_m16),
    X87_CASE(fisub_m32),
    X87_CASE(fsubr_st0_st1),
    X87_CASE(fsubr_st2_st0),
    X87_CASE(fsubrp),
    X87_CASE(fsubr_m32),
    X87_CASE(fsubr_m64),
    X87_CASE(fisubr_m16),
    X87_CASE(fisubr_m32),
    X87_CASE(fmul_st0_st1),
    X87_CASE(fmul_st2_st0),
    X87_CASE(fmulp),
    X87_CASE(fmul_m32),
    X87_CASE(fmul_m64),
    X87_CASE(fimul_m16),
    X87_CASE(fimul_m32),
    X87_CASE(fdiv_st0_st1),
    X87_CASE(fdiv_st2_st0),
    X87_CASE(fdivp),
    X87_CASE(fdiv_m32),
    X87_CASE(fdiv_m64),
    X87_CASE(fidiv_m16),
    X87_CASE(fidiv_m32),
    X87_CASE(fdivr_st0_st1),
    X87_CASE(fdivr_st2_st0),
    X87_CASE(fdivrp),
    X87_CASE(fdivr_m32),
    X87_CASE(fdivr_m64),
    X87_CASE(fidivr_m16),
    X87_CASE(fidivr_m32),
    X87_CASE(fld_m32),
    X87_CASE(fld_m64),
    X87_CASE(fld_m80),
    X87_CASE(fld_st3),
    X87_CASE(fild_m16),
    X87_CASE(fild_m32),
    X87_CASE(fild_m64),
    X87_CASE(fld1),
    X87_CASE(fldl2t),
    X87_CASE(fldl2e),
    X87_CASE(fldpi),
    X87_CASE(fldlg2),
    X87_CASE(fldln2),
    X87_CASE(fldz),
    X87_CASE(fst_m32),
    X87_CASE(fst_m64),
    X87_CASE(fstp_m32),
    X87_CASE(fstp_m64),
    X87_CASE(fstp_m80),
    X87_CASE(fst_st3),
    X87_CASE(fstp_st2),
    X87_CASE(fist_m16),
    X87_CASE(fist_m32),
    X87_CASE(fistp_m16),
    X87_CASE(fistp_m32),
    X87_CASE(fistp_m64),
    X87_CASE(fisttp_m16),
    X87_CASE(fisttp_m32),
    X87_CASE(fisttp_m64),
    X87_CASE(fcom_st1),
    X87_CASE(fcomp_st2),
    X87_CASE(fcompp),
    X87_CASE(fucom_st1),
    X87_CASE(fucomp_st3),
    X87_CASE(fucompp),
    X87_CASE(fcom_m32),
    X87_CASE(fcomp_m64),
    X87_CASE(ficom_m16),
    X87_CASE(ficomp_m32),
    X87_CASE(fcomi),
    X87_CASE(fcomip),
    X87_CASE(fucomi),
    X87_CASE(fucomip),
    X87_CASE(ftst),
    X87_CASE(fxam),
    X87_CASE(fchs),
    X87_CASE(fabs),
    X87_CASE(fsqrt),
    X87_CASE(frndint),
    X87_CASE(fscale),
    X87_CASE(fprem),
    X87_CASE(fprem1),
    X87_CASE(f2xm1),
    X87_CASE(fsin),
    X87_CASE(fcos),
    X87_CASE(fxch),
    X87_CASE(ffree),
    X87_CASE(ffreep),
    X87_CASE(fincstp),
    X87_CASE(fdecstp),
    X87_CASE(fnop),
    X87_CASE(fcmovb),
    X87_CASE(fcmove),
    X87_CASE(fcmovbe),
    X87_CASE(fcmovu),
    X87_CASE(fcmovnb),
    X87_CASE(fcmovne),
    X87_CASE(fcmovnbe),
    X87_CASE(fcmovnu),
    X87_CASE(fnstsw),
    X87_CASE(fnclex),
    X87_CASE(fninit),
};

GUEST_CODE(x87_frstor, "  frstor [rdi]\n")
GUEST_CODE(x87_fnsave, "  fnsave [rdi]\n")

struct Ext {
  uint64_t mant;
  uint16_t se;
};
const Ext kExtended[] = {
    {0, 0},                                  // +0
    {0, 0x8000},                             // -0
    {1ull << 63, 0x3fff},                    // 1
    {0xc000000000000000, 0xbfff},            // -1.5
    {0xa000000000000000, 0x4000},            // 2.5
    {0xc90fdaa22168c235, 0x4000},            // pi
    {0x8000000000000001, 0x3fff},            // 1 + ulp
    {1ull << 63, 0x3ffe},                    // 0.5
    {0xffff000000000000, 0x400d},            // 32767.5
    {1ull << 63, 0x400e},                    // 2^15
    {1ull << 63, 0xc01e},                    // -2^31
    {1ull << 63, 0x403e},                    // 2^63
    {0xfffffffffffff800, 0x403d},            // just below 2^63
    {0xffffff8000000000, 0x407e},            // FLT_MAX + half an ulp
    {~0ull, 0x7ffe},                         // largest
    {1ull << 63, 0x0001},                    // smallest normal
    {1, 0},                                  // denormal
    {0x4000000000000000, 0x8000},            // -denormal
    {1ull << 63, 0x7fff},                    // +inf
    {1ull << 63, 0xffff},                    // -inf
    {0xc000000000000000, 0x7fff},            // QNaN
    {0xa000000000000000, 0xffff},            // SNaN
    {0x4000000000000000, 0x3fff},            // unnormal (unsupported)
    {0x8000000000012345, 0x7000},            // huge
    {0x8000000000000000, 0x0100},            // tiny
    {0xaaaaaaaaaaaaaaab, 0x3ffd},            // 1/3-ish
};
const uint64_t kMemory[] = {0x3f8000003fc00000, 0x7f8000017fc00000, 0x00000001807fffff, 0x4004000000000000,
                            0x7ff0000000000001, 0x000fffffffffffff, 0xc1e0000000000000, 0x0000000000007fff,
                            0x0000000080000000, 0x8000000000000000, 0xffffffffffff8000, 0x3fd5555555555555};

Ext random_ext(std::mt19937_64& rng) {
  if (rng() % 4) return kExtended[rng() % std::size(kExtended)];
  return {rng() | (1ull << 63), static_cast<uint16_t>(0x3fc0 + rng() % 0x80 + (rng() % 2 ? 0x8000 : 0))};
}

X87Regs random_input(std::mt19937_64& rng) {
  X87Regs in{};
  static const uint16_t kPc[] = {0, 2, 3};
  uint16_t fcw = static_cast<uint16_t>(0x1040 | (kPc[rng() % 3] << 8) | ((rng() % 4) << 10) | 0x3f);
  if (rng() % 4 == 0) fcw &= static_cast<uint16_t>(~(rng() & 0x3f));  // some exceptions unmasked
  uint16_t fsw = static_cast<uint16_t>(((rng() % 8) << 11) | (rng() & 0x4700));
  uint16_t ftw = 0;
  if (rng() % 4 == 0) ftw = static_cast<uint16_t>(0xc000 >> (2 * (rng() % 8)) | 0x3 << (2 * (rng() % 8)));
  std::memcpy(in.image + 0, &fcw, 2);
  std::memcpy(in.image + 4, &fsw, 2);
  std::memcpy(in.image + 8, &ftw, 2);
  for (unsigned k = 0; k < 8; ++k) {
    Ext e = random_ext(rng);
    std::memcpy(in.image + 28 + 10 * k, &e.mant, 8);
    std::memcpy(in.image + 36 + 10 * k, &e.se, 2);
  }
  switch (rng() % 3) {
    case 0: {
      Ext e = random_ext(rng);
      in.mem[0] = e.mant;
      in.mem[1] = e.se;
      break;
    }
    case 1: in.mem[0] = kMemory[rng() % std::size(kMemory)]; break;
    default: in.mem[0] = rng() % 2 ? rng() : rng() % 70000; break;
  }
  in.flags = 0x2 | (rng() & rflags::kArith);
  in.rax = rng();
  return in;
}

std::string hex(const uint8_t* p, size_t n) {
  std::string s;
  char b[4];
  for (size_t k = 0; k < n; ++k) {
    std::snprintf(b, sizeof b, "%02x", p[n - 1 - k]);
    s += b;
  }
  return s;
}

TEST(CpuX87, MatchesHost) {
  CpuHarness h;
  h.install_long_mode_tables();
  std::vector<uint8_t> pre = GUEST_BYTES(x87_frstor), post = GUEST_BYTES(x87_fnsave);
  std::mt19937_64 rng(3);
  for (const X87Case& c : kX87Cases) {
    std::vector<uint8_t> code = pre;
    code.insert(code.end(), c.begin, c.end);
    code.insert(code.end(), post.begin(), post.end());
    for (unsigned it = 0; it < 200; ++it) {
      X87Regs in = random_input(rng);
      X87Regs host = in;
      c.host(&host);

      VcpuState& s = h.s();
      h.memory.write(CpuHarness::kDataAddr, &in, sizeof in);
      s.gpr[kRdi] = CpuHarness::kDataAddr;
      s.gpr[kRsi] = CpuHarness::kDataAddr + 112;
      s.gpr[kRax] = in.rax;
      s.gpr[kRsp] = CpuHarness::kStackTop;
      h.cpu->set_rflags(static_cast<uint32_t>(in.flags));
      h.load(code);
      h.run(100);
      X87Regs guest;
      h.memory.read(CpuHarness::kDataAddr, &guest, sizeof guest);
      std::string ctx = std::string(c.name) + " fcw=" + hex(in.image, 2) + " fsw=" + hex(in.image + 4, 2) +
                        " ftw=" + hex(in.image + 8, 2) + " st(top..)=";
      for (unsigned k = 0; k < 4; ++k) ctx += hex(in.image + 28 + 10 * k, 10) + " ";
      ctx += "mem=" + hex(reinterpret_cast<const uint8_t*>(in.mem), 16);
      ASSERT_EQ(s.rip, CpuHarness::kCodeAddr + code.size() + 1) << ctx << ": vector " << h.delivered_vector();
      EXPECT_EQ(hex(guest.image, 2), hex(host.image, 2)) << ctx << " (FCW)";
      EXPECT_EQ(hex(guest.image + 4, 2), hex(host.image + 4, 2)) << ctx << " (FSW)";
      EXPECT_EQ(hex(guest.image + 8, 2), hex(host.image + 8, 2)) << ctx << " (FTW)";
      for (unsigned k = 0; k < 8; ++k)
        EXPECT_EQ(hex(guest.image + 28 + 10 * k, 10), hex(host.image + 28 + 10 * k, 10)) << ctx << " (ST" << k << ")";
      EXPECT_EQ(hex(reinterpret_cast<uint8_t*>(guest.mem), 16), hex(reinterpret_cast<uint8_t*>(host.mem), 16))
          << ctx << " (memory)";
      EXPECT_EQ(h.cpu->rflags() & rflags::kArith, host.flags & rflags::kArith) << ctx << " (EFLAGS)";
      EXPECT_EQ(s.gpr[kRax], host.rax) << ctx << " (RAX)";
      if (::testing::Test::HasFailure()) return;
    }
  }
}

GUEST_CODE(x87_pending_mf, "  fninit\n  fldcw [rdi]\n  fldz\n  fldz\n  fdivp st(1), st\n  fnstsw ax\n  fld1\n")

// Vol. 1 §8.7: an unmasked exception leaves the operands alone and sets
// ES/B; the next waiting instruction raises #MF (CR0.NE = 1), FNSTSW does not.
TEST(CpuX87, UnmaskedExceptionIsReportedAtTheNextWaitingInstruction) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.s().cr0 |= 1ull << 5;  // NE
  h.memory.write_obj<uint16_t>(CpuHarness::kDataAddr, 0x37e);  // IM clear
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  h.load(GUEST_BYTES(x87_pending_mf));
  h.run(100);
  EXPECT_EQ(h.delivered_vector(), vec::kMF);
  uint16_t fsw = static_cast<uint16_t>(h.s().gpr[kRax]);
  EXPECT_EQ(fsw & 0x80ff, 0x8081);        // B, ES, IE
  EXPECT_EQ((fsw >> 11) & 7, 6u);         // not popped: two registers in use
  EXPECT_EQ(h.s().ftw, 0xc0);
}

GUEST_CODE(x87_env_round_trip,
           "  fninit\n  fld1\n  fldpi\n  fnstenv [rdi]\n  fnstcw [rdi+32]\n  fldenv [rdi]\n  fnstcw [rdi+34]\n"
           "  fstp tbyte ptr [rdi+48]\n  fnsave [rdi+64]\n")

// FNSTENV: FCW, FSW (TOP = 6), the full tag word (ST0, ST1 valid, the rest
// empty), then all exceptions masked; FLDENV restores; FNSAVE stores ST(i) in
// stack order and reinitialises.
TEST(CpuX87, EnvironmentImages) {
  CpuHarness h;
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  h.load(GUEST_BYTES(x87_env_round_trip));
  ASSERT_EQ(h.run(100), Cpu::Exit::halted);
  auto at = [&](uint64_t off) { return h.memory.read_obj<uint16_t>(CpuHarness::kDataAddr + off); };
  EXPECT_EQ(at(0), 0x37f);
  EXPECT_EQ((at(4) >> 11) & 7, 6);
  EXPECT_EQ(at(8), 0x0fff);
  EXPECT_EQ(at(32), 0x37f);
  EXPECT_EQ(at(34), 0x37f);
  EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kDataAddr + 48), 0xc90fdaa22168c235u);  // pi
  EXPECT_EQ(at(64 + 8), 0x3fff);                                                              // one valid register
  EXPECT_EQ(h.memory.read_obj<uint64_t>(CpuHarness::kDataAddr + 64 + 28), 1ull << 63);       // ST0 = 1.0
  EXPECT_EQ(h.s().fcw, 0x37f);
  EXPECT_EQ(h.s().ftw, 0);
}

GUEST_CODE(x87_fld1, "  fld1\n")

TEST(CpuX87, DeviceNotAvailable) {
  CpuHarness h;
  h.install_long_mode_tables();
  h.s().cr0 |= 1ull << 3;  // TS
  h.load(GUEST_BYTES(x87_fld1));
  h.run(100);
  EXPECT_EQ(h.delivered_vector(), vec::kNM);
}

}  // namespace
}  // namespace nv::test
