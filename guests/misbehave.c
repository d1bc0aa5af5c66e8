// Behaves badly on purpose, the way buggy kernels do: reads and writes
// unassigned I/O ports, unclaimed MMIO in the PCI hole and guest-physical
// addresses beyond the end of RAM, many times each. A PC answers reads with
// all ones and drops writes; the VMM must keep running and report each
// address once (the test counts its stderr lines).
#include "guest.h"

#define UNASSIGNED_PORT 0x1234
#define PCI_HOLE_ADDRESS 0xe0000000ull   // inside the PCI window, no BAR there
#define BEYOND_RAM_ADDRESS 0x20000000ull  // 512 MiB: past the test's 128 MiB of RAM

static bool all_ones_port(void) {
  bool ok = true;
  for (int i = 0; i < 100; i++) {
    outb(UNASSIGNED_PORT, 0x5a);
    ok = ok && inb(UNASSIGNED_PORT) == 0xff && inw(UNASSIGNED_PORT) == 0xffff && inl(UNASSIGNED_PORT) == 0xffffffffu;
  }
  return ok;
}

static bool all_ones_memory(uint64_t address) {
  bool ok = true;
  for (int i = 0; i < 100; i++) {
    *(volatile uint32_t *)address = 0x12345678;
    ok = ok && mmio_read8(address) == 0xff && mmio_read16(address) == 0xffff && mmio_read32(address) == 0xffffffffu;
  }
  return ok;
}

int main(void) {
  report("unassigned I/O port reads all ones, writes are dropped", all_ones_port());
  report("unclaimed MMIO in the PCI hole reads all ones", all_ones_memory(PCI_HOLE_ADDRESS));
  report("guest-physical address beyond RAM reads all ones", all_ones_memory(BEYOND_RAM_ADDRESS));
  return report_summary();
}
