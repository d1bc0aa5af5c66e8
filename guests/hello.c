// The demo guest: shows what the VMM handed over (command line, memory map, CPUs)
// and brings every application processor online.
#include "guest.h"

static struct spinlock online_lock;
static volatile unsigned online_count;

static const char *mmap_type_name(uint32_t type) {
  switch (type) {
    case 1:
      return "available";
    case 2:
      return "reserved";
    case 3:
      return "ACPI reclaimable";
    case 4:
      return "ACPI NVS";
    case 5:
      return "bad memory";
    default:
      return "unknown";
  }
}

static void ap_main(unsigned cpu) {
  spin_lock(&online_lock);
  online_count++;
  spin_unlock(&online_lock);
  printf("  cpu %u online (APIC ID %u)\n", cpu, lapic_id());
}

int main(void) {
  printf("\n");
  printf("==============================================\n");
  printf("  Hello from a nestvisor test guest!\n");
  printf("  64-bit long mode, entered through multiboot\n");
  printf("==============================================\n");
  if (boot_info.loader_name[0]) printf("boot loader:  %s\n", boot_info.loader_name);
  printf("command line: \"%s\"\n", boot_info.cmdline);
  if (boot_info.flags & 1)
    printf("memory:       %u KiB lower, %u KiB upper\n", boot_info.mem_lower_kib, boot_info.mem_upper_kib);
  printf("memory map (%u entries):\n", boot_info.mmap_count);
  uint64_t available = 0;
  for (unsigned i = 0; i < boot_info.mmap_count; i++) {
    const struct boot_mmap_entry *e = &boot_info.mmap[i];
    printf("  [0x%012lx - 0x%012lx] %s\n", e->addr, e->addr + e->len - 1, mmap_type_name(e->type));
    if (e->type == 1) available += e->len;
  }
  report("memory map lists available RAM", available > 0);

  char signature[5] = {0};
  fw_cfg_read(FW_CFG_SIGNATURE, signature, 4);
  unsigned cpus = fw_cfg_read_u16(FW_CFG_NB_CPUS);
  printf("fw_cfg:       signature \"%s\", %u CPU(s)\n", signature, cpus);
  printf("boot CPU:     APIC ID %u, TSC %lu MHz (%s)\n", lapic_id(), tsc_hz() / 1000000, tsc_hz_source());

  lapic_enable();
  printf("starting application processors...\n");
  online_count = 1;
  printf("  cpu 0 online (APIC ID %u, boot CPU)\n", lapic_id());
  smp_start_aps(ap_main);
  struct deadline d = deadline_in_ms(1000);
  while (online_count < cpus && !deadline_passed(d)) cpu_relax();
  reportf(online_count == cpus, "all %u CPUs online", cpus);
  printf("Goodbye!\n");
  return report_summary();
}
