// The decode cache: instructions are decoded once per code page and mode,
// and writes to a page holding cached code (by the CPU itself or through
// invalidate_code_page for device writes) make the new bytes run.
#include "cpu/decoder.h"
#include "cpu_test_support.h"

#include <gtest/gtest.h>

namespace nv::test {
namespace {

GUEST_CODE(counting_loop, "  mov ecx, 1000\n1: add rax, rcx\n  dec ecx\n  jnz 1b\n")

TEST(CpuDecodeCache, RunningAgainDecodesNothing) {
  CpuHarness h;
  h.load(GUEST_BYTES(counting_loop));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  uint64_t decoded = h.code.decoded_count();
  EXPECT_EQ(decoded, 5u);  // four instructions and the HLT, each decoded once for 3000 executions
  h.s().rip = CpuHarness::kCodeAddr;
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.code.decoded_count(), decoded);
  EXPECT_EQ(h.s().gpr[kRax], 2 * 500500u);
}

// Two passes over a 4-byte slot; after the first the code patches the slot
// (already decoded as NOPs) with "inc rax; nop".
GUEST_CODE(self_modifying,
           "  xor eax, eax\n  mov ecx, 2\n"
           "1: nop\n  nop\n  nop\n  nop\n"
           "  mov dword ptr [rip+1b], 0x90c0ff48\n  dec ecx\n  jnz 1b\n")

TEST(CpuDecodeCache, SelfModifyingCodeRunsTheNewBytes) {
  CpuHarness h;
  h.load(GUEST_BYTES(self_modifying));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kRax], 1u);
  EXPECT_GE(h.code.invalidation_count(), 1u);
}

GUEST_CODE(set_value, "  mov eax, 1\n")

TEST(CpuDecodeCache, DeviceWritesInvalidateThroughTheEntryPoint) {
  CpuHarness h;
  h.load(GUEST_BYTES(set_value));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  ASSERT_EQ(h.s().gpr[kRax], 1u);
  // A DMA-style write (not through the CPU) changes the immediate to 2.
  uint8_t two = 2;
  h.memory.write(CpuHarness::kCodeAddr + 1, &two, 1);
  EXPECT_TRUE(h.code.has_code(CpuHarness::kCodeAddr));
  h.s().rip = CpuHarness::kCodeAddr;
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kRax], 1u);  // the cached decode still runs: nobody said the page changed
  h.code.invalidate_code_page(CpuHarness::kCodeAddr + 0x123);
  EXPECT_FALSE(h.code.has_code(CpuHarness::kCodeAddr));
  h.s().rip = CpuHarness::kCodeAddr;
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kRax], 2u);
}

TEST(CpuDecodeCache, DataWritesToOtherPagesKeepTheCode) {
  CpuHarness h;
  // mov [rdi], eax; hlt — RDI points at a data page.
  h.load({0x89, 0x07});
  h.s().gpr[kRdi] = CpuHarness::kDataAddr;
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.code.invalidation_count(), 0u);
  EXPECT_FALSE(h.code.has_code(CpuHarness::kDataAddr));
}

TEST(CpuDecodeCache, InstructionsAcrossAPageBoundaryRun) {
  CpuHarness h;
  // mov rax, imm64 straddling the page end at kCodeAddr + 0x1000.
  uint64_t at = CpuHarness::kCodeAddr + 0x1000 - 4;
  h.load({0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, at);
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.s().gpr[kRax], 0x1122334455667788u);
}

TEST(CpuDecodeCache, TheSameBytesDecodePerMode) {
  // 0x48 is DEC EAX in 32-bit code and a REX.W prefix in 64-bit code, so a
  // page is cached per mode.
  const uint8_t bytes[] = {0x48, 0xff, 0xc0};
  DecodedInsn in32, in64;
  ASSERT_EQ(decode_instruction(CpuMode::prot32, bytes, sizeof bytes, in32), DecodeStatus::ok);
  ASSERT_EQ(decode_instruction(CpuMode::long64, bytes, sizeof bytes, in64), DecodeStatus::ok);
  EXPECT_EQ(in32.length, 1);
  EXPECT_EQ(in64.length, 3);
  EXPECT_EQ(in64.op[0].size, 8);
  CpuHarness h;
  CodePage* p64 = h.code.page(CpuHarness::kCodeAddr, CpuMode::long64);
  CodePage* p32 = h.code.page(CpuHarness::kCodeAddr, CpuMode::prot32);
  EXPECT_NE(p64, p32);
  EXPECT_EQ(h.code.page(CpuHarness::kCodeAddr, CpuMode::long64), p64);
  EXPECT_EQ(h.code.page(64ull << 20, CpuMode::long64), nullptr);  // beyond RAM: not cached
}

TEST(CpuDecodeCache, AnUndefinedEncodingRaisesUd) {
  const uint8_t bytes[] = {0x0f, 0x0b};  // UD2 decodes; 0x06 (PUSH ES) does not exist in 64-bit mode
  DecodedInsn insn;
  EXPECT_EQ(decode_instruction(CpuMode::long64, bytes, sizeof bytes, insn), DecodeStatus::ok);
  const uint8_t push_es[] = {0x06};
  EXPECT_EQ(decode_instruction(CpuMode::long64, push_es, sizeof push_es, insn), DecodeStatus::invalid);
  EXPECT_EQ(decode_instruction(CpuMode::prot32, push_es, sizeof push_es, insn), DecodeStatus::ok);
  const uint8_t partial[] = {0x48, 0xb8, 0x01};
  EXPECT_EQ(decode_instruction(CpuMode::long64, partial, sizeof partial, insn), DecodeStatus::need_more_bytes);
}

// A store into the code page that misses every decoded byte (a variable next
// to the code) keeps the decoded instructions.
GUEST_CODE(data_next_to_code, "  mov ecx, 100\n1: mov dword ptr [rip+2f], ecx\n  dec ecx\n  jnz 1b\n  jmp 3f\n"
                              "2: .long 0\n3: nop\n")

TEST(CpuDecodeCache, DataWrittenNextToCodeKeepsTheCode) {
  CpuHarness h;
  h.load(GUEST_BYTES(data_next_to_code));
  ASSERT_EQ(h.run(), Cpu::Exit::halted);
  EXPECT_EQ(h.code.invalidation_count(), 0u);
  EXPECT_EQ(h.code.ignored_write_count(), 100u);
  EXPECT_TRUE(h.code.has_code(CpuHarness::kCodeAddr));
}

}  // namespace
}  // namespace nv::test
