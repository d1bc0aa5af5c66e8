// Differential instruction fuzzer. From `seed=N` it generates random
// sequences of integer instructions into a code buffer, runs each one with
// random registers, flags and scratch memory, catches the exceptions it
// raises through its own IDT, and prints a hash of what every batch of
// sequences left behind: GPRs, RFLAGS (without the flags the SDM leaves
// undefined after the instructions that ran), the exception (vector, error
// code, which instruction, CR2) and the scratch memory. Two engines running
// the same seed must print the same lines; tests/guest/run_differential.py
// compares them and narrows a difference down to one sequence.
//
// Command line: seed=N count=M [first=K] [batch=B] [verbose=1] [dump=1]
//               [cx16=1] [legacy=1] [mode=64|32]
//   sequences K .. K+M-1, one "B first hash" line per B sequences (default
//   100); verbose prints each sequence's bytes, inputs and outputs; dump
//   adds the scratch memory before and after; cx16 adds CMPXCHG16B; legacy
//   adds BOUND, DAA/DAS/AAA/AAS, AAM/AAD and INTO to 32-bit code;
//   mode=64 or 32 runs only 64-bit or only
//   compatibility-mode sequences (default: a quarter in compatibility mode).
//
// Safety: generated code writes only registers from a pool and memory in the
// scratch area. Reserved registers are never written: RSP (the scratch
// stack, moved only by PUSH/POP within bounds), R15 (scratch base), R14 (an
// unmapped or non-canonical address, for #PF/#GP), R13 (a small index, 0-15);
// in 32-bit code ESP and EBP (the index).
#include "guest.h"

#define SCRATCH_DATA 1024
#define SCRATCH_STACK 512
#define SCRATCH_SIZE (SCRATCH_DATA + SCRATCH_STACK)
#define BASE_OFFSET (SCRATCH_DATA / 2)  // R15 points here
#define MAX_INSNS 64
#define NO_VECTOR 0xffu

enum { CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, DF = 1 << 10, OF = 1 << 11 };
#define ARITH_FLAGS (CF | PF | AF | ZF | SF | OF)

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

// Registers by x86 number, then RFLAGS; the assembly below knows the offsets.
struct regs {
  uint64_t r[16];
  uint64_t rflags;
};

// Shared with the assembly below (hence not static).
struct regs fuzz_in, fuzz_out;
uint64_t fuzz_vector, fuzz_error, fuzz_fault_rip, fuzz_cr2, fuzz_host_rsp;
struct far_pointer {
  uint32_t offset;
  uint16_t selector;
} __attribute__((packed)) fuzz_code_entry;  // m16:32 of the code: 64-bit or compatibility mode

static uint8_t code[4096] __attribute__((aligned(4096)));
static uint8_t scratch[SCRATCH_SIZE] __attribute__((aligned(4096)));
static uint8_t fault_stack[4096] __attribute__((aligned(16)));

void fuzz_run(void);
void fuzz_return(void);
extern char fuzz_fault_stubs[];
extern char isr_stubs[];  // the guest library's stubs (interrupts.c): report anything else

// fuzz_run loads fuzz_in and jumps to the code, which ends with a jump to
// fuzz_return; an exception enters fuzz_fault instead (IST1). Both store the
// registers in fuzz_out and return to fuzz_run's caller with DF clear.
__asm__(
    ".text\n"
    ".globl fuzz_run\n"
    "fuzz_run:\n"
    "  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "  mov %rsp, fuzz_host_rsp(%rip)\n"
    "  pushq fuzz_in+128(%rip); popfq\n"
    "  mov fuzz_in+0(%rip), %rax; mov fuzz_in+8(%rip), %rcx; mov fuzz_in+16(%rip), %rdx\n"
    "  mov fuzz_in+24(%rip), %rbx; mov fuzz_in+32(%rip), %rsp; mov fuzz_in+40(%rip), %rbp\n"
    "  mov fuzz_in+48(%rip), %rsi; mov fuzz_in+56(%rip), %rdi; mov fuzz_in+64(%rip), %r8\n"
    "  mov fuzz_in+72(%rip), %r9; mov fuzz_in+80(%rip), %r10; mov fuzz_in+88(%rip), %r11\n"
    "  mov fuzz_in+96(%rip), %r12; mov fuzz_in+104(%rip), %r13; mov fuzz_in+112(%rip), %r14\n"
    "  mov fuzz_in+120(%rip), %r15\n"
    "  ljmpl *fuzz_code_entry(%rip)\n"
    ".globl fuzz_return\n"
    "fuzz_return:\n"
    "  mov %rsp, fuzz_out+32(%rip)\n"
    "  mov fuzz_host_rsp(%rip), %rsp\n"
    "  pushfq; popq fuzz_out+128(%rip)\n"
    "  jmp fuzz_store_and_leave\n"
    "fuzz_fault:\n"  // IST1 stack: vector, error code, RIP, CS, RFLAGS, RSP, SS
    "  push %rax\n"
    "  mov 8(%rsp), %rax; mov %rax, fuzz_vector(%rip)\n"
    "  mov 16(%rsp), %rax; mov %rax, fuzz_error(%rip)\n"
    "  mov 24(%rsp), %rax; mov %rax, fuzz_fault_rip(%rip)\n"
    "  mov 40(%rsp), %rax; mov %rax, fuzz_out+128(%rip)\n"
    "  mov 48(%rsp), %rax; mov %rax, fuzz_out+32(%rip)\n"
    "  mov %cr2, %rax; mov %rax, fuzz_cr2(%rip)\n"
    "  pop %rax\n"
    "  mov fuzz_host_rsp(%rip), %rsp\n"
    "fuzz_store_and_leave:\n"
    "  mov %rax, fuzz_out+0(%rip); mov %rcx, fuzz_out+8(%rip); mov %rdx, fuzz_out+16(%rip)\n"
    "  mov %rbx, fuzz_out+24(%rip); mov %rbp, fuzz_out+40(%rip)\n"
    "  mov %rsi, fuzz_out+48(%rip); mov %rdi, fuzz_out+56(%rip); mov %r8, fuzz_out+64(%rip)\n"
    "  mov %r9, fuzz_out+72(%rip); mov %r10, fuzz_out+80(%rip); mov %r11, fuzz_out+88(%rip)\n"
    "  mov %r12, fuzz_out+96(%rip); mov %r13, fuzz_out+104(%rip); mov %r14, fuzz_out+112(%rip)\n"
    "  mov %r15, fuzz_out+120(%rip)\n"
    "  cld\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "  ret\n"
    // One 16-byte stub per exception vector; a dummy error code where the CPU
    // pushes none (SDM Vol. 3A §7.13).
    "  .balign 16\n"
    ".globl fuzz_fault_stubs\n"
    "fuzz_fault_stubs:\n"
    "  .set vec, 0\n"
    "  .rept 32\n"
    "  .balign 16\n"
    "  .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)\n"
    "  pushq $vec\n"
    "  .else\n"
    "  pushq $0; pushq $vec\n"
    "  .endif\n"
    "  jmp fuzz_fault\n"
    "  .set vec, vec + 1\n"
    "  .endr\n");

