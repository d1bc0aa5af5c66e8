#include "interrupts.h"

#include "console.h"
#include "cpu.h"
#include "test.h"

#define SEL_CODE64 0x18
#define GATE_INTERRUPT_64 0x8E  // present, DPL 0, 64-bit interrupt gate (SDM Vol. 3A 7.14.1)
#define ISR_STUB_SIZE 16

struct idt_entry {
  uint16_t offset_low, selector;
  uint8_t ist, type_attr;
  uint16_t offset_mid;
  uint32_t offset_high, reserved;
} __attribute__((packed));

struct idt_descriptor {
  uint16_t limit;
  uint64_t base;
} __attribute__((packed));

extern char isr_stubs[];

static struct idt_entry idt[256] __attribute__((aligned(16)));
static interrupt_handler handlers[256];

static const char *const exception_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?9",  "#TS", "#NP", "#SS", "#GP", "#PF", "?15",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "?22", "?23", "?24", "?25", "?26", "?27", "?28", "?29", "?30", "?31"};

void idt_load(void) {
  struct idt_descriptor d = {sizeof(idt) - 1, (uint64_t)idt};
  __asm__ volatile("lidt %0" : : "m"(d));
}

void idt_init(void) {
  for (int v = 0; v < 256; v++) {
    uint64_t a = (uint64_t)(isr_stubs + v * ISR_STUB_SIZE);
    idt[v] =
        (struct idt_entry){(uint16_t)a, SEL_CODE64, 0, GATE_INTERRUPT_64, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0};
  }
  idt_load();
}

void set_interrupt_handler(uint8_t vector, interrupt_handler handler) { handlers[vector] = handler; }

void interrupt_dispatch(struct interrupt_frame *f) {
  if (f->vector >= 32 && handlers[f->vector]) {
    handlers[f->vector](f);
    return;
  }
  if (f->vector < 32) {
    printf_unlocked("FAIL: unexpected exception %s (vector %lu), error code 0x%lx, RIP 0x%lx",
                    exception_names[f->vector], f->vector, f->error_code, f->rip);
    if (f->vector == 14) printf_unlocked(", CR2 0x%lx", read_cr2());
    printf_unlocked("\n");
  } else {
    printf_unlocked("FAIL: unexpected interrupt vector %lu at RIP 0x%lx\n", f->vector, f->rip);
  }
  exit(EXIT_CODE_EXCEPTION);
}
