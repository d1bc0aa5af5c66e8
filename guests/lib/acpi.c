#include "acpi.h"

#include "io.h"
#include "string.h"

bool acpi_checksum_ok(const void *p, uint32_t len) {
  uint8_t sum = 0;
  for (uint32_t i = 0; i < len; i++) sum += ((const uint8_t *)p)[i];
  return sum == 0;
}

static const struct acpi_rsdp *scan_rsdp(uint64_t start, uint64_t end) {
  for (uint64_t a = start; a + 20 <= end; a += 16) {
    const struct acpi_rsdp *r = (const struct acpi_rsdp *)a;
    if (memcmp(r->signature, "RSD PTR ", 8) == 0 && acpi_checksum_ok(r, 20)) return r;
  }
  return 0;
}

// The search result is cached: on some hosts every read of the BIOS area is slow.
const struct acpi_rsdp *acpi_find_rsdp(void) {
  static const struct acpi_rsdp *rsdp;
  static bool searched;
  if (searched) return rsdp;
  searched = true;
  uint64_t ebda = (uint64_t)(*(volatile uint16_t *)phys_ptr(0x40e)) << 4;  // BDA word 0x40E: EBDA segment
  if (ebda >= 0x80000 && ebda < 0xa0000) rsdp = scan_rsdp(ebda, ebda + 1024);
  if (!rsdp) rsdp = scan_rsdp(0xe0000, 0x100000);
  return rsdp;
}

const struct acpi_header *acpi_find_table(const char *signature) {
  const struct acpi_rsdp *rsdp = acpi_find_rsdp();
  if (!rsdp) return 0;
  bool use_xsdt = rsdp->revision >= 2 && rsdp->xsdt_address;
  const struct acpi_header *root =
      (const struct acpi_header *)(use_xsdt ? rsdp->xsdt_address : (uint64_t)rsdp->rsdt_address);
  if (!root || root->length < sizeof(*root)) return 0;
  unsigned entry_size = use_xsdt ? 8 : 4;
  unsigned n = (root->length - sizeof(*root)) / entry_size;
  const uint8_t *entries = (const uint8_t *)(root + 1);
  for (unsigned i = 0; i < n; i++) {
    uint64_t addr = 0;
    memcpy(&addr, entries + i * entry_size, entry_size);
    const struct acpi_header *t = (const struct acpi_header *)addr;
    if (t && memcmp(t->signature, signature, 4) == 0) return t;
  }
  return 0;
}

bool acpi_parse_madt(struct madt_summary *out) {
  memset(out, 0, sizeof(*out));
  const struct acpi_header *madt = acpi_find_table("APIC");
  if (!madt) return false;
  const uint8_t *base = (const uint8_t *)madt;
  memcpy(&out->lapic_address, base + sizeof(struct acpi_header), 4);
  for (uint32_t off = MADT_ENTRIES_OFFSET; off + 2 <= madt->length;) {
    uint8_t type = base[off], len = base[off + 1];
    if (len < 2) return false;  // malformed: would loop forever
    if (type == MADT_TYPE_LOCAL_APIC && len >= 8) {
      uint32_t flags;
      memcpy(&flags, base + off + 4, 4);
      if ((flags & MADT_LAPIC_ENABLED) && out->enabled_cpus < ACPI_MAX_CPUS)
        out->apic_ids[out->enabled_cpus++] = base[off + 3];
    } else if (type == MADT_TYPE_IO_APIC && len >= 12) {
      if (out->ioapics < 4) memcpy(&out->ioapic_address[out->ioapics], base + off + 4, 4);
      out->ioapics++;
    }
    off += len;
  }
  return true;
}

uint16_t acpi_pm_timer_port(void) {
  const struct acpi_header *fadt = acpi_find_table("FACP");
  if (!fadt || fadt->length < FADT_PM_TMR_BLK + 4) return 0;
  uint32_t blk;
  memcpy(&blk, (const uint8_t *)fadt + FADT_PM_TMR_BLK, 4);
  return (uint16_t)blk;
}