struct options {
  uint64_t seed, count, first, batch, verbose, dump, cx16, legacy, mode;
};
static struct options opt = {1, 1000, 0, 100, 0, 0, 0, 0, 0};

// ---- Descriptor tables: the boot GDT plus a 64-bit TSS whose IST1 is the
// fault stack, so an exception never writes to the scratch stack. ----

struct idt_gate {
  uint16_t offset_low, selector;
  uint8_t ist, type_attr;
  uint16_t offset_mid;
  uint32_t offset_high, reserved;
} __attribute__((packed));

struct table_register {
  uint16_t limit;
  uint64_t base;
} __attribute__((packed));

struct tss64 {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3, iomap_base;
} __attribute__((packed));

static uint64_t gdt[8] __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss64 tss;

#define SEL_CODE32 0x08  // the boot GDT's 32-bit code segment: compatibility mode under IA-32e
#define SEL_CODE64 0x18
#define SEL_TSS 0x20

static void set_gate(int vector, uint64_t handler, uint8_t ist) {
  idt[vector] = (struct idt_gate){(uint16_t)handler, SEL_CODE64, ist, 0x8E, (uint16_t)(handler >> 16),
                                  (uint32_t)(handler >> 32), 0};
}

static void install_tables(void) {
  struct table_register old;
  __asm__ volatile("sgdt %0" : "=m"(old));
  memcpy(gdt, (void *)old.base, 4 * 8);  // null, code32, data, code64
  uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
  // 64-bit available TSS descriptor, 16 bytes (SDM Vol. 3A §8.2.3).
  gdt[4] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) | (((base >> 24) & 0xff) << 56);
  gdt[5] = base >> 32;
  tss.ist[0] = (uint64_t)(fault_stack + sizeof(fault_stack));
  tss.iomap_base = sizeof(tss);
  struct table_register g = {sizeof(gdt) - 1, (uint64_t)gdt};
  __asm__ volatile("lgdt %0; ltr %1" : : "m"(g), "r"((uint16_t)SEL_TSS));
  for (int v = 0; v < 256; v++)
    set_gate(v, v < 32 ? (uint64_t)(fuzz_fault_stubs + 16 * v) : (uint64_t)(isr_stubs + 16 * v), v < 32 ? 1 : 0);
  struct table_register i = {sizeof(idt) - 1, (uint64_t)idt};
  __asm__ volatile("lidt %0" : : "m"(i));
}

// ---- Random numbers: wyrand (a Weyl sequence through one 64x64->128
// multiply), seeded per sequence so any sequence can be rerun alone. Few
// instructions matter: on kvm_pvm every guest instruction costs microseconds.

static uint64_t rng;

static uint64_t rnd(void) {
  uint64_t s = (rng += 0xa0761d6478bd642full);
  unsigned __int128 t = (unsigned __int128)s * (s ^ 0xe7037ed1a0b428dbull);
  return (uint64_t)(t >> 64) ^ (uint64_t)t;
}
static unsigned below(unsigned n) { return (unsigned)(((rnd() & 0xffffffffull) * n) >> 32); }
static bool chance(unsigned percent) { return below(100) < percent; }

// ---- Encoding ----

// Sequences run in 64-bit mode or, with mode32, in compatibility mode (a 32-bit
// code segment under IA-32e paging): no REX, INC/DEC 40-4F, BOUND, PUSHA,
// BCD adjustments and INTO exist there. Registers reserved in 32-bit code:
// ESP (stack) and EBP (the small index); memory is addressed absolutely.
static bool mode32;
#define INDEX_REG (mode32 ? RBP : R13)

// MEM_RIP: RIP-relative in 64-bit code, an absolute disp32 in 32-bit code.
enum mem_form { MEM_RIP, MEM_BASE, MEM_SIB, MEM_BAD };

struct operand {
  bool mem;
  int reg;  // register operand
  enum mem_form form;
  int32_t disp;     // BASE/SIB/BAD: displacement; RIP: scratch offset of the target
  uint8_t scale;    // SIB: log2 of the scale of the index register
  bool addr32;      // 0x67
  uint8_t segment;  // a segment-override prefix, or 0
};

struct insn {
  unsigned size;        // operand size in bytes: 1, 2, 4, 8
  bool default64;       // 64-bit without REX.W (PUSH/POP)
  bool byte_regs_rex;   // byte registers mean SPL..DIL/R8B..: always emit REX
  uint8_t prefix;       // 0, 0xF2 or 0xF3
  bool lock;
  uint8_t op[3];
  unsigned op_len;
  int opreg;            // register in the opcode's low 3 bits, or -1
  bool modrm;
  int reg;              // ModRM.reg: a register or an opcode extension
  struct operand rm;
  unsigned imm_len;
  uint64_t imm;
};

struct generator {
  uint8_t *p;
  unsigned undefined;  // arithmetic flags the SDM leaves undefined at this point
  int stack;           // bytes pushed minus popped
  unsigned count;
  uint16_t offset[MAX_INSNS + 1];
  uint16_t undefined_before[MAX_INSNS + 1];
};

