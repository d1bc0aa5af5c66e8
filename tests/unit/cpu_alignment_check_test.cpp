// Alignment checking (SDM Vol. 3A §6.15, Table 6-7): with CR0.AM = 1,
// EFLAGS.AC = 1 and CPL 3, a data reference not aligned to its size is #AC(0),
// a fault. Supervisor code, implicit descriptor-table accesses and accesses
// with AM or AC clear are not checked.
#include "cpu_test_support.h"

#include <gtest/gtest.h>

namespace nv::test {
namespace {

constexpr uint64_t kCr0Am = 1ull << 18;
constexpr uint64_t kData = CpuHarness::kDataAddr;

// IRETQ to CPL 3 (CS 0x1b, SS 0x23, RSP 0x50000) with RFLAGS = FLAGS, then
// the user-mode code that follows.
#define TO_USER(flags)                                                                              \
  "  push 0x23\n  push 0x50000\n  push " flags "\n  push 0x1b\n  lea rcx, [rip+1f]\n  push rcx\n" \
  "  iretq\n1:"

struct AlignmentHarness : CpuHarness {
  AlignmentHarness() {
    install_long_mode_tables();
    s().cr0 |= kCr0Am;
    memory.write_obj<uint64_t>(kData, 0x0807060504030201ull);
    memory.write_obj<uint64_t>(kData + 8, 0x100f0e0d0c0b0a09ull);
  }
  // Runs `code`; the #AC stub stops it.
  int run_code(const std::vector<uint8_t>& code) {
    load(code);
    EXPECT_EQ(run(), Cpu::Exit::halted);
    return delivered_vector();
  }
};

GUEST_CODE(ac_load_user, TO_USER("0x40002") "  mov ebx, 7\n  mov eax, [0x100001]\n  mov ebx, 8\n  int 0x80\n")

TEST(CpuAlignmentCheck, MisalignedLoadAtCpl3IsAFaultWithErrorCodeZero) {
  AlignmentHarness h;
  h.s().gpr[kRax] = 0x55;
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_load_user)), vec::kAC);
  EXPECT_EQ(h.stack(0), 0u);     // error code
  EXPECT_EQ(h.stack(2), 0x1bu);  // from CPL 3
  // A fault: the saved RIP is the MOV's, which changed nothing.
  const uint64_t saved_rip = h.stack(1);
  EXPECT_EQ(h.memory.read_obj<uint8_t>(saved_rip), 0x8b);  // MOV r32, r/m32
  EXPECT_EQ(h.s().gpr[kRbx], 7u);
  EXPECT_EQ(h.s().gpr[kRax], 0x55u);
}

TEST(CpuAlignmentCheck, NoCheckWithoutCr0Am) {
  AlignmentHarness h;
  h.s().cr0 &= ~kCr0Am;
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_load_user)), 0x80);
  EXPECT_EQ(h.s().gpr[kRax], 0x05040302u);
  EXPECT_EQ(h.s().gpr[kRbx], 8u);
}

GUEST_CODE(ac_load_user_no_ac, TO_USER("0x2") "  mov eax, [0x100001]\n  int 0x80\n")

TEST(CpuAlignmentCheck, NoCheckWithoutEflagsAc) {
  AlignmentHarness h;
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_load_user_no_ac)), 0x80);
  EXPECT_EQ(h.s().gpr[kRax], 0x05040302u);
}

GUEST_CODE(ac_load_kernel,
           "  push 0x40002\n  popfq\n  mov eax, [0x100001]\n  mov rbx, [0x100003]\n  int 0x80\n")

TEST(CpuAlignmentCheck, NoCheckAtCpl0) {
  AlignmentHarness h;
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_load_kernel)), 0x80);
  EXPECT_EQ(h.s().gpr[kRax], 0x05040302u);
  EXPECT_EQ(h.s().gpr[kRbx], 0x0b0a090807060504u);
}

// Aligned operands of each size, and bytes anywhere, pass.
GUEST_CODE(ac_aligned_user, TO_USER("0x40002")
           "  mov al, [0x100003]\n  mov bx, [0x100002]\n  mov ecx, [0x100004]\n  mov rdx, [0x100008]\n"
           "  mov byte ptr [0x100001], 0xaa\n  push rax\n  pop rax\n  int 0x80\n")

TEST(CpuAlignmentCheck, AlignedOperandsPass) {
  AlignmentHarness h;
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_aligned_user)), 0x80);
  EXPECT_EQ(h.s().gpr[kRax] & 0xff, 0x04u);
  EXPECT_EQ(h.s().gpr[kRbx] & 0xffff, 0x0403u);
  EXPECT_EQ(h.s().gpr[kRcx], 0x08070605u);
  EXPECT_EQ(h.s().gpr[kRdx], 0x100f0e0d0c0b0a09ull);
  EXPECT_EQ(h.memory.read_obj<uint8_t>(kData + 1), 0xaa);
}

