// ACPI table discovery (ACPI 6.5 spec 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.9 FADT, 5.2.12 MADT).
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct acpi_rsdp {
  char signature[8];  // "RSD PTR "
  uint8_t checksum;   // over the first 20 bytes
  char oem_id[6];
  uint8_t revision;  // 0: ACPI 1.0 (20 bytes), 2+: the extended fields below exist
  uint32_t rsdt_address;
  uint32_t length;
  uint64_t xsdt_address;
  uint8_t extended_checksum;  // over `length` bytes
  uint8_t reserved[3];
} __attribute__((packed));

struct acpi_header {
  char signature[4];
  uint32_t length;
  uint8_t revision, checksum;
  char oem_id[6], oem_table_id[8];
  uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));

// FADT field offsets used here (ACPI 6.5 Table 5.9).
#define FADT_DSDT 40
#define FADT_PM_TMR_BLK 76
#define FADT_PM_TMR_LEN 91
#define FADT_FLAGS 112
#define FADT_FLAG_TMR_VAL_EXT (1u << 8)  // 32-bit PM timer, else 24-bit

// MADT (ACPI 6.5 5.2.12): header, local APIC address, flags, then entries.
#define MADT_ENTRIES_OFFSET 44
#define MADT_TYPE_LOCAL_APIC 0
#define MADT_TYPE_IO_APIC 1
#define MADT_LAPIC_ENABLED 1u

#define ACPI_MAX_CPUS 64

struct madt_summary {
  unsigned enabled_cpus;
  uint8_t apic_ids[ACPI_MAX_CPUS];
  unsigned ioapics;
  uint32_t ioapic_address[4];
  uint32_t lapic_address;
};

bool acpi_checksum_ok(const void *p, uint32_t len);
// Searches the first KiB of the EBDA, then 0xE0000-0xFFFFF, on 16-byte boundaries; NULL if absent.
const struct acpi_rsdp *acpi_find_rsdp(void);
// Finds a table by signature through the XSDT (if the RSDP has one) or the RSDT.
const struct acpi_header *acpi_find_table(const char *signature);
bool acpi_parse_madt(struct madt_summary *out);
// The PM timer I/O port from the FADT, 0 if none.
uint16_t acpi_pm_timer_port(void);