static void emit(struct generator *g, const struct insn *in) {
  uint8_t *start = g->p, *p = g->p;
  g->offset[g->count] = (uint16_t)(start - code);
  g->undefined_before[g->count] = (uint16_t)g->undefined;
  g->count++;
  if (in->lock) *p++ = 0xF0;
  if (in->prefix) *p++ = in->prefix;
  if (in->size == 2) *p++ = 0x66;
  if (in->modrm && in->rm.mem && in->rm.addr32) *p++ = 0x67;
  if (in->modrm && in->rm.mem && in->rm.segment) *p++ = in->rm.segment;
  unsigned rex = 0;
  if (in->size == 8 && !in->default64) rex |= 8;
  if (in->modrm && in->reg >= 8) rex |= 4;
  if (in->opreg >= 8) rex |= 1;
  if (in->modrm) {
    if (!in->rm.mem && in->rm.reg >= 8) rex |= 1;
    if (in->rm.mem && in->rm.form != MEM_RIP && !mode32) rex |= 1;  // R15 or R14
    if (in->rm.mem && in->rm.form == MEM_SIB && !mode32) rex |= 2;  // R13
  }
  if (rex || in->byte_regs_rex) *p++ = (uint8_t)(0x40 | rex);
  for (unsigned i = 0; i < in->op_len; i++) *p++ = in->op[i];
  if (in->opreg >= 0) p[-1] |= (uint8_t)(in->opreg & 7);
  uint8_t *disp32 = NULL;
  if (in->modrm) {
    uint8_t reg = (uint8_t)((in->reg & 7) << 3);
    const struct operand *m = &in->rm;
    if (!m->mem) {
      *p++ = (uint8_t)(0xC0 | reg | (m->reg & 7));
    } else if (m->form == MEM_RIP) {
      *p++ = (uint8_t)(0x05 | reg);
      disp32 = p;
      p += 4;
    } else if (mode32) {  // SIB without a base: [EBP * scale + disp32]
      *p++ = (uint8_t)(reg | 4);
      *p++ = (uint8_t)((m->scale << 6) | ((RBP & 7) << 3) | 5);
      uint32_t address = (uint32_t)(uint64_t)(scratch + BASE_OFFSET) + (uint32_t)m->disp;
      memcpy(p, &address, 4);
      p += 4;
    } else {
      bool short_disp = m->disp >= -128 && m->disp <= 127;
      uint8_t mod = m->form == MEM_BAD && m->disp == 0 ? 0x00 : short_disp ? 0x40 : 0x80;
      if (m->form == MEM_SIB) {
        *p++ = (uint8_t)(mod | reg | 4);
        *p++ = (uint8_t)((m->scale << 6) | ((R13 & 7) << 3) | (R15 & 7));
      } else {
        *p++ = (uint8_t)(mod | reg | (m->form == MEM_BAD ? (R14 & 7) : (R15 & 7)));
      }
      if (mod == 0x40) {
        *p++ = (uint8_t)m->disp;
      } else if (mod == 0x80) {
        memcpy(p, &m->disp, 4);
        p += 4;
      }
    }
  }
  for (unsigned i = 0; i < in->imm_len; i++) *p++ = (uint8_t)(in->imm >> (8 * i));
  if (disp32) {  // RIP-relative: from the end of the instruction (SDM Vol. 2A §2.2.1.6)
    int32_t d = (int32_t)((uint64_t)(scratch + in->rm.disp) - (mode32 ? 0 : (uint64_t)p));
    memcpy(disp32, &d, 4);
  }
  g->p = p;
}

// Registers generated code may write, and those it may also read.
static const int writable[] = {RAX, RCX, RDX, RBX, RBP, RSI, RDI, R8, R9, R10, R11, R12};
#define N_WRITABLE (int)(sizeof(writable) / sizeof(writable[0]))

static const int writable32[] = {RAX, RCX, RDX, RBX, RSI, RDI};

static int pick_dst(bool legacy8) {
  if (legacy8) return (int)below(8);
  return mode32 ? writable32[below(6)] : writable[below(N_WRITABLE)];
}
static int pick_src(bool legacy8) {
  if (legacy8) return (int)below(8);
  if (chance(15)) return mode32 ? RBP : R13 + (int)below(3);
  return pick_dst(false);
}
// A full-size destination register for instructions without REX (never RSP).
static int pick_dst_low(void) {
  static const int low[] = {RAX, RCX, RDX, RBX, RBP, RSI, RDI};
  return mode32 ? writable32[below(6)] : low[below(7)];
}

static struct operand reg_operand(int r) { return (struct operand){.mem = false, .reg = r}; }

// A memory operand inside the scratch data (or, with `faulting`, sometimes
// through R14). Legacy byte-register forms may use only RIP-relative
// addressing (R15 needs REX). `align` > 1 aligns the target half the time.
// Segment overrides: ignored in 64-bit mode except that FS/GS add their base
// (0 here) and an SS reference that is not canonical raises #SS instead of
// #GP (SDM Vol. 3A §6.15 "#SS"); in 32-bit code a write through CS raises
// #GP(0) (§5.4.1, code segments are not writable).
static uint8_t segment_override(void) {
  static const uint8_t prefixes[] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
  return chance(15) ? prefixes[below(6)] : 0;
}

static struct operand mem_operand(bool legacy8, bool faulting, unsigned align) {
  struct operand m = {.mem = true, .segment = segment_override()};
  unsigned target = below(SCRATCH_DATA - 16 - 120);
  if (align > 1 && chance(50)) target &= ~(align - 1);
  unsigned pick = below(100);
  if (mode32) {
    m.form = pick < 50 ? MEM_RIP : MEM_SIB;
    m.disp = (int32_t)target - (m.form == MEM_SIB ? BASE_OFFSET : 0);
    m.scale = (uint8_t)below(4);
    return m;
  }
  if (legacy8 || pick < 30) {
    m.form = MEM_RIP;
    m.disp = (int32_t)target;
  } else if (faulting && pick >= 97) {
    m.form = MEM_BAD;
    m.disp = chance(50) ? 0 : (int32_t)below(256) - 128;
  } else if (pick < 65) {
    m.form = MEM_BASE;
    m.disp = (int32_t)target - BASE_OFFSET;
  } else {
    m.form = MEM_SIB;
    m.scale = (uint8_t)below(4);
    m.disp = (int32_t)target - BASE_OFFSET;  // R13 << 3 adds at most 120
  }
  m.addr32 = m.form != MEM_BAD && chance(10);
  return m;
}

static unsigned pick_size(bool bytes) {
  static const unsigned sizes[] = {1, 2, 4, 8};
  unsigned n = mode32 ? 3 : 4;
  return bytes ? sizes[below(n)] : sizes[1 + below(n - 1)];
}

// A memory destination: faulting forms included (a read-modify-write of a
// not-present page, POP to memory that faults, a CS override in 32-bit code).
static struct operand dst_memory(bool legacy8, unsigned align) { return mem_operand(legacy8, true, align); }

// Register or memory r/m operand of `size`; sets *legacy8 for byte forms
// that use AH..BH (no REX then).
static struct operand pick_rm(unsigned size, bool *legacy8, bool dst) {
  *legacy8 = size == 1 && (mode32 || chance(40));
  if (chance(40)) return dst ? dst_memory(*legacy8, size) : mem_operand(*legacy8, true, size);
  return reg_operand(dst ? pick_dst(*legacy8) : pick_src(*legacy8));
}

static uint64_t imm_for(unsigned imm_len) {
  uint64_t v = rnd();
  if (chance(30)) v = below(4) == 0 ? 0 : (uint64_t)(int64_t)(int8_t)below(256);
  return imm_len == 8 ? v : v & ((1ull << (8 * imm_len)) - 1);
}

static struct insn base_insn(unsigned size, bool legacy8) {
  struct insn in = {.size = size, .opreg = -1, .modrm = true};
  in.byte_regs_rex = size == 1 && !legacy8 && !mode32;
  return in;
}

static void set_op(struct insn *in, unsigned len, uint8_t a, uint8_t b, uint8_t c) {
  in->op_len = len;
  in->op[0] = a, in->op[1] = b, in->op[2] = c;
}

