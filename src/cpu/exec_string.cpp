// String instructions MOVS/STOS/LODS/CMPS/SCAS/INS/OUTS with REP, REPE and
// REPNE (SDM Vol. 2B, "REP/REPE/REPZ/REPNE/REPNZ"). The counter and index
// registers are CX/ECX/RCX, SI/ESI/RSI, DI/EDI/RDI by address size; the
// destination is always ES:rDI, the source DS:rSI unless overridden. A REP
// string runs up to kIterationsPerTurn iterations per execution; after that,
// or after a fault, RCX/RSI/RDI show the progress and RIP still points at
// the instruction, which resumes.
#include "cpu/cpu.h"
#include "cpu/handler_table.h"

namespace nv {

namespace {

enum class Str { movs, stos, lods, cmps, scas, ins, outs };

// Iterations of a REP string instruction per execution.
constexpr unsigned kIterationsPerTurn = 4096;

// INS/OUTS as a VM exit describes them (Vol. 3C §28.2.1, Table 28-5).
constexpr uint64_t io_encoding(bool rep) {
  return exit_qualification::io::kString | (rep ? exit_qualification::io::kRep : 0);
}

template <Str K>
void string_op(Cpu& c, const DecodedInsn& i) {
  VcpuState& s = c.state();
  const unsigned size = i.op[0].size ? i.op[0].size : i.osize;
  const unsigned as = i.asize;
  const uint64_t am = size_mask(as);
  const int64_t step = (s.rflags & rflags::kDF) ? -static_cast<int64_t>(size) : static_cast<int64_t>(size);
  const bool rep = i.rep != Rep::none;
  for (unsigned n = 0;; ++n) {
    if (rep && c.reg(kRcx, as) == 0) return;
    if (n == kIterationsPerTurn) {
      // Resume later from RIP = this instruction, as after an interrupt
      // between iterations (Vol. 2B REP): a huge count cannot keep the vCPU
      // from its interrupts, the other vCPUs or a stop request.
      s.rip = c.instruction_rip();
      return;
    }
    uint64_t si = s.gpr[kRsi] & am, di = s.gpr[kRdi] & am;
    if constexpr (K == Str::movs) {
      c.write(kEs, di, size, c.read(i.seg, si, size));
    } else if constexpr (K == Str::stos) {
      c.write(kEs, di, size, c.reg(kRax, size));
    } else if constexpr (K == Str::lods) {
      c.set_reg(kRax, size, c.read(i.seg, si, size));
    } else if constexpr (K == Str::cmps) {
      uint64_t a = c.read(i.seg, si, size), b = c.read(kEs, di, size);
      c.set_lazy(FlagOp::sub, size, a, b, (a - b) & size_mask(size));
    } else if constexpr (K == Str::scas) {
      uint64_t a = c.reg(kRax, size), b = c.read(kEs, di, size);
      c.set_lazy(FlagOp::sub, size, a, b, (a - b) & size_mask(size));
    } else if constexpr (K == Str::ins) {
      uint16_t port = static_cast<uint16_t>(c.reg(kRdx, 2));
      if (!c.begin_io(port, size, io_encoding(rep) | exit_qualification::io::kIn)) return;
      c.linear(kEs, di, size, true);  // Vol. 2A INS: the destination is checked before the port is read
      c.write(kEs, di, size, c.io_in(port, size));
    } else {
      uint16_t port = static_cast<uint16_t>(c.reg(kRdx, 2));
      if (!c.begin_io(port, size, io_encoding(rep))) return;
      c.io_out(port, size, c.read(i.seg, si, size));
    }
    if constexpr (K == Str::movs || K == Str::lods || K == Str::cmps || K == Str::outs)
      c.set_reg(kRsi, as, si + step);
    if constexpr (K != Str::lods && K != Str::outs) c.set_reg(kRdi, as, di + step);
    if (!rep) return;
    c.set_reg(kRcx, as, c.reg(kRcx, as) - 1);
    if constexpr (K == Str::cmps || K == Str::scas) {
      bool zf = c.condition(4);
      if ((i.rep == Rep::rep && !zf) || (i.rep == Rep::repne && zf)) return;
    }
  }
}

}  // namespace

void add_string_handlers(HandlerTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVSB, ZYDIS_MNEMONIC_MOVSW, ZYDIS_MNEMONIC_MOVSD, ZYDIS_MNEMONIC_MOVSQ})
    t.add(m, string_op<Str::movs>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_STOSB, ZYDIS_MNEMONIC_STOSW, ZYDIS_MNEMONIC_STOSD, ZYDIS_MNEMONIC_STOSQ})
    t.add(m, string_op<Str::stos>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_LODSB, ZYDIS_MNEMONIC_LODSW, ZYDIS_MNEMONIC_LODSD, ZYDIS_MNEMONIC_LODSQ})
    t.add(m, string_op<Str::lods>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_CMPSB, ZYDIS_MNEMONIC_CMPSW, ZYDIS_MNEMONIC_CMPSD, ZYDIS_MNEMONIC_CMPSQ})
    t.add(m, string_op<Str::cmps>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_SCASB, ZYDIS_MNEMONIC_SCASW, ZYDIS_MNEMONIC_SCASD, ZYDIS_MNEMONIC_SCASQ})
    t.add(m, string_op<Str::scas>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_INSB, ZYDIS_MNEMONIC_INSW, ZYDIS_MNEMONIC_INSD})
    t.add(m, string_op<Str::ins>);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_OUTSB, ZYDIS_MNEMONIC_OUTSW, ZYDIS_MNEMONIC_OUTSD})
    t.add(m, string_op<Str::outs>);
}

}  // namespace nv
