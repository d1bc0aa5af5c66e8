// IDT with a stub for every vector. Exceptions, and interrupts without a handler,
// print what happened and end the test with a failure instead of hanging it.
#pragma once

#include <stdint.h>

struct interrupt_frame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error_code;
  uint64_t rip, cs, rflags, rsp, ss;  // pushed by the CPU (SDM Vol. 3A 7.14.2)
};

typedef void (*interrupt_handler)(struct interrupt_frame *frame);

#define EXIT_CODE_EXCEPTION 2

void idt_init(void);  // builds the IDT and loads it on the calling CPU
void idt_load(void);  // loads the already-built IDT (APs)
void set_interrupt_handler(uint8_t vector, interrupt_handler handler);