// Flags after an instruction that defines `defined` and leaves `undefined`
// undefined (SDM: each instruction's "Flags Affected").
static void flags_written(struct generator *g, unsigned defined, unsigned undefined) {
  g->undefined = (g->undefined & ~(defined | undefined)) | undefined;
}
// The same when a zero count may leave every flag as it was.
static void flags_maybe_written(struct generator *g, unsigned undefined) { g->undefined |= undefined; }

// Before an instruction that reads flags: make the ones it reads defined with
// a CMP of two random registers (no register changes).
static void need_flags(struct generator *g, unsigned read) {
  if (!(g->undefined & read)) return;
  struct insn in = base_insn(mode32 ? 4 : 8, false);
  set_op(&in, 1, 0x39, 0, 0);
  in.reg = pick_src(false);
  in.rm = reg_operand(pick_src(false));
  emit(g, &in);
  flags_written(g, ARITH_FLAGS, 0);
}

static unsigned cc_reads(unsigned cc) {
  static const unsigned reads[8] = {OF, CF, ZF, CF | ZF, SF, PF, SF | OF, ZF | SF | OF};
  return reads[cc >> 1];
}

// ---- Templates: one instruction group each ----

// ADD OR ADC SBB AND SUB XOR CMP in all their forms (SDM Vol. 2, opcodes 00-3D, 80-83).
static void t_alu(struct generator *g) {
  unsigned op = below(8), size = pick_size(true), form = below(4);
  bool legacy8 = false;
  struct insn in;
  if (op == 2 || op == 3) need_flags(g, CF);
  if (form == 0 || form == 1) {  // r/m, r  and  r, r/m
    struct operand rm = pick_rm(size, &legacy8, form == 0 && op != 7);
    in = base_insn(size, legacy8);
    set_op(&in, 1, (uint8_t)(op * 8 + (form == 0 ? 0 : 2) + (size != 1)), 0, 0);
    in.reg = form == 0 ? pick_src(legacy8) : pick_dst(legacy8);
    in.rm = rm;
    in.lock = form == 0 && (rm.mem ? chance(15) : chance(2));  // LOCK on a register or CMP: #UD
  } else if (form == 2) {  // AL/AX/EAX/RAX, imm
    in = base_insn(size, true);
    in.modrm = false;
    set_op(&in, 1, (uint8_t)(op * 8 + 4 + (size != 1)), 0, 0);
    in.imm_len = size == 1 ? 1 : size == 2 ? 2 : 4;
    in.imm = imm_for(in.imm_len);
  } else {  // 80 / 81 / 83 /op
    struct operand rm = pick_rm(size, &legacy8, op != 7);
    in = base_insn(size, legacy8);
    bool imm8 = size == 1 || chance(50);
    set_op(&in, 1, size == 1 ? 0x80 : imm8 ? 0x83 : 0x81, 0, 0);
    in.reg = (int)op;
    in.rm = rm;
    in.imm_len = imm8 ? 1 : size == 2 ? 2 : 4;
    in.imm = imm_for(in.imm_len);
    in.lock = rm.mem && op != 7 && chance(15);
  }
  emit(g, &in);
  flags_written(g, ARITH_FLAGS, (op == 1 || op == 4 || op == 6) ? AF : 0);
}

static void t_test(struct generator *g) {
  unsigned size = pick_size(true);
  bool legacy8;
  struct operand rm = pick_rm(size, &legacy8, false);
  struct insn in = base_insn(size, legacy8);
  if (chance(50)) {
    set_op(&in, 1, size == 1 ? 0x84 : 0x85, 0, 0);
    in.reg = pick_src(legacy8);
  } else {
    set_op(&in, 1, size == 1 ? 0xF6 : 0xF7, 0, 0);
    in.reg = 0;
    in.imm_len = size == 1 ? 1 : size == 2 ? 2 : 4;
    in.imm = imm_for(in.imm_len);
  }
  in.rm = rm;
  emit(g, &in);
  flags_written(g, ARITH_FLAGS & ~AF, AF);
}

// ROL ROR RCL RCR SHL SHR SAR by 1, imm8 and CL (SDM Vol. 2B "RCL/RCR/ROL/ROR",
// "SAL/SAR/SHL/SHR"): a masked count of 0 changes no flag; OF is defined only
// for count 1; AF is undefined after shifts; CF is undefined after SHL/SHR
// (and, conservatively, SAR) when the count reaches the operand width.
static void t_shift(struct generator *g) {
  static const unsigned ops[] = {0, 1, 2, 3, 4, 5, 7};
  unsigned op = ops[below(7)], size = pick_size(true), form = below(3);
  bool legacy8;
  if (op == 2 || op == 3) need_flags(g, CF);
  struct operand rm = pick_rm(size, &legacy8, true);
  struct insn in = base_insn(size, legacy8);
  in.reg = (int)op;
  in.rm = rm;
  unsigned count = 0;
  if (form == 0) {
    set_op(&in, 1, size == 1 ? 0xD0 : 0xD1, 0, 0);
    count = 1;
  } else if (form == 1) {
    set_op(&in, 1, size == 1 ? 0xC0 : 0xC1, 0, 0);
    in.imm_len = 1;
    in.imm = chance(50) ? below(size * 8 + 2) : below(256);
    count = (unsigned)in.imm & (size == 8 ? 0x3f : 0x1f);
  } else {
    set_op(&in, 1, size == 1 ? 0xD2 : 0xD3, 0, 0);
  }
  emit(g, &in);
  bool shift = op >= 4;
  unsigned wide_cf = shift && size <= 2 ? CF : 0;
  if (form == 2) {  // count unknown here
    flags_maybe_written(g, OF | (shift ? AF | wide_cf : 0));
  } else if (count != 0) {
    unsigned undefined = (count == 1 ? 0 : OF) | (shift ? AF : 0) | (shift && count >= size * 8 ? CF : 0);
    unsigned defined = (shift ? ARITH_FLAGS : CF | OF) & ~undefined;
    flags_written(g, defined, undefined);
  }
}

