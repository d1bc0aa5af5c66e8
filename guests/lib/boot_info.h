// What the multiboot loader told us, copied out of the loader's structures at start-up
// (they may sit in low memory that the AP trampoline later reuses).
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

// Multiboot spec 3.3, "Boot information format": the fields used here.
struct multiboot_info {
  uint32_t flags;
  uint32_t mem_lower, mem_upper;  // KiB, valid if flags bit 0
  uint32_t boot_device;
  uint32_t cmdline;  // flags bit 2
  uint32_t mods_count, mods_addr;
  uint32_t syms[4];
  uint32_t mmap_length, mmap_addr;  // flags bit 6
  uint32_t drives_length, drives_addr;
  uint32_t config_table;
  uint32_t boot_loader_name;  // flags bit 9
} __attribute__((packed));

struct multiboot_mmap_entry {
  uint32_t size;  // of the rest of the entry, excluding this field
  uint64_t addr, len;
  uint32_t type;  // 1: available RAM
} __attribute__((packed));

#define BOOT_MMAP_MAX 32

struct boot_mmap_entry {
  uint64_t addr, len;
  uint32_t type;
};

struct boot_info {
  uint32_t flags;
  uint32_t mem_lower_kib, mem_upper_kib;
  char cmdline[256];
  char loader_name[64];
  unsigned mmap_count;
  struct boot_mmap_entry mmap[BOOT_MMAP_MAX];
};

extern struct boot_info boot_info;

// Copies the loader's data; returns false (with a message) if EAX held the wrong magic.
bool boot_info_capture(uint32_t magic, uint32_t info_addr);

// Looks up "key=value" in the command line; value parsed as decimal or 0x-hex.
bool cmdline_uint(const char *key, uint64_t *value);
