// Multiboot v1 boot loader (Multiboot Specification 0.6.96): loads an ELF32,
// ELF64 or a.out-kludge kernel and its modules into guest RAM and builds the
// multiboot information structure the kernel finds in EBX at entry.
#pragma once

#include "vmm/guest_memory.h"
#include "vmm/machine_config.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nv {

// Layouts and constants of the specification, shared with the tests and the
// engines that set up the entry state.
namespace multiboot {

inline constexpr uint32_t kHeaderMagic = 0x1BADB002;      // §3.1.2
inline constexpr uint32_t kBootloaderMagic = 0x2BADB002;  // §3.2: EAX at entry
inline constexpr uint32_t kHeaderSearchLimit = 8192;      // §3.1.1: header within the first 8 KiB

// Header flags (§3.1.2). Bits 0-15 are requirements a loader must refuse if
// it cannot meet them; bits 16-31 are optional.
inline constexpr uint32_t kHeaderPageAlignModules = 1u << 0;
inline constexpr uint32_t kHeaderWantsMemoryInfo = 1u << 1;
inline constexpr uint32_t kHeaderWantsVideoMode = 1u << 2;
inline constexpr uint32_t kHeaderAoutKludge = 1u << 16;

// §3.1.1: the header fields up to entry_addr (the a.out kludge fields are
// valid only with kHeaderAoutKludge).
struct Header {
  uint32_t magic, flags, checksum;
  uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

// Boot information flags (§3.3): which Info fields are valid.
inline constexpr uint32_t kInfoMemory = 1u << 0;
inline constexpr uint32_t kInfoCmdline = 1u << 2;
inline constexpr uint32_t kInfoModules = 1u << 3;
inline constexpr uint32_t kInfoMmap = 1u << 6;
inline constexpr uint32_t kInfoBootloaderName = 1u << 9;

// §3.3: the boot information structure, through the VBE fields.
struct Info {
  uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
  uint32_t syms[4];
  uint32_t mmap_length, mmap_addr;
  uint32_t drives_length, drives_addr, config_table, boot_loader_name, apm_table;
  uint32_t vbe_control_info, vbe_mode_info;
  uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
};
static_assert(sizeof(Info) == 88);

// §3.3: one entry of the module table.
struct Module {
  uint32_t mod_start, mod_end, string, reserved;
};

// §3.3: one memory map entry; `size` counts the bytes after itself (20).
struct __attribute__((packed)) MmapEntry {
  uint32_t size;
  uint64_t base_addr, length;
  uint32_t type;
};
static_assert(sizeof(MmapEntry) == 24);
inline constexpr uint32_t kMemoryAvailable = 1;
inline constexpr uint32_t kMemoryReserved = 2;

}  // namespace multiboot

// One boot module: its multiboot string (by convention the file name) and
// its contents.
struct ModuleImage {
  std::string string;
  std::vector<uint8_t> bytes;
};

struct BootInfo {
  uint32_t entry;       // physical entry point, entered in 32-bit protected mode
  uint32_t mbi_addr;    // guest-physical address of multiboot::Info (EBX at entry)
  uint64_t kernel_end;  // end (exclusive) of the kernel image, bss included
};

// Loads cfg.kernel with cfg.append as its command line and cfg.initrd (if
// set) as module 0. Throws nv::Error naming the file and the reason.
BootInfo load_multiboot(GuestMemory& mem, const MachineConfig& cfg);

// Loads a kernel image already in memory. The command line the kernel sees is
// "<kernel_name> <append>", as QEMU passes it (kvm-unit-tests takes argv[0]
// from it). Modules are placed page-aligned after the kernel; the boot
// information lives at 0x9000 unless the kernel occupies that area.
BootInfo load_multiboot_image(GuestMemory& mem, std::span<const uint8_t> kernel, std::string_view kernel_name,
                              std::string_view append, const std::vector<ModuleImage>& modules);

}  // namespace nv
