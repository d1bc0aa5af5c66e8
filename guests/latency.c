// Exit latency: average TSC cycles per operation for accesses that leave the guest.
// Prints one line per case, "latency <name> <cycles>", parsed by bench/compare_qemu.sh;
// the case names are a stable interface: cpuid, pci_io, pci_mem, pmtimer, testdev_io.
// "iterations=N" on the command line overrides the default of 2000 per case.
#include "guest.h"

#define WARMUP 50
#define TESTDEV_VENDOR 0x1b36
#define TESTDEV_DEVICE 0x0005
#define TESTDEV_DATA_PORT 0xe0

// pci-testdev header fields (see pci.c); test 0 is the "no-eventfd" test, whose writes
// reach the VMM's device model rather than an ioeventfd.
#define HDR_TEST 0
#define HDR_WIDTH 1
#define HDR_OFFSET 4
#define HDR_DATA 8
#define HDR_COUNT 12

static uint64_t iterations = 2000;

struct pci_target {
  bool io;
  uint64_t addr;  // port or MMIO address of the test write
  uint8_t width;
  uint32_t data;
};
static struct pci_target pci_io_target, pci_mem_target;
static uint16_t pm_timer_port;

static void op_cpuid(void) { cpuid(0, 0); }

static void pci_write(const struct pci_target *t) {
  if (t->io) {
    if (t->width == 1)
      outb(t->addr, t->data);
    else if (t->width == 2)
      outw(t->addr, t->data);
    else
      outl(t->addr, t->data);
  } else {
    if (t->width == 1)
      mmio_write8(t->addr, t->data);
    else if (t->width == 2)
      mmio_write16(t->addr, t->data);
    else
      mmio_write32(t->addr, t->data);
  }
}
static void op_pci_io(void) { pci_write(&pci_io_target); }
static void op_pci_mem(void) { pci_write(&pci_mem_target); }
static void op_pmtimer(void) { inl(pm_timer_port); }

static unsigned testdev_mismatches;
static void op_testdev_io(void) {  // one write and one read: two exits per call
  static uint32_t v;
  outl(TESTDEV_DATA_PORT, ++v);
  if (inl(TESTDEV_DATA_PORT) != v) testdev_mismatches++;
}

static void measure(const char *name, void (*op)(void), unsigned exits_per_op) {
  for (int i = 0; i < WARMUP; i++) op();
  uint64_t t0 = rdtsc();
  for (uint64_t i = 0; i < iterations; i++) op();
  uint64_t cycles = (rdtsc() - t0) / (iterations * exits_per_op);
  printf("latency %s %lu\n", name, cycles);
  reportf(cycles > 0, "%s measured over %lu iterations", name, iterations);
}

// Selects test 0 in the BAR's pci-testdev header and records where its write goes.
static bool setup_pci_target(struct pci_target *t, uint16_t bdf, unsigned bar_index, bool io) {
  struct pci_bar bar = pci_probe_bar(bdf, bar_index);
  if (!bar.present || bar.io != io || !bar.addr) return false;
  t->io = io;
  if (io) {
    outb(bar.addr + HDR_TEST, 0);
    t->width = inb(bar.addr + HDR_WIDTH);
    t->data = inl(bar.addr + HDR_DATA);
    t->addr = bar.addr + inl(bar.addr + HDR_OFFSET);
  } else {
    mmio_write8(bar.addr + HDR_TEST, 0);
    t->width = mmio_read8(bar.addr + HDR_WIDTH);
    t->data = mmio_read32(bar.addr + HDR_DATA);
    t->addr = bar.addr + mmio_read32(bar.addr + HDR_OFFSET);
  }
  if (t->width == 0) t->width = 4;  // any width matches
  return t->width == 1 || t->width == 2 || t->width == 4;
}

static uint32_t pci_count(const struct pci_target *t, uint16_t bdf, unsigned bar_index) {
  uint64_t base = pci_probe_bar(bdf, bar_index).addr;
  return t->io ? inl(base + HDR_COUNT) : mmio_read32(base + HDR_COUNT);
}

int main(void) {
  uint64_t n;
  if (cmdline_uint("iterations", &n) && n > 0) iterations = n;
  printf("TSC %lu Hz (%s), %lu iterations per case\n", tsc_hz(), tsc_hz_source(), iterations);

  measure("cpuid", op_cpuid, 1);

  uint32_t bdf = pci_find_device(TESTDEV_VENDOR, TESTDEV_DEVICE);
  if (report("pci-testdev found", bdf != PCI_NONE)) {
    if (report("pci-testdev I/O BAR test selected", setup_pci_target(&pci_io_target, bdf, 1, true))) {
      measure("pci_io", op_pci_io, 1);
      reportf(pci_count(&pci_io_target, bdf, 1) == WARMUP + iterations, "pci_io writes all reached the device");
    }
    if (report("pci-testdev memory BAR test selected", setup_pci_target(&pci_mem_target, bdf, 0, false))) {
      measure("pci_mem", op_pci_mem, 1);
      reportf(pci_count(&pci_mem_target, bdf, 0) == WARMUP + iterations, "pci_mem writes all reached the device");
    }
  }

  pm_timer_port = acpi_pm_timer_port();
  if (report("PM timer port from the FADT", pm_timer_port != 0)) measure("pmtimer", op_pmtimer, 1);

  measure("testdev_io", op_testdev_io, 2);
  reportf(testdev_mismatches == 0, "testdev_io read back every value written (%u mismatches)", testdev_mismatches);
  return report_summary();
}