// The first misaligned load runs with AC clear; POPF then sets AC at CPL 3,
// and the same load (its page now in the fast-path cache) faults.
GUEST_CODE(ac_popf_user, TO_USER("0x2")
           "  mov eax, [0x100002]\n  pushfq\n  or dword ptr [rsp], 0x40000\n  popfq\n"
           "  mov ebx, 1\n  mov edx, [0x100002]\n  int 0x80\n")

TEST(CpuAlignmentCheck, PopfSettingAcEnablesTheCheck) {
  AlignmentHarness h;
  h.s().gpr[kRdx] = 0x77;
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_popf_user)), vec::kAC);
  EXPECT_EQ(h.s().gpr[kRax], 0x06050403u);
  EXPECT_EQ(h.s().gpr[kRbx], 1u);
  EXPECT_EQ(h.s().gpr[kRdx], 0x77u);
  EXPECT_TRUE(h.stack(3) & rflags::kAC);  // the saved RFLAGS
}

GUEST_CODE(ac_store_user, TO_USER("0x40002") "  mov word ptr [0x100005], 0xbeef\n  int 0x80\n")

TEST(CpuAlignmentCheck, MisalignedStoreFaultsBeforeWriting) {
  AlignmentHarness h;
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_store_user)), vec::kAC);
  EXPECT_EQ(h.memory.read_obj<uint64_t>(kData), 0x0807060504030201ull);
}

// A misaligned operand crossing a page is #AC, not a split access.
GUEST_CODE(ac_page_cross_user, TO_USER("0x40002") "  mov rax, [0x100ffc]\n  int 0x80\n")

TEST(CpuAlignmentCheck, PageCrossingOperandFaults) {
  AlignmentHarness h;
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_page_cross_user)), vec::kAC);
}

// Stack references are data references: a PUSH with a misaligned RSP.
GUEST_CODE(ac_push_user, TO_USER("0x40002") "  sub rsp, 2\n  push rax\n  int 0x80\n")

TEST(CpuAlignmentCheck, MisalignedStackPushFaults) {
  AlignmentHarness h;
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_push_user)), vec::kAC);
  EXPECT_EQ(h.stack(4), 0x50000u - 2);  // the user RSP, unchanged by the faulting PUSH
}

// String instructions check each element: MOVSW from an odd address.
GUEST_CODE(ac_movsw_user, TO_USER("0x40002")
           "  mov esi, 0x100001\n  mov edi, 0x100010\n  mov ecx, 2\n  rep movsw\n  int 0x80\n")

TEST(CpuAlignmentCheck, StringElementsAreChecked) {
  AlignmentHarness h;
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_movsw_user)), vec::kAC);
  EXPECT_EQ(h.s().gpr[kRcx], 2u);
}

// A far pointer is accessed in parts, each aligned by its own size (Table
// 6-7: a 48-bit pointer needs 4): offset at +4 and selector at +8 pass; the
// same pointer at +2 puts the 32-bit offset off its alignment.
GUEST_CODE(ac_far_pointer_user, TO_USER("0x40002")
           "  lfs eax, fword ptr [0x100004]\n  mov ebx, 1\n  lgs ecx, fword ptr [0x100002]\n  int 0x80\n")

TEST(CpuAlignmentCheck, FarPointerPartsAreCheckedBySize) {
  AlignmentHarness h;
  h.memory.write_obj<uint16_t>(kData + 8, 0x23);  // the selector of the pointer at +4
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_far_pointer_user)), vec::kAC);
  EXPECT_EQ(h.s().gpr[kRbx], 1u);
  EXPECT_EQ(h.s().seg[kFs].selector, 0x23);
  EXPECT_EQ(h.s().gpr[kRax], 0x08070605u);
}

// Descriptor loads are implicit supervisor accesses (§6.15): a GDT at an odd
// address loads DS at CPL 3 without #AC.
GUEST_CODE(ac_descriptor_user, TO_USER("0x40002") "  mov ax, 0x23\n  mov ds, ax\n  int 0x80\n")

TEST(CpuAlignmentCheck, DescriptorTableAccessesAreNotChecked) {
  AlignmentHarness h;
  constexpr uint64_t kOddGdt = 0x2801;
  std::vector<uint8_t> gdt(h.s().gdtr.limit + 1);
  h.memory.read(CpuHarness::kGdt, gdt.data(), gdt.size());
  h.memory.write(kOddGdt, gdt.data(), gdt.size());
  h.s().gdtr.base = kOddGdt;
  ASSERT_EQ(h.run_code(GUEST_BYTES(ac_descriptor_user)), 0x80);
  EXPECT_EQ(h.s().gpr[kRax] & 0xffff, 0x23u);
}

}  // namespace
}  // namespace nv::test
