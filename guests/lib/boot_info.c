#include "boot_info.h"

#include "console.h"
#include "string.h"

struct boot_info boot_info;

static void copy_string(char *dst, unsigned size, uint32_t src_addr) {
  const char *src = (const char *)(uint64_t)src_addr;
  unsigned i = 0;
  for (; i + 1 < size && src[i]; i++) dst[i] = src[i];
  dst[i] = '\0';
}

bool boot_info_capture(uint32_t magic, uint32_t info_addr) {
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
    printf("boot: EAX=0x%x at entry, expected the multiboot magic 0x%x (Multiboot spec 3.2)\n", magic,
           MULTIBOOT_BOOTLOADER_MAGIC);
    return false;
  }
  const struct multiboot_info *mbi = (const struct multiboot_info *)(uint64_t)info_addr;
  boot_info.flags = mbi->flags;
  if (mbi->flags & (1u << 0)) {
    boot_info.mem_lower_kib = mbi->mem_lower;
    boot_info.mem_upper_kib = mbi->mem_upper;
  }
  if (mbi->flags & (1u << 2)) copy_string(boot_info.cmdline, sizeof(boot_info.cmdline), mbi->cmdline);
  if (mbi->flags & (1u << 9)) copy_string(boot_info.loader_name, sizeof(boot_info.loader_name), mbi->boot_loader_name);
  if (mbi->flags & (1u << 6)) {
    uint64_t p = mbi->mmap_addr, end = (uint64_t)mbi->mmap_addr + mbi->mmap_length;
    while (p < end && boot_info.mmap_count < BOOT_MMAP_MAX) {
      const struct multiboot_mmap_entry *e = (const struct multiboot_mmap_entry *)p;
      struct boot_mmap_entry *out = &boot_info.mmap[boot_info.mmap_count++];
      out->addr = e->addr;
      out->len = e->len;
      out->type = e->type;
      p += e->size + sizeof(e->size);
    }
  }
  return true;
}

static bool parse_uint(const char *s, uint64_t *out) {
  uint64_t v = 0;
  unsigned base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  bool any = false;
  for (;; s++) {
    unsigned d;
    if (*s >= '0' && *s <= '9')
      d = *s - '0';
    else if (base == 16 && *s >= 'a' && *s <= 'f')
      d = *s - 'a' + 10;
    else if (base == 16 && *s >= 'A' && *s <= 'F')
      d = *s - 'A' + 10;
    else
      break;
    v = v * base + d;
    any = true;
  }
  if (!any || (*s != '\0' && *s != ' ')) return false;
  *out = v;
  return true;
}

bool cmdline_uint(const char *key, uint64_t *value) {
  size_t klen = strlen(key);
  const char *p = boot_info.cmdline;
  while (*p) {
    while (*p == ' ') p++;
    if (memcmp(p, key, klen) == 0 && p[klen] == '=') return parse_uint(p + klen + 1, value);
    while (*p && *p != ' ') p++;
  }
  return false;
}
