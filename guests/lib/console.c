#include "console.h"

#include <stdbool.h>
#include <stdint.h>

#include "io.h"
#include "spinlock.h"

// 16550 registers (offsets from the base port) and bits used here.
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0
#define UART_DLM 1
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define LSR_THRE 0x20

static struct spinlock console_lock;

void console_init(void) {
  outb(COM1_BASE + UART_IER, 0);  // polled: no interrupts
  outb(COM1_BASE + UART_LCR, LCR_DLAB);
  outb(COM1_BASE + UART_DLL, 1);  // 115200 baud
  outb(COM1_BASE + UART_DLM, 0);
  outb(COM1_BASE + UART_LCR, LCR_8N1);
  outb(COM1_BASE + UART_FCR, 0x07);  // enable and clear FIFOs
  outb(COM1_BASE + UART_MCR, 0x03);  // DTR, RTS
}

void console_putc(char c) {
  // Bounded wait: a VMM that never sets THRE must not hang the guest forever.
  for (int i = 0; i < 100000 && !(inb(COM1_BASE + UART_LSR) & LSR_THRE); i++) {
  }
  outb(COM1_BASE + UART_THR, (uint8_t)c);
}

struct sink {
  char *buf;  // NULL: the console
  unsigned long size, len;
};

static void sink_put(struct sink *s, char c) {
  if (!s->buf) {
    if (c == '\n') console_putc('\r');
    console_putc(c);
  } else if (s->len + 1 < s->size) {
    s->buf[s->len] = c;
  }
  s->len++;
}

static void put_number(struct sink *s, uint64_t v, unsigned base, bool upper, bool negative, int width, bool zero_pad,
                       bool left) {
  char digits[24];
  int n = 0;
  const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    digits[n++] = set[v % base];
    v /= base;
  } while (v);
  int len = n + (negative ? 1 : 0);
  if (negative && zero_pad) sink_put(s, '-');
  if (!left)
    for (; width > len; width--) sink_put(s, zero_pad ? '0' : ' ');
  if (negative && !zero_pad) sink_put(s, '-');
  while (n) sink_put(s, digits[--n]);
  if (left)
    for (; width > len; width--) sink_put(s, ' ');
}

static void format(struct sink *s, const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      sink_put(s, *fmt);
      continue;
    }
    fmt++;
    bool left = false, zero_pad = false;
    for (;; fmt++) {
      if (*fmt == '-')
        left = true;
      else if (*fmt == '0')
        zero_pad = true;
      else
        break;
    }
    int width = 0;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    int longs = 0;
    while (*fmt == 'l' || *fmt == 'z') {
      longs++;
      fmt++;
    }
    switch (*fmt) {
      case 'd':
      case 'i': {
        int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
        put_number(s, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false, v < 0, width, zero_pad, left);
        break;
      }
      case 'u':
      case 'x':
      case 'X': {
        uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
        put_number(s, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', false, width, zero_pad, left);
        break;
      }
      case 'p':
        sink_put(s, '0');
        sink_put(s, 'x');
        put_number(s, (uint64_t)va_arg(ap, void *), 16, false, false, width, zero_pad, left);
        break;
      case 'c':
        sink_put(s, (char)va_arg(ap, int));
        break;
      case 's': {
        const char *str = va_arg(ap, const char *);
        if (!str) str = "(null)";
        int len = 0;
        while (str[len]) len++;
        if (!left)
          for (int w = width; w > len; w--) sink_put(s, ' ');
        for (const char *p = str; *p; p++) sink_put(s, *p);
        if (left)
          for (int w = width; w > len; w--) sink_put(s, ' ');
        break;
      }
      case '%':
        sink_put(s, '%');
        break;
      case '\0':
        return;
      default:  // unknown conversion: print it verbatim so the mistake is visible
        sink_put(s, '%');
        sink_put(s, *fmt);
        break;
    }
  }
}

int vprintf(const char *fmt, va_list ap) {
  struct sink s = {0, 0, 0};
  spin_lock(&console_lock);
  format(&s, fmt, ap);
  spin_unlock(&console_lock);
  return (int)s.len;
}

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

int printf_unlocked(const char *fmt, ...) {
  struct sink s = {0, 0, 0};
  va_list ap;
  va_start(ap, fmt);
  format(&s, fmt, ap);
  va_end(ap);
  return (int)s.len;
}

int vsnprintf(char *buf, unsigned long size, const char *fmt, va_list ap) {
  struct sink s = {buf, size, 0};
  format(&s, fmt, ap);
  if (size) buf[s.len < size ? s.len : size - 1] = '\0';
  return (int)s.len;
}

int snprintf(char *buf, unsigned long size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}
