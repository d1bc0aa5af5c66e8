// An interrupt message on the (virtual) APIC bus: an IPI from a local APIC's
// ICR, a redirection-table entry of the IOAPIC, or an MSI. Field meanings
// follow the ICR (Intel SDM Vol. 3A §11.6.1 "Interrupt Command Register
// (ICR)"; section numbers of the editions where chapter 11 is "Advanced
// Programmable Interrupt Controller (APIC)", chapter 10 in older editions).
#pragma once

#include <cstdint>

namespace nv {

// ICR bits 10:8 (§11.6.1); 3 is reserved, 7 (ExtINT) is valid only in the
// IOAPIC redirection table, MSIs and LVT LINT0/LINT1, not in the ICR.
enum class DeliveryMode : uint8_t {
  fixed = 0,
  lowest_priority = 1,
  smi = 2,
  nmi = 4,
  init = 5,
  startup = 6,
  extint = 7,
};

// ICR bits 19:18 (§11.6.1).
enum class DestShorthand : uint8_t { none = 0, self = 1, all_including_self = 2, all_excluding_self = 3 };

struct ApicMessage {
  uint32_t dest = 0;            // APIC ID (physical) or logical destination
  bool logical = false;         // destination mode (ICR bit 11)
  bool x2apic_format = false;   // 32-bit destination (x2APIC ICR); else 8-bit (xAPIC ICR, IOAPIC, MSI)
  DeliveryMode mode = DeliveryMode::fixed;
  uint8_t vector = 0;
  bool level_trigger = false;   // trigger mode (ICR bit 15)
  bool level_asserted = true;   // level (ICR bit 14); INIT with a de-asserted level is "INIT level de-assert"
  DestShorthand shorthand = DestShorthand::none;
  int source = -1;              // index of the sending local APIC (shorthands); -1 for IOAPIC and MSI
};

}  // namespace nv
