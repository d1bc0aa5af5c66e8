#include "timing.h"

#include "cpu.h"
#include "io.h"

#define PIT_HZ 1193182ull
#define PIT_CH2_DATA 0x42
#define PIT_MODE 0x43
#define PORT_61 0x61  // bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output
#define CALIBRATION_MS 10

static uint64_t cached_hz;
static const char *cached_source = "unknown";
static bool probed;

// One calibration sample with PIT channel 2 in mode 0 (interrupt on terminal count): OUT
// goes low when the mode is written and high when the count expires (Intel 8254 datasheet,
// "Mode 0"). Every port access is a VM exit after which the vCPU may have been descheduled,
// so the start and the end are each bracketed by TSC reads. Returns the TSC ticks of the
// interval and, in *uncertainty, the width of the bracket; 0 if OUT never went high.
static uint64_t pit_sample(uint64_t *uncertainty) {
  const uint16_t count = (uint16_t)(PIT_HZ * CALIBRATION_MS / 1000);
  outb(PORT_61, (inb(PORT_61) & ~0x02) | 0x01);  // gate high, speaker off
  outb(PIT_MODE, 0xb0);                          // channel 2, lobyte/hibyte, mode 0, binary
  outb(PIT_CH2_DATA, count & 0xff);
  uint64_t start_lo = rdtsc();
  outb(PIT_CH2_DATA, count >> 8);  // counting starts once the count is complete
  uint64_t start_hi = rdtsc(), last_low = start_hi;
  for (int i = 0; i < 5000000; i++) {
    uint64_t t = rdtsc();
    if (inb(PORT_61) & 0x20) {
      uint64_t end_hi = rdtsc();
      uint64_t shortest = last_low - start_hi, longest = end_hi - start_lo;
      *uncertainty = longest - shortest;
      return (shortest + longest) / 2;
    }
    last_low = t;
  }
  return 0;
}

// The sample with the tightest bracket out of a few; 0 unless one is within 2%.
static uint64_t calibrate_with_pit(void) {
  uint64_t best = 0, best_uncertainty = ~0ull;
  for (int i = 0; i < 8; i++) {
    uint64_t uncertainty, ticks = pit_sample(&uncertainty);
    if (!ticks) return 0;
    if (uncertainty < best_uncertainty) {
      best = ticks;
      best_uncertainty = uncertainty;
    }
    if (best_uncertainty * 100 < best) break;  // within 1%: good enough
  }
  return best_uncertainty * 50 < best ? best * 1000 / CALIBRATION_MS : 0;
}

static void probe(void) {
  probed = true;
  uint32_t max_leaf = cpuid(0, 0).eax;
  if (max_leaf >= 0x15) {
    struct cpuid_regs r = cpuid(0x15, 0);  // TSC/crystal ratio EBX/EAX, crystal Hz in ECX (SDM Vol. 2A CPUID)
    if (r.eax && r.ebx && r.ecx) {
      cached_hz = (uint64_t)r.ecx * r.ebx / r.eax;
      cached_source = "cpuid-0x15";
      return;
    }
  }
  if (max_leaf >= 0x16 && (cpuid(0x16, 0).eax & 0xffff)) {
    cached_hz = (uint64_t)(cpuid(0x16, 0).eax & 0xffff) * 1000000;
    cached_source = "cpuid-0x16";
    return;
  }
  if ((cpuid(1, 0).ecx & (1u << 31)) && cpuid(0x40000000, 0).eax >= 0x40000010 && cpuid(0x40000010, 0).eax) {
    cached_hz = (uint64_t)cpuid(0x40000010, 0).eax * 1000;  // kHz, the VMware-style timing leaf
    cached_source = "hypervisor-leaf";
    return;
  }
  cached_hz = calibrate_with_pit();
  if (cached_hz) cached_source = "pit";
}

uint64_t tsc_hz(void) {
  if (!probed) probe();
  return cached_hz;
}

const char *tsc_hz_source(void) {
  tsc_hz();
  return cached_source;
}

uint64_t tsc_hz_for_timeouts(void) {
  uint64_t hz = tsc_hz();
  return hz ? hz : 4000000000ull;
}

void delay_us(uint64_t us) {
  uint64_t end = rdtsc() + tsc_hz_for_timeouts() / 1000000 * us;
  while (rdtsc() < end) cpu_relax();
}

struct deadline deadline_in_ms(uint64_t ms) {
  return (struct deadline){rdtsc() + tsc_hz_for_timeouts() / 1000 * ms};
}

bool deadline_passed(struct deadline d) { return rdtsc() >= d.end_tsc; }
