// The ACPI tables a PC firmware leaves for the OS, built straight into guest
// RAM in the BIOS area (ACPI 6.5 §5.2): RSDP -> RSDT/XSDT -> FADT (-> FACS,
// DSDT) and MADT. They describe the devices nestvisor models: the PM register
// block of memory_layout.h with its PM timer, the 0xcf9 reset register, SCI
// on IRQ 9, one local APIC per vCPU, and the IOAPIC.
#pragma once

#include "vmm/guest_memory.h"
#include "vmm/machine_config.h"
#include "vmm/memory_layout.h"

#include <cstdint>

namespace nv {

// The RSDP sits at the start of the BIOS area, on the 16-byte boundary
// where OSes scanning 0xE0000-0xFFFFF look first (ACPI 6.5 §5.2.5.1); the
// other tables follow it within the first kAcpiTablesMaxSize bytes.
inline constexpr uint64_t kRsdpAddress = layout::kBiosAreaBase;
inline constexpr uint64_t kAcpiTablesMaxSize = 16 * layout::kKiB;
// The IOAPIC's ID in the MADT, which an engine's IOAPIC model must hold.
inline constexpr uint8_t kIoapicId = 0;

// OEM identification in every table header.
inline constexpr char kAcpiOemId[] = "NESTVR";         // 6 characters
inline constexpr char kAcpiOemTableId[] = "NESTVISR";  // 8 characters

// Writes the tables for `cfg` (vCPU count) into `mem`. Throws nv::Error when
// the vCPU count is outside 1..layout::kMaxVcpus or RAM does not cover the
// BIOS area.
void build_acpi_tables(GuestMemory& mem, const MachineConfig& cfg);

}  // namespace nv
