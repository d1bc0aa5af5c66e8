// Local APIC timer (SDM Vol. 3A 11.5.4): one-shot, periodic, divide configuration,
// TSC-deadline mode and EOI.
#include "guest.h"

#define TIMER_VECTOR 0x50
#define LVT_ONE_SHOT 0
#define LVT_PERIODIC (1u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

// Divide Configuration Register values (SDM Vol. 3A Figure 11-10): bits 3, 1:0.
#define DIVIDE_BY_2 0x0
#define DIVIDE_BY_16 0x3
#define DIVIDE_BY_1 0xb

static volatile unsigned ticks;
static volatile uint64_t last_tick_tsc;
static volatile bool send_eoi = true;

static void timer_handler(struct interrupt_frame *f) {
  (void)f;
  last_tick_tsc = rdtsc();
  ticks++;
  if (send_eoi) lapic_eoi();
}

// Waits with interrupts enabled until `n` ticks arrived or `ms` passed.
static bool wait_ticks(unsigned n, unsigned ms) {
  struct deadline d = deadline_in_ms(ms);
  irq_enable();
  while (ticks < n && !deadline_passed(d)) cpu_relax();
  irq_disable();
  return ticks >= n;
}

static void idle_ms(unsigned ms) {
  irq_enable();
  delay_us(ms * 1000);
  irq_disable();
}

static void stop_timer(void) {
  lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
  lapic_write(APIC_TIMER_INITIAL, 0);
}

static void test_enable(void) {
  reportf(rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ENABLE, "IA32_APIC_BASE global enable (0x%lx)",
          rdmsr(MSR_IA32_APIC_BASE));
  uint32_t svr = lapic_read(APIC_SVR);
  reportf((svr & 0x1ff) == (APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR), "SVR software enable and vector (0x%x)", svr);
  uint32_t version = lapic_read(APIC_VERSION);
  reportf((version & 0xff) >= 0x10 && ((version >> 16) & 0xff) >= 3, "version 0x%x: integrated APIC, >= 4 LVT entries",
          version);
}

static void test_one_shot(void) {
  ticks = 0;
  lapic_write(APIC_TIMER_DIVIDE, DIVIDE_BY_16);
  lapic_write(APIC_LVT_TIMER, LVT_ONE_SHOT | TIMER_VECTOR);
  lapic_write(APIC_TIMER_INITIAL, 200000);
  uint32_t c1 = lapic_read(APIC_TIMER_CURRENT);
  delay_us(50);
  uint32_t c2 = lapic_read(APIC_TIMER_CURRENT);
  reportf(c1 > 0 && c1 <= 200000 && c2 < c1, "one-shot current count counts down (%u -> %u)", c1, c2);
  reportf(wait_ticks(1, 1000), "one-shot interrupt delivered");
  idle_ms(10);
  reportf(ticks == 1, "one-shot fired exactly once (%u)", ticks);
  reportf(lapic_read(APIC_TIMER_CURRENT) == 0, "one-shot current count stays 0 after expiry");
  stop_timer();
}

static void test_periodic(void) {
  ticks = 0;
  lapic_write(APIC_TIMER_DIVIDE, DIVIDE_BY_16);
  lapic_write(APIC_LVT_TIMER, LVT_PERIODIC | TIMER_VECTOR);
  lapic_write(APIC_TIMER_INITIAL, 100000);
  uint64_t start = rdtsc();
  bool got = wait_ticks(5, 2000);
  uint64_t elapsed = last_tick_tsc - start;
  reportf(got, "periodic mode delivered %u interrupts (want 5)", ticks);
  uint32_t current = lapic_read(APIC_TIMER_CURRENT);
  reportf(current > 0 && current <= 100000, "periodic current count reloads (%u)", current);
  stop_timer();
  idle_ms(5);  // a tick already pending in the IRR may still arrive
  unsigned after_stop = ticks;
  idle_ms(10);
  reportf(ticks == after_stop, "no interrupts after writing initial count 0 (%u)", ticks - after_stop);
  if (got && tsc_hz()) printf("periodic: 5 ticks in %lu us\n", elapsed * 1000000 / tsc_hz());
}

