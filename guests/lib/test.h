// Test reporting and the isa-debug-exit exit path.
#pragma once

#include <stdbool.h>

#define DEBUG_EXIT_PORT 0xf4

// Writes `code` to isa-debug-exit; the VMM exits with status (code << 1) | 1.
__attribute__((noreturn)) void exit(int code);

// Prints "PASS: name" or "FAIL: name" and counts the result; returns `ok`.
bool report(const char *name, bool ok);
bool reportf(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// Prints "SKIP: name (why)"; a skip is neither a pass nor a failure.
void report_skip(const char *name, const char *why);
// Prints "SUMMARY: N tests, M failures" and returns the exit code for main(): 0 or 1.
int report_summary(void);