// MUL IMUL DIV IDIV (F6/F7 /4-/7), IMUL r, r/m and r, r/m, imm.
static void t_muldiv(struct generator *g) {
  unsigned size = pick_size(true), form = below(4);
  bool legacy8;
  struct insn in;
  if (form <= 1) {
    unsigned op = 4 + below(4);
    if (op >= 6 && size != 1 && chance(50)) {  // XOR EDX, EDX first: some divisions succeed
      struct insn x = base_insn(4, false);
      set_op(&x, 1, 0x31, 0, 0);
      x.reg = RDX;
      x.rm = reg_operand(RDX);
      emit(g, &x);
      flags_written(g, ARITH_FLAGS & ~AF, AF);
    }
    struct operand rm = pick_rm(size, &legacy8, false);
    in = base_insn(size, legacy8);
    set_op(&in, 1, size == 1 ? 0xF6 : 0xF7, 0, 0);
    in.reg = (int)op;
    in.rm = rm;
    emit(g, &in);
    if (op >= 6)
      flags_written(g, 0, ARITH_FLAGS);
    else
      flags_written(g, CF | OF, SF | ZF | AF | PF);
    return;
  }
  size = pick_size(false);
  struct operand rm = pick_rm(size, &legacy8, false);
  in = base_insn(size, false);
  in.reg = pick_dst(false);
  in.rm = rm;
  if (form == 2) {
    set_op(&in, 2, 0x0F, 0xAF, 0);
  } else {
    bool imm8 = chance(50);
    set_op(&in, 1, imm8 ? 0x6B : 0x69, 0, 0);
    in.imm_len = imm8 ? 1 : size == 2 ? 2 : 4;
    in.imm = imm_for(in.imm_len);
  }
  emit(g, &in);
  flags_written(g, CF | OF, SF | ZF | AF | PF);
}

// INC DEC (CF unchanged), NEG, NOT (no flags).
static void t_unary(struct generator *g) {
  unsigned size = pick_size(true), op = below(4);
  bool legacy8;
  struct operand rm = pick_rm(size, &legacy8, true);
  struct insn in = base_insn(size, legacy8);
  in.rm = rm;
  if (op < 2) {
    set_op(&in, 1, size == 1 ? 0xFE : 0xFF, 0, 0);
    in.reg = (int)op;
  } else {
    set_op(&in, 1, size == 1 ? 0xF6 : 0xF7, 0, 0);
    in.reg = op == 2 ? 2 : 3;  // NOT, NEG
  }
  in.lock = rm.mem && chance(15);
  emit(g, &in);
  if (op < 2)
    flags_written(g, ARITH_FLAGS & ~CF, 0);
  else if (op == 3)
    flags_written(g, ARITH_FLAGS, 0);
}

// BT BTS BTR BTC: CF defined, ZF unchanged, OF SF AF PF undefined. A register
// bit offset into memory comes only from R13 (0-15): any other register could
// address far outside the scratch area (SDM Vol. 2A "BT").
static void t_bt(struct generator *g) {
  unsigned size = pick_size(false), op = below(4);
  bool legacy8;
  struct operand rm = pick_rm(size, &legacy8, op != 0);
  struct insn in = base_insn(size, false);
  in.rm = rm;
  if (chance(50)) {
    set_op(&in, 2, 0x0F, (uint8_t)(0xA3 + 8 * op), 0);
    in.reg = rm.mem ? INDEX_REG : pick_src(false);
  } else {
    set_op(&in, 2, 0x0F, 0xBA, 0);
    in.reg = 4 + (int)op;
    in.imm_len = 1;
    in.imm = below(256);
  }
  in.lock = rm.mem && op != 0 && chance(15);
  emit(g, &in);
  flags_written(g, CF, OF | SF | AF | PF);
}

// BSF BSR: ZF defined, the rest undefined; with a zero source the
// destination keeps its value (AMD APM; the SDM calls it undefined).
static void t_bitscan(struct generator *g) {
  unsigned size = pick_size(false);
  bool legacy8;
  struct operand rm = pick_rm(size, &legacy8, false);
  struct insn in = base_insn(size, false);
  set_op(&in, 2, 0x0F, chance(50) ? 0xBC : 0xBD, 0);
  in.reg = pick_dst(false);
  in.rm = rm;
  emit(g, &in);
  flags_written(g, ZF, CF | OF | SF | AF | PF);
}

// SHLD SHRD by imm8 and CL. A 16-bit count above 16 gives an undefined result,
// so 16-bit forms take only immediates up to 16 (SDM Vol. 2B "SHLD").
static void t_shld(struct generator *g) {
  unsigned size = pick_size(false);
  bool right = chance(50), by_cl = size != 2 && chance(50);
  bool legacy8;
  struct operand rm = pick_rm(size, &legacy8, true);
  struct insn in = base_insn(size, false);
  set_op(&in, 2, 0x0F, (uint8_t)((right ? 0xAC : 0xA4) + by_cl), 0);
  in.reg = pick_src(false);
  in.rm = rm;
  unsigned count = 0;
  if (!by_cl) {
    in.imm_len = 1;
    in.imm = size == 2 ? below(17) : below(256);
    count = (unsigned)in.imm & (size == 8 ? 0x3f : 0x1f);
  }
  emit(g, &in);
  if (by_cl)
    flags_maybe_written(g, OF | AF);
  else if (count)
    flags_written(g, ARITH_FLAGS & ~(AF | (count == 1 ? 0 : OF)), AF | (count == 1 ? 0 : OF));
}

// MOVZX MOVSX (byte and word sources), MOVSXD. A byte source without REX may
// be AH..BH; then the destination must be one of the first eight registers.
static void t_movx(struct generator *g) {
  unsigned form = below(mode32 ? 4 : 5), dst_size = pick_size(false);  // 63 is ARPL in 32-bit code
  struct insn in;
  if (form == 4) {
    bool unused;
    in = base_insn(8, false);
    set_op(&in, 1, 0x63, 0, 0);
    in.rm = pick_rm(4, &unused, false);
    in.reg = pick_dst(false);
  } else {
    bool word = form & 1, legacy8 = !word && dst_size != 8 && (mode32 || chance(40));
    if (word && dst_size == 2) dst_size = 4;
    in = base_insn(dst_size, false);
    in.byte_regs_rex = !word && !legacy8;
    set_op(&in, 2, 0x0F, (uint8_t)((form < 2 ? 0xB6 : 0xBE) + word), 0);
    in.rm = chance(40) ? mem_operand(legacy8, true, 1) : reg_operand(pick_src(legacy8));
    in.reg = legacy8 ? pick_dst_low() : pick_dst(false);
  }
  emit(g, &in);
}

static void t_cmov_setcc(struct generator *g) {
  unsigned cc = below(16);
  need_flags(g, cc_reads(cc));
  bool legacy8;
  struct insn in;
  if (chance(50)) {
    unsigned size = pick_size(false);
    struct operand rm = pick_rm(size, &legacy8, false);
    in = base_insn(size, false);
    set_op(&in, 2, 0x0F, (uint8_t)(0x40 + cc), 0);
    in.reg = pick_dst(false);
    in.rm = rm;
  } else {
    struct operand rm = pick_rm(1, &legacy8, true);
    in = base_insn(1, legacy8);
    set_op(&in, 2, 0x0F, (uint8_t)(0x90 + cc), 0);
    in.reg = 0;
    in.rm = rm;
  }
  emit(g, &in);
}