// Timer counts per million TSC cycles with the LVT masked (a masked timer still counts).
// Each current-count read is a VM exit, so it is stamped with the TSC midpoint around it,
// and the median of three samples shrugs off one preemption of the vCPU.
static uint64_t count_rate(uint32_t divide) {
  uint64_t rates[3];
  for (int i = 0; i < 3; i++) {
    lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | LVT_ONE_SHOT | TIMER_VECTOR);
    lapic_write(APIC_TIMER_DIVIDE, divide);
    lapic_write(APIC_TIMER_INITIAL, 0xffffffffu);
    uint64_t a0 = rdtsc();
    uint32_t c0 = lapic_read(APIC_TIMER_CURRENT);
    uint64_t b0 = rdtsc();
    delay_us(1000);
    uint64_t a1 = rdtsc();
    uint32_t c1 = lapic_read(APIC_TIMER_CURRENT);
    uint64_t b1 = rdtsc();
    lapic_write(APIC_TIMER_INITIAL, 0);
    rates[i] = (uint64_t)(c0 - c1) * 1000000 / ((a1 + b1) / 2 - (a0 + b0) / 2);
  }
  uint64_t lo = rates[0] < rates[1] ? rates[0] : rates[1], hi = rates[0] < rates[1] ? rates[1] : rates[0];
  return rates[2] < lo ? lo : rates[2] > hi ? hi : rates[2];
}

static void test_divide(void) {
  uint64_t by1 = count_rate(DIVIDE_BY_1), by2 = count_rate(DIVIDE_BY_2), by16 = count_rate(DIVIDE_BY_16);
  reportf(by16 && by2 > by16 * 6 && by2 < by16 * 10,
          "divide by 2 counts ~8x faster than by 16 (%lu vs %lu per 1M TSC cycles)", by2, by16);
  reportf(by2 && by1 > by2 * 3 / 2 && by1 < by2 * 5 / 2, "divide by 1 counts ~2x faster than by 2 (%lu vs %lu)", by1,
          by2);
  if (tsc_hz()) printf("APIC timer input clock ~%lu MHz\n", by1 * (tsc_hz() / 1000000) / 1000000);
}

static void test_eoi(bool isr_modelled) {
  if (!isr_modelled) {
    report_skip("EOI gates the next timer interrupt", LAPIC_NO_ISR_REASON);
    return;
  }
  // Without EOI the vector stays in service and blocks its own next delivery (SDM Vol. 3A 11.8.3).
  ticks = 0;
  send_eoi = false;
  lapic_write(APIC_TIMER_DIVIDE, DIVIDE_BY_16);
  lapic_write(APIC_LVT_TIMER, LVT_PERIODIC | TIMER_VECTOR);
  lapic_write(APIC_TIMER_INITIAL, 20000);
  wait_ticks(1, 1000);
  idle_ms(10);
  unsigned held = ticks;
  bool in_service = lapic_in_service(TIMER_VECTOR), pending = lapic_requested(TIMER_VECTOR);
  send_eoi = true;
  lapic_eoi();
  bool resumed = wait_ticks(held + 2, 1000);
  stop_timer();
  reportf(held == 1 && in_service && pending, "without EOI: 1 interrupt, vector in ISR and next one in IRR (%u)", held);
  report("after EOI the held interrupt and later ones arrive", resumed);
}

static void test_tsc_deadline(void) {
  if (!(cpuid(1, 0).ecx & CPUID_1_ECX_TSC_DEADLINE)) {
    report_skip("TSC-deadline mode", "CPUID.1:ECX[24] is clear; run with -cpu qemu64,+tsc-deadline to test it");
    return;
  }
  ticks = 0;
  lapic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | TIMER_VECTOR);
  uint64_t deadline = rdtsc() + tsc_hz_for_timeouts() / 1000;  // 1 ms
  wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
  reportf(wait_ticks(1, 1000), "TSC-deadline interrupt delivered");
  reportf(last_tick_tsc >= deadline, "TSC-deadline interrupt not before the deadline (%ld cycles late)",
          (int64_t)(last_tick_tsc - deadline));
  reportf(rdmsr(MSR_IA32_TSC_DEADLINE) == 0, "IA32_TSC_DEADLINE reads 0 after firing");
  idle_ms(5);
  reportf(ticks == 1, "TSC-deadline fired once (%u)", ticks);

  ticks = 0;
  wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + tsc_hz_for_timeouts() / 1000);
  wrmsr(MSR_IA32_TSC_DEADLINE, 0);  // writing 0 disarms (SDM Vol. 3A 11.5.4.1)
  idle_ms(5);
  reportf(ticks == 0, "TSC-deadline disarmed by writing 0 (%u)", ticks);
  stop_timer();
}

int main(void) {
  lapic_enable();
  set_interrupt_handler(TIMER_VECTOR, timer_handler);
  bool isr_modelled = lapic_models_in_service();
  test_enable();
  test_one_shot();
  test_periodic();
  test_divide();
  test_eoi(isr_modelled);
  test_tsc_deadline();
  return report_summary();
}
