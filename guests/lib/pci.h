// PCI configuration mechanism #1 (PCI Local Bus spec 3.0, 3.2.2.3.2) and BAR decoding (6.2.5.1).
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_COMMAND_IO (1u << 0)
#define PCI_COMMAND_MEMORY (1u << 1)

#define PCI_BDF(bus, dev, fn) ((uint16_t)(((bus) << 8) | ((dev) << 3) | (fn)))
#define PCI_NONE 0xffffffffu

uint32_t pci_read32(uint16_t bdf, uint8_t reg);
uint16_t pci_read16(uint16_t bdf, uint8_t reg);
uint8_t pci_read8(uint16_t bdf, uint8_t reg);
void pci_write32(uint16_t bdf, uint8_t reg, uint32_t v);
void pci_write16(uint16_t bdf, uint8_t reg, uint16_t v);

// Scans bus 0 (all functions); returns the BDF or PCI_NONE.
uint32_t pci_find_device(uint16_t vendor, uint16_t device);

struct pci_bar {
  bool present, io, is64;
  uint64_t addr, size;
};

// Decodes BAR `index`; sizes it by writing all ones with decoding off, then restores it.
struct pci_bar pci_probe_bar(uint16_t bdf, unsigned index);
