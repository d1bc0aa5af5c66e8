#include "pci.h"

#include "io.h"

static void select_reg(uint16_t bdf, uint8_t reg) {
  outl(PCI_CONFIG_ADDRESS, 0x80000000u | (uint32_t)bdf << 8 | (reg & 0xfc));
}

uint32_t pci_read32(uint16_t bdf, uint8_t reg) {
  select_reg(bdf, reg);
  return inl(PCI_CONFIG_DATA);
}

uint16_t pci_read16(uint16_t bdf, uint8_t reg) {
  select_reg(bdf, reg);
  return inw(PCI_CONFIG_DATA + (reg & 2));
}

uint8_t pci_read8(uint16_t bdf, uint8_t reg) {
  select_reg(bdf, reg);
  return inb(PCI_CONFIG_DATA + (reg & 3));
}

void pci_write32(uint16_t bdf, uint8_t reg, uint32_t v) {
  select_reg(bdf, reg);
  outl(PCI_CONFIG_DATA, v);
}

void pci_write16(uint16_t bdf, uint8_t reg, uint16_t v) {
  select_reg(bdf, reg);
  outw(PCI_CONFIG_DATA + (reg & 2), v);
}

uint32_t pci_find_device(uint16_t vendor, uint16_t device) {
  for (unsigned dev = 0; dev < 32; dev++) {
    for (unsigned fn = 0; fn < 8; fn++) {
      uint16_t bdf = PCI_BDF(0, dev, fn);
      uint32_t id = pci_read32(bdf, PCI_VENDOR_ID);
      if ((id & 0xffff) == 0xffff) {
        if (fn == 0) break;
        continue;
      }
      if ((id & 0xffff) == vendor && (id >> 16) == device) return bdf;
      if (fn == 0 && !(pci_read8(bdf, PCI_HEADER_TYPE) & 0x80)) break;  // single-function device
    }
  }
  return PCI_NONE;
}

struct pci_bar pci_probe_bar(uint16_t bdf, unsigned index) {
  struct pci_bar bar = {0};
  uint8_t reg = PCI_BAR0 + 4 * index;
  uint32_t orig = pci_read32(bdf, reg);
  bar.io = orig & 1;
  bar.is64 = !bar.io && ((orig >> 1) & 3) == 2;
  uint32_t orig_high = bar.is64 ? pci_read32(bdf, reg + 4) : 0;

  // Size probing with decoding off, so the BAR never decodes at the all-ones address.
  uint16_t cmd = pci_read16(bdf, PCI_COMMAND);
  pci_write16(bdf, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
  pci_write32(bdf, reg, 0xffffffffu);
  uint32_t ones = pci_read32(bdf, reg);
  uint32_t ones_high = 0xffffffffu;
  if (bar.is64) {
    pci_write32(bdf, reg + 4, 0xffffffffu);
    ones_high = pci_read32(bdf, reg + 4);
    pci_write32(bdf, reg + 4, orig_high);
  }
  pci_write32(bdf, reg, orig);
  pci_write16(bdf, PCI_COMMAND, cmd);

  uint64_t mask;
  if (bar.io) {
    mask = ones & ~3u;
    if (!(mask >> 16)) mask |= 0xffff0000u;  // the upper 16 bits of an I/O BAR may read as 0
    mask |= 0xffffffff00000000ull;
    bar.addr = orig & ~3u;
  } else {
    mask = ((uint64_t)ones_high << 32) | (ones & ~0xfu);
    bar.addr = ((uint64_t)orig_high << 32) | (orig & ~0xfu);
  }
  bar.present = (ones & (bar.io ? ~3u : ~0xfu)) != 0;
  bar.size = bar.present ? ~mask + 1 : 0;
  return bar;
}
