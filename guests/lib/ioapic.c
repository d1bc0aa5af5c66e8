#include "ioapic.h"

#include "io.h"

#define IOREGSEL 0x00
#define IOWIN 0x10

uint32_t ioapic_read(uint32_t reg) {
  mmio_write32(IOAPIC_DEFAULT_BASE + IOREGSEL, reg);
  return mmio_read32(IOAPIC_DEFAULT_BASE + IOWIN);
}

void ioapic_write(uint32_t reg, uint32_t value) {
  mmio_write32(IOAPIC_DEFAULT_BASE + IOREGSEL, reg);
  mmio_write32(IOAPIC_DEFAULT_BASE + IOWIN, value);
}

unsigned ioapic_max_redirection_entry(void) { return (ioapic_read(IOAPIC_REG_VERSION) >> 16) & 0xff; }

void ioapic_route(unsigned gsi, uint8_t vector, uint8_t dest_apic_id, uint32_t flags) {
  // Mask while the two halves are inconsistent, write the destination, then the low half.
  ioapic_write(IOAPIC_REG_REDIR + 2 * gsi, IOAPIC_REDIR_MASKED);
  ioapic_write(IOAPIC_REG_REDIR + 2 * gsi + 1, (uint32_t)dest_apic_id << 24);
  ioapic_write(IOAPIC_REG_REDIR + 2 * gsi, vector | flags);
}

uint32_t ioapic_redirection_low(unsigned gsi) { return ioapic_read(IOAPIC_REG_REDIR + 2 * gsi); }

void ioapic_mask(unsigned gsi) {
  ioapic_write(IOAPIC_REG_REDIR + 2 * gsi, ioapic_redirection_low(gsi) | IOAPIC_REDIR_MASKED);
}