// XCHG, XADD, CMPXCHG, CMPXCHG8B/16B.
static void t_exchange(struct generator *g) {
  unsigned form = below(4), size = pick_size(true);
  bool legacy8;
  struct insn in;
  if (form == 3) {  // CMPXCHG8B m64 / CMPXCHG16B m128 (SDM Vol. 2A "CMPXCHG8B/CMPXCHG16B")
    // kvm_pvm hands CMPXCHG16B to KVM's instruction emulator, which cannot
    // emulate it and stops the VM: CMPXCHG16B only with cx16=1. It gets an
    // aligned operand: the unaligned #GP would go the same way.
    bool wide = opt.cx16 && !mode32 && chance(40);
    in = base_insn(wide ? 8 : 4, false);
    set_op(&in, 2, 0x0F, 0xC7, 0);
    in.reg = 1;
    in.rm = dst_memory(false, 8);
    if (wide) in.rm = (struct operand){.mem = true, .form = MEM_RIP, .disp = (int32_t)(below(SCRATCH_DATA / 16) * 16)};
    in.lock = chance(30);
    emit(g, &in);
    flags_written(g, ZF, 0);
    return;
  }
  struct operand rm = pick_rm(size, &legacy8, true);
  in = base_insn(size, legacy8);
  in.rm = rm;
  in.reg = pick_dst(legacy8);
  if (form == 0) {
    set_op(&in, 1, size == 1 ? 0x86 : 0x87, 0, 0);
  } else {
    set_op(&in, 2, 0x0F, (uint8_t)((form == 1 ? 0xC0 : 0xB0) + (size != 1)), 0);
    in.lock = rm.mem ? chance(30) : chance(2);
  }
  emit(g, &in);
  if (form != 0) flags_written(g, ARITH_FLAGS, 0);
}

// XCHG rAX, r (90+r; 90 alone is NOP) and BSWAP r32/r64.
static void t_opreg(struct generator *g) {
  unsigned size = mode32 || chance(50) ? 4 : 8;
  struct insn in = base_insn(size, false);
  in.modrm = false;
  in.opreg = pick_dst(false);
  if (chance(50)) {
    set_op(&in, 1, 0x90, 0, 0);
    if (chance(20)) in.size = 2;
  } else {
    set_op(&in, 2, 0x0F, 0xC8, 0);
  }
  emit(g, &in);
}

static void t_lea(struct generator *g) {
  unsigned size = pick_size(false);
  struct insn in = base_insn(size, false);
  set_op(&in, 1, 0x8D, 0, 0);
  in.reg = pick_dst(false);
  in.rm = mem_operand(false, true, 1);
  emit(g, &in);
}

static void t_mov(struct generator *g) {
  unsigned size = pick_size(true);
  bool legacy8;
  struct operand rm = pick_rm(size, &legacy8, true);
  struct insn in = base_insn(size, legacy8);
  in.rm = rm;
  if (chance(60)) {
    bool to_rm = chance(50);
    set_op(&in, 1, (uint8_t)((to_rm ? 0x88 : 0x8A) + (size != 1)), 0, 0);
    in.reg = to_rm ? pick_src(legacy8) : pick_dst(legacy8);
  } else {
    set_op(&in, 1, size == 1 ? 0xC6 : 0xC7, 0, 0);
    in.reg = 0;
    in.imm_len = size == 1 ? 1 : size == 2 ? 2 : 4;
    in.imm = imm_for(in.imm_len);
  }
  emit(g, &in);
}

// PUSH/POP of registers, memory and immediates, 64- or 16-bit, keeping the
// stack inside the scratch stack area. PUSHF reads every flag.
static void t_stack(struct generator *g) {
  unsigned size = chance(20) ? 2 : mode32 ? 4 : 8;
  bool push = g->stack < 200 && (g->stack <= -200 || chance(55));
  struct insn in = base_insn(size, false);
  in.default64 = true;
  unsigned form = below(push ? 4 : 2);
  if (push) {
    if (form == 0) {
      in.modrm = false;
      set_op(&in, 1, 0x50, 0, 0);
      in.opreg = chance(10) ? RSP : pick_src(false);
    } else if (form == 1) {
      set_op(&in, 1, 0xFF, 0, 0);
      in.reg = 6;
      in.rm = mem_operand(false, true, 1);
    } else if (form == 2) {
      in.modrm = false;
      bool imm8 = chance(50);
      set_op(&in, 1, imm8 ? 0x6A : 0x68, 0, 0);
      in.imm_len = imm8 ? 1 : size == 2 ? 2 : 4;
      in.imm = imm_for(in.imm_len);
    } else {
      need_flags(g, ARITH_FLAGS);
      in.modrm = false;
      set_op(&in, 1, 0x9C, 0, 0);
    }
    g->stack += (int)size;
  } else {
    if (form == 0) {
      in.modrm = false;
      set_op(&in, 1, 0x58, 0, 0);
      in.opreg = pick_dst(false);
    } else {
      set_op(&in, 1, 0x8F, 0, 0);
      in.reg = 0;
      in.rm = dst_memory(false, 1);
    }
    g->stack -= (int)size;
  }
  emit(g, &in);
}

// MOVS STOS LODS CMPS SCAS, with or without REP/REPE/REPNE, after setting RSI,
// RDI and RCX (0-8 iterations) inside the scratch data; DF from the input
// flags or set by CLD/STD.
static void t_string(struct generator *g) {
  static const uint8_t ops[] = {0xA4, 0xAA, 0xAC, 0xA6, 0xAE};
  unsigned which = below(5), size = pick_size(true);
  for (int r = 0; r < 2; r++) {  // LEA RSI/RDI, [R15 + disp32] (32-bit code: [disp32])
    struct insn lea = base_insn(mode32 ? 4 : 8, false);
    set_op(&lea, 1, 0x8D, 0, 0);
    lea.reg = r == 0 ? RSI : RDI;
    int32_t target = (int32_t)(128 + below(SCRATCH_DATA - 256));
    lea.rm = mode32 ? (struct operand){.mem = true, .form = MEM_RIP, .disp = target}
                    : (struct operand){.mem = true, .form = MEM_BASE, .disp = target - BASE_OFFSET};
    emit(g, &lea);
  }
  struct insn mov = base_insn(4, false);  // MOV ECX, imm32
  mov.modrm = false;
  mov.opreg = RCX;
  set_op(&mov, 1, 0xB8, 0, 0);
  mov.imm_len = 4;
  mov.imm = below(9);
  emit(g, &mov);
  if (chance(60)) {
    struct insn d = base_insn(4, false);
    d.modrm = false;
    set_op(&d, 1, chance(50) ? 0xFC : 0xFD, 0, 0);
    emit(g, &d);
  }
  struct insn in = base_insn(size, false);
  in.byte_regs_rex = false;
  in.modrm = false;
  set_op(&in, 1, (uint8_t)(ops[which] + (size != 1)), 0, 0);
  if (chance(75)) in.prefix = chance(50) ? 0xF3 : 0xF2;
  emit(g, &in);
  // CMPS/SCAS define every flag; under REP a zero count leaves them as they were.
  if (which >= 3 && !in.prefix) flags_written(g, ARITH_FLAGS, 0);
}

