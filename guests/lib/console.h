// Polled 16550 console on COM1 and a small printf.
#pragma once

#include <stdarg.h>

#define COM1_BASE 0x3f8

void console_init(void);
void console_putc(char c);

// Conversions: %d %i %u %x %X %p %s %c %%, flags '-' and '0', a field width and the
// length modifiers l, ll, z. printf() holds a lock so lines from several CPUs don't mix.
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
// Without the lock, for fatal paths that may interrupt a printf() on the same CPU.
int printf_unlocked(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int snprintf(char *buf, unsigned long size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, unsigned long size, const char *fmt, va_list ap);
