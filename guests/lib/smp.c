#include "smp.h"

#include <stdbool.h>

#include "acpi.h"
#include "console.h"
#include "cpu.h"
#include "interrupts.h"
#include "io.h"
#include "lapic.h"
#include "layout.h"
#include "string.h"
#include "timing.h"

// ICR encodings (SDM Vol. 3A 11.6.1): delivery mode INIT / Start-up, level assert.
#define ICR_INIT 0x00004500u
#define ICR_STARTUP 0x00004600u

extern char ap_trampoline_start[], ap_trampoline_end[];

uint64_t ap_stack_top;  // read by boot.S for the AP being started
static uint8_t ap_stacks[MAX_CPUS][AP_STACK_SIZE] __attribute__((aligned(16)));
static volatile unsigned ap_index;
static volatile bool ap_arrived;
static ap_function ap_fn;

void ap_start(void) {
  unsigned index = ap_index;
  idt_load();
  lapic_enable();
  barrier();
  ap_arrived = true;  // the BSP may now reuse ap_index and ap_stack_top
  ap_fn(index);
}

unsigned smp_cpus_in_madt(void) {
  struct madt_summary madt;
  if (!acpi_parse_madt(&madt) || madt.enabled_cpus == 0) return 1;
  return madt.enabled_cpus;
}

unsigned smp_start_aps(ap_function fn) {
  struct madt_summary madt;
  if (!acpi_parse_madt(&madt)) {
    printf("smp: no MADT, starting no APs\n");
    return 0;
  }
  memcpy(phys_ptr(AP_TRAMPOLINE_BASE), ap_trampoline_start, ap_trampoline_end - ap_trampoline_start);
  ap_fn = fn;
  uint8_t self = lapic_id();
  unsigned started = 0;
  for (unsigned i = 0; i < madt.enabled_cpus && started + 1 < MAX_CPUS; i++) {
    uint8_t id = madt.apic_ids[i];
    if (id == self) continue;
    ap_index = started + 1;
    ap_stack_top = (uint64_t)&ap_stacks[started + 1][AP_STACK_SIZE];
    ap_arrived = false;
    barrier();
    lapic_send_ipi(id, ICR_INIT);
    delay_us(10000);
    // The second SIPI is ignored by an AP that already left wait-for-SIPI.
    for (int sipi = 0; sipi < 2 && !ap_arrived; sipi++) {
      lapic_send_ipi(id, ICR_STARTUP | (AP_TRAMPOLINE_BASE >> 12));
      delay_us(200);
    }
    struct deadline d = deadline_in_ms(1000);
    while (!ap_arrived && !deadline_passed(d)) cpu_relax();
    if (!ap_arrived) {
      printf("smp: CPU with APIC ID %u did not start within 1 s\n", id);
      continue;
    }
    started++;
  }
  return started;
}
