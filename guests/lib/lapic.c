#include "lapic.h"

#include "cpu.h"
#include "interrupts.h"
#include "io.h"
#include "timing.h"

#define APIC_PROBE_VECTOR 0xfe
#define ICR_SELF (1u << 18)  // destination shorthand 01b

static volatile bool probe_ran, probe_in_service;

static uint64_t lapic_base(void) { return rdmsr(MSR_IA32_APIC_BASE) & 0xfffff000ull; }

uint32_t lapic_read(uint32_t reg) { return mmio_read32(lapic_base() + reg); }
void lapic_write(uint32_t reg, uint32_t value) { mmio_write32(lapic_base() + reg, value); }

static void spurious_handler(struct interrupt_frame *f) { (void)f; }  // no EOI (SDM Vol. 3A 11.9)

void lapic_enable(void) {
  set_interrupt_handler(APIC_SPURIOUS_VECTOR, spurious_handler);
  wrmsr(MSR_IA32_APIC_BASE, rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_ENABLE);
  lapic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
  lapic_write(APIC_TPR, 0);
}

uint8_t lapic_id(void) { return (uint8_t)(lapic_read(APIC_ID) >> 24); }

void lapic_eoi(void) { lapic_write(APIC_EOI, 0); }

bool lapic_in_service(uint8_t vector) { return lapic_read(APIC_ISR + (vector / 32) * 0x10) & (1u << (vector % 32)); }
bool lapic_requested(uint8_t vector) { return lapic_read(APIC_IRR + (vector / 32) * 0x10) & (1u << (vector % 32)); }

bool lapic_send_ipi(uint8_t dest_apic_id, uint32_t icr_low) {
  lapic_write(APIC_ICR_HIGH, (uint32_t)dest_apic_id << 24);
  lapic_write(APIC_ICR_LOW, icr_low);  // writing the low half sends (SDM Vol. 3A 11.6.1)
  for (int i = 0; i < 1000000; i++) {
    if (!(lapic_read(APIC_ICR_LOW) & APIC_ICR_DELIVERY_PENDING)) return true;
    cpu_relax();
  }
  return false;
}

static void probe_handler(struct interrupt_frame *f) {
  (void)f;
  probe_in_service = lapic_in_service(APIC_PROBE_VECTOR);
  probe_ran = true;
  lapic_eoi();
}

bool lapic_models_in_service(void) {
  set_interrupt_handler(APIC_PROBE_VECTOR, probe_handler);
  probe_ran = probe_in_service = false;
  lapic_write(APIC_ICR_HIGH, 0);
  lapic_write(APIC_ICR_LOW, ICR_SELF | APIC_PROBE_VECTOR);
  // A loaded host may deschedule the vCPU for a long time, so the wait is
  // generous and the handler stays installed: a probe that arrives after
  // the deadline is harmless rather than an "unexpected interrupt".
  struct deadline d = deadline_in_ms(2000);
  irq_enable();
  while (!probe_ran && !deadline_passed(d)) cpu_relax();
  irq_disable();
  return probe_ran && probe_in_service;
}
