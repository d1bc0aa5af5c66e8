// The guest-physical address map of the PC machine nestvisor models. It
// follows QEMU's pc machine where guests depend on it (ports, MMIO bases).
#pragma once

#include <cstdint>

namespace nv::layout {

inline constexpr uint64_t kKiB = 1024, kMiB = 1024 * kKiB, kGiB = 1024 * kMiB;

// Conventional memory ends below the EBDA; 0x9fc00-0xfffff is reserved (VGA
// hole, option ROMs, BIOS area holding the ACPI tables).
inline constexpr uint64_t kLowMemEnd = 0x9fc00;
inline constexpr uint64_t kBiosAreaBase = 0xe0000;   // ACPI tables live here
inline constexpr uint64_t kBiosAreaEnd = 0x100000;
inline constexpr uint64_t kHighMemBase = 0x100000;   // multiboot "upper memory"

// RAM above this boundary is placed at 4 GiB, leaving the PCI hole free.
inline constexpr uint64_t kBelow4gRamLimit = 0xc0000000;
inline constexpr uint64_t kAbove4gBase = 0x100000000;

// 32-bit PCI memory window where BARs are assigned.
inline constexpr uint64_t kPciMmioBase = 0xc0000000;
inline constexpr uint64_t kPciMmioEnd = 0xfec00000;
// PCI I/O window where I/O BARs are assigned.
inline constexpr uint16_t kPciIoBase = 0xc000;
inline constexpr uint16_t kPciIoEnd = 0xffff;

inline constexpr uint64_t kIoapicBase = 0xfec00000;
inline constexpr uint64_t kLapicBase = 0xfee00000;
inline constexpr uint64_t kTestdevMmioBase = 0xff000000;  // pc-testdev scratch MMIO
inline constexpr uint64_t kTestdevMmioSize = 64 * kKiB;

// ACPI PM register block (PIIX4-compatible addresses, as QEMU uses).
inline constexpr uint16_t kPmIoBase = 0x600;
inline constexpr uint16_t kPm1aEvtBlk = kPmIoBase + 0x0;  // 4 bytes
inline constexpr uint16_t kPm1aCntBlk = kPmIoBase + 0x4;  // 2 bytes
inline constexpr uint16_t kPmTmrBlk = kPmIoBase + 0x8;    // 4 bytes
inline constexpr uint16_t kGpe0Blk = 0xafe0;              // 4 bytes
inline constexpr uint8_t kSciIrq = 9;

inline constexpr unsigned kMaxVcpus = 255;  // xAPIC IDs 0..254 (0xff is broadcast)

}  // namespace nv::layout
