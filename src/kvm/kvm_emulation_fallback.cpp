#include "kvm/kvm_emulation_fallback.h"

#include <Zydis/Zydis.h>
#include <fmt/format.h>

#include <optional>
#include <string_view>

namespace nv {

namespace {

constexpr uint64_t kCr4OsXsave = 1ull << 18;  // SDM Vol. 3A §2.5

// The instructions the fallback knows, with the CPUID feature (QEMU's name)
// and CR4 bit that make them defined (SDM Vol. 2: each instruction's
// "Protected Mode Exceptions" lists #UD when CPUID.x:y[z] = 0 or the CR4 bit
// is clear), and what to do when they are defined.
struct KnownInstruction {
  ZydisMnemonic mnemonic;
  std::string_view feature;
  uint64_t cr4_bits;
  FallbackDecision::Action when_defined;
};

// Cache-line write-backs and flushes have no architectural effect on a
// coherent memory system beyond their faults, so they complete as no-ops
// (SDM Vol. 2A CLWB, CLFLUSHOPT, CLFLUSH). Their memory operand is not
// checked for faults here: KVM already translated it before giving up.
constexpr KnownInstruction kKnown[] = {
    {ZYDIS_MNEMONIC_CLWB, "clwb", 0, FallbackDecision::Action::skip},
    {ZYDIS_MNEMONIC_CLFLUSHOPT, "clflushopt", 0, FallbackDecision::Action::skip},
    {ZYDIS_MNEMONIC_CLFLUSH, "clflush", 0, FallbackDecision::Action::skip},
    {ZYDIS_MNEMONIC_XGETBV, "xsave", kCr4OsXsave, FallbackDecision::Action::xgetbv},
    {ZYDIS_MNEMONIC_XSETBV, "xsave", kCr4OsXsave, FallbackDecision::Action::xsetbv},
    {ZYDIS_MNEMONIC_INVPCID, "invpcid", 0, FallbackDecision::Action::give_up},
    {ZYDIS_MNEMONIC_RDTSCP, "rdtscp", 0, FallbackDecision::Action::give_up},
    {ZYDIS_MNEMONIC_RDPID, "rdpid", 0, FallbackDecision::Action::give_up},
    {ZYDIS_MNEMONIC_RDPKRU, "pku", 1ull << 22, FallbackDecision::Action::give_up},
    {ZYDIS_MNEMONIC_WRPKRU, "pku", 1ull << 22, FallbackDecision::Action::give_up},
};

bool decode(const FallbackInput& in, ZydisDecodedInstruction& insn) {
  ZydisDecoder decoder;
  switch (in.code_size) {
    case GuestCodeSize::bits64:
      ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
      break;
    case GuestCodeSize::bits32:
      ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32);
      break;
    case GuestCodeSize::bits16:
      ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_COMPAT_16, ZYDIS_STACK_WIDTH_16);
      break;
  }
  return ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&decoder, nullptr, in.bytes.data(), in.bytes.size(), &insn));
}

// INT n, INT3 and INTO whose gate lies beyond the IDT limit fault with
// #GP(vector * 8 + 2), the IDT flag set in the error code (SDM Vol. 3A
// §6.13, "Error Code"; §6.14.1 for 16-byte gates in IA-32e mode). KVM then
// delivers the #GP, and with it the #DF or shutdown that follows when the
// IDT cannot hold those gates either. Real mode has no such check here.
std::optional<FallbackDecision> software_interrupt(const FallbackInput& in, const ZydisDecodedInstruction& insn) {
  unsigned vector;
  switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_INT3:
      vector = 3;
      break;
    case ZYDIS_MNEMONIC_INTO:
      vector = 4;
      break;
    case ZYDIS_MNEMONIC_INT:
      vector = in.bytes[insn.length - 1];  // CD ib: the immediate is the last byte
      break;
    default:
      return std::nullopt;
  }
  if (!in.protected_mode) return std::nullopt;
  unsigned gate_size = in.long_mode ? 16 : 8;
  if (vector * gate_size + gate_size - 1 <= in.idt_limit) return std::nullopt;
  uint32_t error_code = vector * 8 + 2;
  return FallbackDecision{FallbackDecision::Action::raise_gp, insn.length,
                          fmt::format("{} {:#x}: gate beyond the IDT limit {:#x} raises #GP({:#x})",
                                      ZydisMnemonicGetString(insn.mnemonic), vector, in.idt_limit, error_code),
                          error_code};
}

}  // namespace

FallbackDecision decide_emulation_fallback(const FallbackInput& in) {
  using Action = FallbackDecision::Action;
  ZydisDecodedInstruction insn;
  if (!decode(in, insn)) {
    // An encoding no x86 processor defines raises #UD (SDM Vol. 2B, UD).
    return {Action::raise_ud, 0, "undefined opcode"};
  }
  std::string_view name = ZydisMnemonicGetString(insn.mnemonic);
  if (insn.mnemonic == ZYDIS_MNEMONIC_UD0 || insn.mnemonic == ZYDIS_MNEMONIC_UD1 || insn.mnemonic == ZYDIS_MNEMONIC_UD2)
    return {Action::raise_ud, insn.length, fmt::format("{} raises #UD by definition", name)};
  // VEX- and EVEX-encoded instructions #UD unless the OS enabled XSAVE and
  // the register state they use in XCR0 (SDM Vol. 1 §14.3 for AVX, §15.2
  // for AVX-512: XCR0[2:1] = 11b, and XCR0[7:5] = 111b for EVEX).
  uint64_t needed_xcr0 = insn.encoding == ZYDIS_INSTRUCTION_ENCODING_VEX    ? 0x6
                         : insn.encoding == ZYDIS_INSTRUCTION_ENCODING_EVEX ? 0xe6
                                                                             : 0;
  if (needed_xcr0 != 0 && (!(in.cr4 & kCr4OsXsave) || (in.xcr0 & needed_xcr0) != needed_xcr0))
    return {Action::raise_ud, insn.length,
            fmt::format("{} with XCR0 {:#x} lacking {:#x} (or CR4.OSXSAVE clear) raises #UD", name, in.xcr0, needed_xcr0)};
  if (auto d = software_interrupt(in, insn)) return *d;
  for (const KnownInstruction& k : kKnown) {
    if (k.mnemonic != insn.mnemonic) continue;
    // Where a CR4 bit enables the instruction, it decides alone: the OS can
    // set it only when CPUID enumerates the feature (SDM Vol. 3A §2.5), and
    // some paravirtual hosts show the guest CPUID bits other than the table
    // nestvisor gave KVM.
    if (k.cr4_bits != 0 ? (in.cr4 & k.cr4_bits) != k.cr4_bits : !has_cpu_feature(*in.cpuid, k.feature)) {
      return {Action::raise_ud, insn.length,
              k.cr4_bits != 0 ? fmt::format("{} with CR4 bit {:#x} clear raises #UD", name, k.cr4_bits)
                              : fmt::format("{} with CPUID feature '{}' absent raises #UD", name, k.feature)};
    }
    switch (k.when_defined) {
      case Action::skip:
        return {Action::skip, insn.length, fmt::format("{} completes without architectural effect", name)};
      case Action::xgetbv:
      case Action::xsetbv:
        return {k.when_defined, insn.length, fmt::format("{} completed through KVM's XCR interface", name)};
      default:
        return {Action::give_up, insn.length, fmt::format("{} is defined here but needs state only KVM holds", name)};
    }
  }
  return {Action::give_up, insn.length, fmt::format("no fallback for {}", name)};
}

}  // namespace nv