// LAHF SAHF CBW/CWDE/CDQE CWD/CDQ/CQO CLC STC CMC, and UD2 now and then.
static void t_misc(struct generator *g) {
  struct insn in = base_insn(pick_size(false), false);
  in.modrm = false;
  unsigned op = below(8);
  switch (op) {
    case 0:
      need_flags(g, SF | ZF | AF | PF | CF);
      in.size = 4;
      set_op(&in, 1, 0x9F, 0, 0);
      break;
    case 1:
      in.size = 4;
      set_op(&in, 1, 0x9E, 0, 0);
      break;
    case 2: set_op(&in, 1, 0x98, 0, 0); break;
    case 3: set_op(&in, 1, 0x99, 0, 0); break;
    case 4:
      need_flags(g, CF);
      in.size = 4;
      set_op(&in, 1, 0xF5, 0, 0);
      break;
    case 5:
    case 6:
      in.size = 4;
      set_op(&in, 1, op == 5 ? 0xF8 : 0xF9, 0, 0);
      break;
    default:
      if (!chance(20)) return;
      in.size = 4;
      set_op(&in, 2, 0x0F, 0x0B, 0);
  }
  emit(g, &in);
  if (op == 1) flags_written(g, SF | ZF | AF | PF | CF, 0);
  if (op >= 4 && op <= 6) flags_written(g, CF, 0);
}

// Instructions only 32-bit code has (SDM Vol. 2): INC/DEC r (40-4F), BOUND
// (#BR outside the bounds), PUSHA/POPA, DAA DAS AAA AAS, AAM/AAD (AAM 0: #DE),
// INTO (#OF, a trap, when OF = 1).
static void t_legacy32(struct generator *g) {
  static const uint8_t adjust[] = {0x27, 0x2F, 0x37, 0x3F};  // DAA DAS AAA AAS
  struct insn in = base_insn(chance(25) ? 2 : 4, true);
  in.modrm = false;
  switch (below(6)) {
    case 0:
      set_op(&in, 1, chance(50) ? 0x40 : 0x48, 0, 0);
      in.opreg = pick_dst(false);
      emit(g, &in);
      flags_written(g, ARITH_FLAGS & ~CF, 0);
      return;
    case 1:
      // BOUND, the BCD adjustments and INTO below only with legacy=1: kvm_pvm
      // hands them to KVM's instruction emulator, which gives up on them and
      // stops the VM; and the software engine lacks BOUND (docs/guests.md).
      if (!opt.legacy) return;
      in.modrm = true;
      set_op(&in, 1, 0x62, 0, 0);
      in.reg = pick_src(false);
      in.rm = mem_operand(false, false, 1);
      emit(g, &in);
      return;
    case 2:
      if (g->stack + 8 * (int)in.size <= 200) {
        set_op(&in, 1, 0x60, 0, 0);
        g->stack += 8 * (int)in.size;
        emit(g, &in);
      } else {
        set_op(&in, 1, 0x61, 0, 0);  // POPA loads EBP too: MOV EBP, imm32 gives it an index back
        g->stack -= 8 * (int)in.size;
        emit(g, &in);
        struct insn mov = base_insn(4, true);
        mov.modrm = false;
        mov.opreg = RBP;
        set_op(&mov, 1, 0xB8, 0, 0);
        mov.imm_len = 4;
        mov.imm = below(16);
        emit(g, &mov);
      }
      return;
    case 3: {
      if (!opt.legacy) return;
      uint8_t op = adjust[below(4)];
      need_flags(g, AF | CF);
      in.size = 4;
      set_op(&in, 1, op, 0, 0);
      emit(g, &in);
      if (op <= 0x2F)
        flags_written(g, CF | AF | SF | ZF | PF, OF);
      else
        flags_written(g, AF | CF, OF | SF | ZF | PF);
      return;
    }
    case 4:
      if (!opt.legacy) return;
      in.size = 4;
      set_op(&in, 1, chance(50) ? 0xD4 : 0xD5, 0, 0);
      in.imm_len = 1;
      in.imm = chance(10) ? 0 : below(256);
      emit(g, &in);
      flags_written(g, SF | ZF | PF, OF | AF | CF);
      return;
    default:
      if (!opt.legacy) return;
      need_flags(g, OF);
      in.size = 4;
      set_op(&in, 1, 0xCE, 0, 0);
      emit(g, &in);
  }
}

struct template {
  void (*emit)(struct generator *g);
  unsigned weight;
  bool only32;
};

static const struct template templates[] = {
    {t_alu, 20, false},   {t_test, 4, false},     {t_shift, 12, false},   {t_muldiv, 8, false},
    {t_unary, 6, false},  {t_bt, 6, false},       {t_bitscan, 4, false},  {t_shld, 5, false},
    {t_movx, 5, false},   {t_cmov_setcc, 8, false}, {t_exchange, 8, false}, {t_opreg, 3, false},
    {t_lea, 4, false},    {t_mov, 6, false},      {t_stack, 6, false},    {t_string, 5, false},
    {t_misc, 5, false},   {t_legacy32, 8, true},
};
#define N_TEMPLATES (sizeof(templates) / sizeof(templates[0]))

static unsigned generate(struct generator *g, unsigned length) {
  unsigned total = 0;
  for (unsigned i = 0; i < N_TEMPLATES; i++) total += templates[i].weight;
  g->p = code;
  g->count = 0;
  g->undefined = 0;
  g->stack = 0;
  while (g->count + 6 < MAX_INSNS && length--) {
    unsigned pick = below(total);
    unsigned i = 0;
    while (pick >= templates[i].weight) pick -= templates[i++].weight;
    if (templates[i].only32 && !mode32) continue;
    templates[i].emit(g);
  }
  g->offset[g->count] = (uint16_t)(g->p - code);
  g->undefined_before[g->count] = (uint16_t)g->undefined;
  if (mode32) {  // JMP far 0x18:fuzz_return, back to 64-bit mode
    *g->p++ = 0xEA;
    uint32_t target = (uint32_t)(uint64_t)fuzz_return;
    uint16_t selector = SEL_CODE64;
    memcpy(g->p, &target, 4);
    memcpy(g->p + 4, &selector, 2);
    g->p += 6;
  } else {  // JMP fuzz_return
    *g->p++ = 0xE9;
    int32_t rel = (int32_t)((uint64_t)fuzz_return - (uint64_t)(g->p + 4));
    memcpy(g->p, &rel, 4);
    g->p += 4;
  }
  return g->count;
}

// ---- Inputs and results ----

