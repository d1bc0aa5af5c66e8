// SMP bring-up: INIT-SIPI-SIPI to every CPU in the MADT, a shared counter under a
// spinlock, distinct APIC IDs, and a fixed IPI from the boot CPU to each AP.
#include "guest.h"

#define INCREMENTS_PER_CPU 20000
#define IPI_VECTOR 0x60

static struct spinlock lock;
static volatile unsigned arrived;
static volatile uint8_t arrived_ids[MAX_CPUS];
static volatile uint64_t shared_counter;
static volatile unsigned finished;
static volatile bool ipi_received[256];
static volatile bool stop;

static void add_to_counter(void) {
  for (int i = 0; i < INCREMENTS_PER_CPU; i++) {
    spin_lock(&lock);
    shared_counter = shared_counter + 1;  // a read-modify-write that races without the lock
    spin_unlock(&lock);
  }
}

static void ipi_handler(struct interrupt_frame *f) {
  (void)f;
  ipi_received[lapic_id()] = true;
  lapic_eoi();
}

static void ap_main(unsigned cpu) {
  (void)cpu;
  spin_lock(&lock);
  arrived_ids[arrived++] = lapic_id();
  spin_unlock(&lock);
  add_to_counter();
  __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
  while (!stop) safe_halt();  // wait for the IPI (and for the end of the test)
  irq_disable();
}

static bool wait_until(volatile unsigned *value, unsigned target, unsigned ms) {
  struct deadline d = deadline_in_ms(ms);
  while (*value < target && !deadline_passed(d)) cpu_relax();
  return *value >= target;
}

int main(void) {
  uint64_t expected;
  if (!cmdline_uint("cpus", &expected)) expected = fw_cfg_read_u16(FW_CFG_NB_CPUS);
  unsigned madt_cpus = smp_cpus_in_madt();
  reportf(madt_cpus == expected, "MADT lists %u enabled CPUs, expected %lu", madt_cpus, expected);
  if (expected > MAX_CPUS) expected = MAX_CPUS;

  lapic_enable();
  set_interrupt_handler(IPI_VECTOR, ipi_handler);
  uint8_t bsp_id = lapic_id();
  uint64_t t0 = rdtsc();
  unsigned started = smp_start_aps(ap_main);
  uint64_t start_cycles = rdtsc() - t0;
  reportf(started == expected - 1, "%u of %lu APs started", started, expected - 1);
  if (tsc_hz()) printf("AP start-up took %lu us in all\n", start_cycles * 1000000 / tsc_hz());

  add_to_counter();
  bool all_arrived = wait_until(&arrived, expected - 1, 2000);
  bool all_finished = wait_until(&finished, expected - 1, 5000);
  reportf(all_arrived, "all APs arrived (%u)", arrived);
  reportf(all_finished && shared_counter == (uint64_t)expected * INCREMENTS_PER_CPU,
          "shared counter under the spinlock is %lu, expected %lu", shared_counter,
          (uint64_t)expected * INCREMENTS_PER_CPU);

  bool distinct = true;
  for (unsigned i = 0; i < arrived; i++) {
    distinct &= arrived_ids[i] != bsp_id;
    for (unsigned j = i + 1; j < arrived; j++) distinct &= arrived_ids[i] != arrived_ids[j];
  }
  printf("BSP APIC ID %u; AP APIC IDs:", bsp_id);
  for (unsigned i = 0; i < arrived; i++) printf(" %u", arrived_ids[i]);
  printf("\n");
  report("APIC IDs of all CPUs are distinct", distinct);

  bool ipis = true;
  for (unsigned i = 0; i < arrived; i++) {
    uint8_t id = arrived_ids[i];
    lapic_send_ipi(id, IPI_VECTOR);  // fixed delivery, physical destination, edge
    struct deadline d = deadline_in_ms(1000);
    while (!ipi_received[id] && !deadline_passed(d)) cpu_relax();
    ipis &= ipi_received[id];
  }
  if (arrived)
    reportf(ipis, "fixed IPI from the BSP reached each of %u APs", arrived);
  else
    report_skip("fixed IPI to each AP", "no APs: run with -smp 2 or more");
  stop = true;
  return report_summary();
}
