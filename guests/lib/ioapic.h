// I/O APIC redirection table access (82093AA datasheet; indirect IOREGSEL/IOWIN).
#pragma once

#include <stdint.h>

#define IOAPIC_DEFAULT_BASE 0xfec00000
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_REDIR 0x10  // entry n: registers 0x10 + 2n (low) and 0x11 + 2n (high)

#define IOAPIC_REDIR_MASKED (1u << 16)
#define IOAPIC_REDIR_LEVEL (1u << 15)
#define IOAPIC_REDIR_REMOTE_IRR (1u << 14)
#define IOAPIC_REDIR_ACTIVE_LOW (1u << 13)
#define IOAPIC_REDIR_PENDING (1u << 12)

uint32_t ioapic_read(uint32_t reg);
void ioapic_write(uint32_t reg, uint32_t value);
unsigned ioapic_max_redirection_entry(void);
// Fixed delivery, physical destination mode; `flags` holds trigger/polarity/mask bits.
void ioapic_route(unsigned gsi, uint8_t vector, uint8_t dest_apic_id, uint32_t flags);
uint32_t ioapic_redirection_low(unsigned gsi);
void ioapic_mask(unsigned gsi);
