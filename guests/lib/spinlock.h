// A test-and-set spinlock (XCHG with memory is implicitly locked, SDM Vol. 2B XCHG).
#pragma once

#include <stdint.h>

#include "cpu.h"

struct spinlock {
  volatile uint32_t locked;
};

static inline void spin_lock(struct spinlock *l) {
  for (;;) {
    uint32_t old = 1;
    __asm__ volatile("xchg %0, %1" : "+r"(old), "+m"(l->locked) : : "memory");
    if (old == 0) return;
    while (l->locked) cpu_relax();
  }
}

static inline void spin_unlock(struct spinlock *l) {
  barrier();
  l->locked = 0;
}
