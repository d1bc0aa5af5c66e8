#include "test.h"

#include <stdarg.h>

#include "console.h"
#include "cpu.h"
#include "io.h"
#include "spinlock.h"

static struct spinlock report_lock;
static unsigned tests, failures, skips;

void exit(int code) {
  outl(DEBUG_EXIT_PORT, (uint32_t)code);
  printf_unlocked("FAIL: isa-debug-exit at port 0x%x did not stop the VM (code %d)\n", DEBUG_EXIT_PORT, code);
  halt_forever();
}

bool report(const char *name, bool ok) {
  spin_lock(&report_lock);
  tests++;
  if (!ok) failures++;
  spin_unlock(&report_lock);
  printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
  return ok;
}

bool reportf(bool ok, const char *fmt, ...) {
  char name[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(name, sizeof(name), fmt, ap);
  va_end(ap);
  return report(name, ok);
}

void report_skip(const char *name, const char *why) {
  spin_lock(&report_lock);
  skips++;
  spin_unlock(&report_lock);
  printf("SKIP: %s (%s)\n", name, why);
}

int report_summary(void) {
  if (skips)
    printf("SUMMARY: %u tests, %u failures, %u skipped\n", tests, failures, skips);
  else
    printf("SUMMARY: %u tests, %u failures\n", tests, failures);
  return failures ? 1 : 0;
}
