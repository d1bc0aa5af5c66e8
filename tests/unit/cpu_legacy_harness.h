// A 32-bit protected-mode CpuHarness (paging off) for the privilege-change
// tests: a GDT with flat code and data at DPL 0, 1 and 3, a busy 32-bit TSS
// with stacks for rings 0 and 1, and an IDT of 32-bit interrupt gates (DPL 3)
// to the HLT stubs of CpuHarness::handler(v).
#pragma once

#include "cpu_test_support.h"

#include <cstdint>
#include <vector>

namespace nv::test {

// A 32-bit TSS (SDM Vol. 3A §8.2.1, Figure 8-2).
struct Tss32 {
  uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
  uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
  uint32_t es, cs, ss, ds, fs, gs, ldt;
  uint16_t t_flag, iomap;
};
static_assert(sizeof(Tss32) == 0x68);

// A system-segment or gate descriptor (Vol. 3A Figure 3-8, Figure 5-8).
constexpr uint64_t system_desc(uint64_t base, uint32_t limit, unsigned type, unsigned dpl = 0, bool present = true) {
  return (limit & 0xffff) | ((base & 0xffffff) << 16) | (static_cast<uint64_t>(type) << 40) |
         (static_cast<uint64_t>(dpl) << 45) | (present ? 1ull << 47 : 0) |
         (static_cast<uint64_t>((limit >> 16) & 0xf) << 48) | ((base >> 24) << 56);
}
// A 16-bit (type 4), 32-bit or 64-bit (type 0CH) call gate's low 8 bytes, or
// a 32-bit interrupt (0EH) or trap (0FH) gate.
constexpr uint64_t gate_desc(uint16_t cs, uint64_t offset, unsigned type, unsigned dpl, unsigned params = 0,
                             bool present = true) {
  return (offset & 0xffff) | (static_cast<uint64_t>(cs) << 16) | (static_cast<uint64_t>(params) << 32) |
         (static_cast<uint64_t>(type) << 40) | (static_cast<uint64_t>(dpl) << 45) | (present ? 1ull << 47 : 0) |
         (((offset >> 16) & 0xffff) << 48);
}

// 32-bit ring-0 protected mode with flat code and data segments `code` and
// `data`, paging off, the GDT/IDT at CpuHarness::kGdt/kIdt and TR = `tr`
// (busy 32-bit TSS of limit 0x67 at `tss`).
inline void enter_flat_protected_mode(CpuHarness& h, uint16_t code, uint16_t data, unsigned gdt_entries, uint16_t tr,
                                      uint64_t tss) {
  VcpuState& st = h.s();
  st.gdtr = {CpuHarness::kGdt, gdt_entries * 8 - 1};
  st.idtr = {CpuHarness::kIdt, 256 * 8 - 1};
  for (SegmentCache& sc : st.seg) sc = {0, 0xffffffff, data, 0xc093};
  st.seg[kCs] = {0, 0xffffffff, code, 0xc09b};
  st.tr = {tss, 0x67, tr, 0x8b};
  st.efer = 0;
  h.cpu->update_mode();
}

struct LegacyHarness : CpuHarness {
  static constexpr uint16_t kCode0 = 0x08, kData0 = 0x10, kCode3 = 0x1b, kData3 = 0x23, kTssSel = 0x28;
  static constexpr uint16_t kCode1 = 0x31, kData1 = 0x39;
  static constexpr uint16_t kFree = 0x40;  // the first GDT entry the tests fill
  static constexpr unsigned kGdtEntries = 32;
  static constexpr uint64_t kStack0 = 0x70000, kStack1 = 0x68000;

  LegacyHarness() {
    const uint64_t gdt[] = {0,
                            0x00cf9b000000ffff,  // 0x08 code, DPL 0
                            0x00cf93000000ffff,  // 0x10 data, DPL 0
                            0x00cffb000000ffff,  // 0x18 code, DPL 3
                            0x00cff3000000ffff,  // 0x20 data, DPL 3
                            system_desc(kTss, 0x67, 0xb),
                            0x00cfbb000000ffff,   // 0x30 code, DPL 1
                            0x00cfb3000000ffff};  // 0x38 data, DPL 1
    memory.write(kGdt, gdt, sizeof gdt);
    for (unsigned v = 0; v < 256; ++v) set_idt(v, gate_desc(kCode0, handler(v), 0xe, 3));
    uint8_t stub[16] = {0xf4};
    for (unsigned v = 0; v < 256; ++v) memory.write(handler(v), stub, sizeof stub);
    Tss32 tss{};
    tss.esp0 = kStack0;
    tss.ss0 = kData0;
    tss.esp1 = kStack1;
    tss.ss1 = kData1;
    memory.write_obj(kTss, tss);
    enter_flat_protected_mode(*this, kCode0, kData0, kGdtEntries, kTssSel, kTss);
  }

  // Flat ring-3 code and data, as after an IRET to user mode.
  void enter_ring3() {
    VcpuState& st = s();
    for (SegmentCache& sc : st.seg) sc = {0, 0xffffffff, kData3, 0xc0f3};
    st.seg[kCs] = {0, 0xffffffff, kCode3, 0xc0fb};
    st.cpl = 3;
    cpu->update_mode();
  }
  void set_gdt(uint16_t sel, uint64_t d) { memory.write_obj(kGdt + (sel & 0xfff8), d); }
  void set_idt(unsigned v, uint64_t gate) { memory.write_obj(kIdt + v * 8, gate); }
  Tss32 tss() { return memory.read_obj<Tss32>(kTss); }
  void set_tss(const Tss32& t) { memory.write_obj(kTss, t); }
  void put_code(const std::vector<uint8_t>& bytes, uint64_t at) {
    memory.write(at, bytes.data(), bytes.size());
    code.invalidate_code_page(at);
  }
  // The 16- or 32-bit stack slot `slot` above SS:ESP.
  uint32_t stack32(unsigned slot) { return memory.read_obj<uint32_t>(stack_at(4 * slot)); }
  uint16_t stack16(unsigned slot) { return memory.read_obj<uint16_t>(stack_at(2 * slot)); }
  uint64_t stack_at(unsigned offset) {
    return s().seg[kSs].base + ((s().gpr[kRsp] + offset) & (s().seg[kSs].db() ? 0xffffffff : 0xffff));
  }
  uint32_t flags() { return cpu->rflags(); }
};

}  // namespace nv::test
