// The few C library string functions the guests need (the compiler may also emit
// calls to memcpy/memset on its own in freestanding code).
#pragma once

#include <stdbool.h>
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
