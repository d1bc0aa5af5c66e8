// ACPI tables: RSDP, RSDT/XSDT, FADT, MADT checksums and contents; PM timer rate.
#include "guest.h"

#define PM_TIMER_HZ 3579545ull

static bool check_table(const char *what, const struct acpi_header *t) {
  if (!reportf(t != 0, "%s present", what)) return false;
  return reportf(t->length >= sizeof(*t) && acpi_checksum_ok(t, t->length), "%s checksum (length %u)", what, t->length);
}

static void test_root_tables(const struct acpi_rsdp *rsdp) {
  report("RSDP checksum (first 20 bytes)", acpi_checksum_ok(rsdp, 20));
  printf("RSDP at %p, revision %u, OEM \"%c%c%c%c%c%c\"\n", (const void *)rsdp, rsdp->revision, rsdp->oem_id[0],
         rsdp->oem_id[1], rsdp->oem_id[2], rsdp->oem_id[3], rsdp->oem_id[4], rsdp->oem_id[5]);
  bool xsdt = rsdp->revision >= 2 && rsdp->xsdt_address;
  if (rsdp->revision >= 2) report("RSDP extended checksum", rsdp->length >= 36 && acpi_checksum_ok(rsdp, rsdp->length));
  report("RSDT or XSDT present", rsdp->rsdt_address || xsdt);
  if (rsdp->rsdt_address) {
    const struct acpi_header *rsdt = (const struct acpi_header *)(uint64_t)rsdp->rsdt_address;
    if (check_table("RSDT", rsdt)) report("RSDT signature", memcmp(rsdt->signature, "RSDT", 4) == 0);
  }
  if (xsdt) {
    const struct acpi_header *x = (const struct acpi_header *)rsdp->xsdt_address;
    if (check_table("XSDT", x)) report("XSDT signature", memcmp(x->signature, "XSDT", 4) == 0);
  } else {
    report_skip("XSDT checksum", "RSDP revision < 2 has no XSDT");
  }
}

static void test_madt(void) {
  if (!check_table("MADT", acpi_find_table("APIC"))) return;
  struct madt_summary madt;
  if (!report("MADT entries parse", acpi_parse_madt(&madt))) return;
  uint64_t expected;
  if (!cmdline_uint("cpus", &expected)) expected = fw_cfg_read_u16(FW_CFG_NB_CPUS);
  reportf(madt.enabled_cpus == expected, "MADT has %u enabled local APICs, expected %lu", madt.enabled_cpus, expected);
  bool distinct = true;
  for (unsigned i = 0; i < madt.enabled_cpus; i++)
    for (unsigned j = i + 1; j < madt.enabled_cpus; j++) distinct &= madt.apic_ids[i] != madt.apic_ids[j];
  report("MADT local APIC IDs are distinct", distinct);
  reportf(madt.lapic_address == APIC_DEFAULT_BASE, "MADT local APIC address 0x%x", madt.lapic_address);
  reportf(madt.ioapics >= 1 && madt.ioapic_address[0] == IOAPIC_DEFAULT_BASE, "MADT IOAPIC at 0x%x (%u IOAPICs)",
          madt.ioapics ? madt.ioapic_address[0] : 0, madt.ioapics);
}

static uint32_t pm_timer_mask(const struct acpi_header *fadt) {
  uint32_t flags = 0;
  if (fadt->length >= FADT_FLAGS + 4) memcpy(&flags, (const uint8_t *)fadt + FADT_FLAGS, 4);
  return (flags & FADT_FLAG_TMR_VAL_EXT) ? 0xffffffffu : 0xffffffu;
}

static void test_pm_timer(const struct acpi_header *fadt) {
  uint16_t port = acpi_pm_timer_port();
  uint8_t len = ((const uint8_t *)fadt)[FADT_PM_TMR_LEN];
  if (!reportf(port != 0 && len == 4, "FADT PM timer block at port 0x%x, length %u", port, len)) return;
  uint32_t mask = pm_timer_mask(fadt);

  // Each read is a VM exit: few reads, the waiting is done on the TSC.
  uint32_t a = inl(port) & mask;
  delay_us(100);
  uint32_t b = inl(port) & mask;
  reportf(a != b, "PM timer advances (0x%x -> 0x%x)", a, b);

  uint64_t hz = tsc_hz();
  if (!hz) {
    report_skip("PM timer rate", "TSC frequency unknown: no CPUID 0x15/0x16 and PIT calibration failed");
    return;
  }
  // Both PM timer reads are bracketed by TSC reads (the vCPU may be descheduled during
  // an exit); retry until the brackets are within 1% of the interval.
  const uint64_t interval = hz / 1000 * 20;  // 20 ms
  uint64_t rate = 0;
  for (int attempt = 0; attempt < 5; attempt++) {
    uint64_t a0 = rdtsc();
    uint32_t p0 = inl(port);
    uint64_t b0 = rdtsc();
    while (rdtsc() - b0 < interval) cpu_relax();
    uint64_t a1 = rdtsc();
    uint32_t p1 = inl(port);
    uint64_t b1 = rdtsc();
    uint64_t ticks = (p1 - p0) & mask;
    rate = ticks * hz / ((a1 + b1) / 2 - (a0 + b0) / 2);
    if (((b0 - a0) + (b1 - a1)) * 100 < interval) break;
  }
  reportf(rate > PM_TIMER_HZ * 3 / 4 && rate < PM_TIMER_HZ * 5 / 4,
          "PM timer rate %lu Hz within 25%% of 3579545 Hz (TSC %lu Hz from %s)", rate, hz, tsc_hz_source());
}

int main(void) {
  const struct acpi_rsdp *rsdp = acpi_find_rsdp();
  if (!report("RSDP found in the EBDA or 0xE0000-0xFFFFF", rsdp != 0)) return report_summary();
  test_root_tables(rsdp);
  const struct acpi_header *fadt = acpi_find_table("FACP");
  if (check_table("FADT", fadt)) {
    uint32_t dsdt;
    memcpy(&dsdt, (const uint8_t *)fadt + FADT_DSDT, 4);
    if (dsdt) check_table("DSDT", (const struct acpi_header *)(uint64_t)dsdt);
    test_pm_timer(fadt);
  }
  test_madt();
  return report_summary();
}