static uint64_t interesting(void) {
  switch (below(8)) {
    case 0: return below(256);
    case 1: return (uint64_t)-(int64_t)below(256);
    case 2: return 1ull << below(64);
    case 3: return (1ull << below(64)) - 1;
    case 4: return 0x8000000000000000ull >> (8 * below(8));
    case 5: return rnd() & 0xffffffffull;
    default: return rnd();
  }
}

static void make_inputs(void) {
  for (int r = 0; r < 16; r++) fuzz_in.r[r] = interesting();
  fuzz_in.r[RSP] = (uint64_t)(scratch + SCRATCH_DATA + SCRATCH_STACK / 2);
  fuzz_in.r[R15] = (uint64_t)(scratch + BASE_OFFSET);
  fuzz_in.r[R13] = below(16);
  static const uint64_t bad[] = {0x8000000000000000ull, 0x0000000100000000ull, 0xffff800000000000ull};
  fuzz_in.r[R14] = bad[below(3)] + (rnd() & 0xfffff8);
  if (mode32) fuzz_in.r[RBP] = below(16);
  fuzz_in.rflags = 0x2 | (rnd() & (ARITH_FLAGS | DF));
  for (unsigned i = 0; i < SCRATCH_SIZE; i += 8) {
    uint64_t v = rnd();
    if ((v & 7) == 0) v = interesting();
    memcpy(scratch + i, &v, 8);
  }
}

struct result {
  uint64_t hash;
  unsigned vector, at;  // at: index of the faulting instruction
  uint64_t flags_mask;
};

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull + (h >> 31); }

static uint64_t memory_hash(void) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned i = 0; i < SCRATCH_SIZE; i += 8) {
    uint64_t v;
    memcpy(&v, scratch + i, 8);
    h = mix(h, v);
  }
  return h;
}

static struct result run_one(struct generator *g) {
  struct result res = {0, NO_VECTOR, g->count, 0};
  fuzz_vector = NO_VECTOR;
  fuzz_error = fuzz_fault_rip = fuzz_cr2 = 0;
  fuzz_code_entry = (struct far_pointer){(uint32_t)(uint64_t)code, mode32 ? SEL_CODE32 : SEL_CODE64};
  fuzz_run();
  // After 32-bit code the upper halves of the GPRs are undefined (SDM Vol. 1
  // §3.4.1.1), and R8-R15 are not reachable from it.
  if (mode32)
    for (int r = 0; r < 16; r++) fuzz_out.r[r] = r < 8 ? (uint32_t)fuzz_out.r[r] : 0;
  res.vector = (unsigned)fuzz_vector;
  if (res.vector != NO_VECTOR) {
    uint16_t off = (uint16_t)(fuzz_fault_rip - (uint64_t)code);
    res.at = MAX_INSNS + 1;  // not at an instruction start: reported as such
    for (unsigned i = 0; i <= g->count; i++)
      if (g->offset[i] == off) res.at = i;
  }
  res.flags_mask = ~(uint64_t)(res.at <= g->count ? g->undefined_before[res.at] : ARITH_FLAGS);
  uint64_t h = 0;
  for (int r = 0; r < 16; r++) h = mix(h, fuzz_out.r[r]);
  h = mix(h, fuzz_out.rflags & res.flags_mask);
  h = mix(h, res.vector);
  if (res.vector != NO_VECTOR) {
    h = mix(h, fuzz_error);
    h = mix(h, fuzz_fault_rip - (uint64_t)code);
    if (res.vector == 14) h = mix(h, fuzz_cr2);
  }
  res.hash = mix(h, memory_hash());
  return res;
}

static void print_regs(const char *tag, uint64_t seq, const struct regs *r, uint64_t flags_mask) {
  static const char *const names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                        "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
  printf("S %lu %s", seq, tag);
  for (int i = 0; i < 16; i++) printf(" %s=%lx", names[i], r->r[i]);
  printf(" rflags=%lx\n", r->rflags & flags_mask);
}



static void print_memory(uint64_t seq) {
  for (unsigned i = 0; i < SCRATCH_SIZE; i += 32) {
    printf("M %lu %04x", seq, i);
    for (unsigned j = 0; j < 32; j++) printf(" %02x", scratch[i + j]);
    printf("\n");
  }
}

static uint64_t vectors[33];  // sequences per exception vector, [32]: none

static void fuzz_loop(void) {
  uint64_t batch_hash = 0;
  struct generator g;
  for (uint64_t k = opt.first; k < opt.first + opt.count; k++) {
    rng = opt.seed * 0xd1342543de82ef95ull + k * 0x9e3779b97f4a7c15ull;
    mode32 = opt.mode == 32 || (opt.mode != 64 && below(4) == 0);
    generate(&g, 1 + below(24));
    make_inputs();
    if (opt.verbose) {
      printf("S %lu code%d", k, mode32 ? 32 : 64);
      for (uint8_t *b = code; b < g.p; b++) printf("%s%02x", b == code ? " " : "", *b);
      printf("\n");
      print_regs("in", k, &fuzz_in, ~0ull);
      if (opt.dump) print_memory(k);
    }
    struct result res = run_one(&g);
    vectors[res.vector < 32 ? res.vector : 32]++;
    batch_hash = mix(batch_hash, res.hash);
    if (opt.verbose) {
      print_regs("out", k, &fuzz_out, res.flags_mask);
      printf("S %lu result vector=%u error=%lx insn=%u cr2=%lx memory=%lx hash=%lx\n", k, res.vector,
             res.vector == NO_VECTOR ? 0 : fuzz_error, res.at, res.vector == 14 ? fuzz_cr2 : 0, memory_hash(),
             res.hash);
      if (opt.dump) print_memory(k);
    }
    if ((k - opt.first + 1) % opt.batch == 0 || k + 1 == opt.first + opt.count) {
      printf("B %lu %016lx\n", k - (k - opt.first) % opt.batch, batch_hash);
      batch_hash = 0;
    }
  }
}

int main(void) {
  cmdline_uint("seed", &opt.seed);
  cmdline_uint("count", &opt.count);
  cmdline_uint("first", &opt.first);
  cmdline_uint("batch", &opt.batch);
  cmdline_uint("verbose", &opt.verbose);
  cmdline_uint("dump", &opt.dump);
  cmdline_uint("cx16", &opt.cx16);
  cmdline_uint("legacy", &opt.legacy);
  cmdline_uint("mode", &opt.mode);
  if (opt.batch == 0) opt.batch = 1;
  install_tables();
  printf("insn_fuzz seed=%lu first=%lu count=%lu batch=%lu\n", opt.seed, opt.first, opt.count, opt.batch);
  fuzz_loop();
  const uint64_t *v = vectors;
  printf("vectors: none %lu #DE %lu #UD %lu #GP %lu #PF %lu other %lu\n", v[32], v[0], v[6], v[13], v[14],
         opt.count - v[32] - v[0] - v[6] - v[13] - v[14]);
  report("instruction sequences ran", true);
  return report_summary();
}
