#include "vmm/multiboot_loader.h"

#include "util/error.h"
#include "vmm/memory_layout.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace nv {

namespace {

using namespace multiboot;

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t k4GiB = 1ull << 32;
// QEMU's multiboot option ROM puts its boot information here as well; it is
// conventional memory below the EBDA that flat test kernels (linked at 4 MiB)
// leave alone.
constexpr uint64_t kPreferredInfoBase = 0x9000;
constexpr const char* kBootloaderName = "nestvisor";

// Half-open guest-physical range [start, end).
struct Range {
  uint64_t start, end;
};

bool overlaps(Range a, Range b) { return a.start < b.end && b.start < a.end; }
uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

// The VGA hole and BIOS area between conventional memory and 1 MiB hold the
// firmware tables; nothing may be loaded there.
constexpr Range kReservedLowArea{layout::kLowMemEnd, layout::kHighMemBase};

template <typename T>
T read_at(std::span<const uint8_t> bytes, uint64_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

// Checks that a kernel range is plain RAM below 4 GiB (the kernel starts in
// 32-bit mode) and stays out of the reserved low area.
void check_loadable(const GuestMemory& mem, std::string_view name, std::string_view what, Range r) {
  uint64_t ram_end = mem.below_4g_end();
  if (r.end > ram_end || r.end < r.start)
    fail("kernel '{}': {} {:#x}-{:#x} is outside guest RAM (RAM below 4 GiB is 0-{:#x}, {} MiB)", name, what, r.start,
         r.end, ram_end, ram_end / layout::kMiB);
  if (overlaps(r, kReservedLowArea))
    fail("kernel '{}': {} {:#x}-{:#x} overlaps the reserved area {:#x}-{:#x} (EBDA, VGA, BIOS)", name, what, r.start,
         r.end, kReservedLowArea.start, kReservedLowArea.end);
}

struct Image {
  uint32_t entry = 0;
  std::vector<Range> ranges;  // what the kernel occupies, bss included
};

struct FoundHeader {
  uint64_t offset;
  Header header;
};

// §3.1.1: the header is 32-bit aligned and lies wholly in the first 8 KiB;
// magic + flags + checksum must be 0 (mod 2^32).
FoundHeader find_header(std::span<const uint8_t> kernel, std::string_view name) {
  uint64_t limit = std::min<uint64_t>(kernel.size(), kHeaderSearchLimit);
  std::optional<uint64_t> bad_checksum_at;
  for (uint64_t off = 0; off + 12 <= limit; off += 4) {
    if (read_at<uint32_t>(kernel, off) != kHeaderMagic) continue;
    uint32_t flags = read_at<uint32_t>(kernel, off + 4);
    uint32_t checksum = read_at<uint32_t>(kernel, off + 8);
    if (static_cast<uint32_t>(kHeaderMagic + flags + checksum) != 0) {
      if (!bad_checksum_at) bad_checksum_at = off;
      continue;
    }
    FoundHeader found{off, Header{kHeaderMagic, flags, checksum, 0, 0, 0, 0, 0}};
    if (flags & kHeaderAoutKludge) {
      if (off + sizeof(Header) > limit)
        fail("kernel '{}': multiboot header at offset {:#x} is cut off: its address fields end beyond {}", name, off,
             off + sizeof(Header) > kernel.size() ? "the end of the file" : "the first 8192 bytes");
      found.header = read_at<Header>(kernel, off);
    }
    return found;
  }
  if (bad_checksum_at)
    fail("kernel '{}': multiboot header at offset {:#x} has a bad checksum (magic + flags + checksum must be 0)", name,
         *bad_checksum_at);
  fail("kernel '{}': no multiboot header in the first 8192 bytes (not a multiboot kernel)", name);
}

// §3.1.3: the a.out kludge names the load addresses explicitly; the file is
// loaded from the offset that maps header_addr onto the header.
Image load_aout_kludge(GuestMemory& mem, std::span<const uint8_t> kernel, std::string_view name, const FoundHeader& f) {
  const Header& h = f.header;
  if (h.load_addr > h.header_addr)
    fail("kernel '{}': multiboot load_addr {:#x} is above header_addr {:#x}", name, h.load_addr, h.header_addr);
  uint64_t lead = h.header_addr - h.load_addr;
  if (lead > f.offset)
    fail("kernel '{}': multiboot load_addr {:#x} would start {:#x} bytes before the beginning of the file", name,
         h.load_addr, lead - f.offset);
  uint64_t file_offset = f.offset - lead;
  uint64_t load_end = h.load_end_addr ? h.load_end_addr : h.load_addr + (kernel.size() - file_offset);
  if (load_end < h.load_addr)
    fail("kernel '{}': multiboot load_end_addr {:#x} is below load_addr {:#x}", name, load_end, h.load_addr);
  uint64_t load_size = load_end - h.load_addr;
  if (file_offset + load_size > kernel.size())
    fail("kernel '{}': truncated: the a.out load range needs {:#x} bytes from file offset {:#x}, the file has {:#x}",
         name, load_size, file_offset, kernel.size());
  uint64_t bss_end = h.bss_end_addr ? h.bss_end_addr : load_end;
  if (bss_end < load_end)
    fail("kernel '{}': multiboot bss_end_addr {:#x} is below load_end_addr {:#x}", name, bss_end, load_end);
  Range image{h.load_addr, bss_end};
  check_loadable(mem, name, "a.out image", image);
  if (h.entry_addr < h.load_addr || h.entry_addr >= load_end)
    fail("kernel '{}': entry point {:#x} is outside the loaded image {:#x}-{:#x}", name, h.entry_addr, h.load_addr,
         load_end);
  mem.write(h.load_addr, kernel.data() + file_offset, load_size);
  mem.fill(load_end, 0, bss_end - load_end);
  return Image{h.entry_addr, {image}};
}

struct Segment {
  uint64_t offset, vaddr, paddr, filesz, memsz;
};

template <typename Ehdr, typename Phdr>
Image load_elf_class(GuestMemory& mem, std::span<const uint8_t> kernel, std::string_view name) {
  if (kernel.size() < sizeof(Ehdr)) fail("kernel '{}': truncated ELF header ({} bytes)", name, kernel.size());
  auto eh = read_at<Ehdr>(kernel, 0);
  if (eh.e_machine != EM_386 && eh.e_machine != EM_X86_64)
    fail("kernel '{}': ELF machine {} is not x86 (EM_386 or EM_X86_64)", name, eh.e_machine);
  if (eh.e_type != ET_EXEC) fail("kernel '{}': ELF type {} is not an executable (ET_EXEC)", name, eh.e_type);
  if (eh.e_phnum == 0) fail("kernel '{}': ELF file has no program headers", name);
  if (eh.e_phentsize != sizeof(Phdr))
    fail("kernel '{}': ELF program header size {} is not {}", name, eh.e_phentsize, sizeof(Phdr));
  uint64_t ph_end = uint64_t{eh.e_phoff} + uint64_t{eh.e_phnum} * sizeof(Phdr);
  if (eh.e_phoff > kernel.size() || ph_end > kernel.size())
    fail("kernel '{}': truncated: {} program headers at offset {:#x} extend beyond the end of the file ({:#x} bytes)",
         name, eh.e_phnum, uint64_t{eh.e_phoff}, kernel.size());

  // Validate every segment before writing any, so a bad file leaves RAM alone.
  std::vector<Segment> segments;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    auto ph = read_at<Phdr>(kernel, eh.e_phoff + uint64_t{i} * sizeof(Phdr));
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    Segment s{ph.p_offset, ph.p_vaddr, ph.p_paddr, ph.p_filesz, ph.p_memsz};
    if (s.filesz > s.memsz)
      fail("kernel '{}': segment {} has file size {:#x} larger than its memory size {:#x}", name, i, s.filesz, s.memsz);
    if (s.offset > kernel.size() || s.filesz > kernel.size() - s.offset)
      fail(
          "kernel '{}': truncated: segment {} data at file offset {:#x}-{:#x} extends beyond the end of the file "
          "({:#x} bytes)",
          name, i, s.offset, s.offset + s.filesz, kernel.size());
    check_loadable(mem, name, fmt::format("segment {}", i), Range{s.paddr, s.paddr + s.memsz});
    segments.push_back(s);
  }
  if (segments.empty()) fail("kernel '{}': ELF file has no loadable (PT_LOAD) segments", name);

  // e_entry is a virtual address; translate it through the segment holding it.
  std::optional<uint64_t> entry;
  for (const Segment& s : segments)
    if (eh.e_entry >= s.vaddr && eh.e_entry - s.vaddr < s.memsz) entry = eh.e_entry - s.vaddr + s.paddr;
  if (!entry) fail("kernel '{}': entry point {:#x} is outside the loaded segments", name, uint64_t{eh.e_entry});
  // check_loadable() kept every segment, hence the entry, below 4 GiB.

  Image image{static_cast<uint32_t>(*entry), {}};
  for (const Segment& s : segments) {
    mem.write(s.paddr, kernel.data() + s.offset, s.filesz);
    mem.fill(s.paddr + s.filesz, 0, s.memsz - s.filesz);
    image.ranges.push_back(Range{s.paddr, s.paddr + s.memsz});
  }
  return image;
}

// §3.1: without the a.out kludge the kernel must be an ELF executable.
Image load_elf(GuestMemory& mem, std::span<const uint8_t> kernel, std::string_view name) {
  if (kernel.size() < EI_NIDENT || std::memcmp(kernel.data(), ELFMAG, SELFMAG) != 0)
    fail("kernel '{}': not an ELF file, and its multiboot header has no a.out load addresses (flag bit 16)", name);
  if (kernel[EI_DATA] != ELFDATA2LSB) fail("kernel '{}': ELF file is not little-endian", name);
  if (kernel[EI_CLASS] == ELFCLASS32) return load_elf_class<Elf32_Ehdr, Elf32_Phdr>(mem, kernel, name);
  if (kernel[EI_CLASS] == ELFCLASS64) return load_elf_class<Elf64_Ehdr, Elf64_Phdr>(mem, kernel, name);
  fail("kernel '{}': unknown ELF class {}", name, kernel[EI_CLASS]);
}

// Lowest `align`-aligned address >= start where [addr, addr+len) avoids every
// occupied range and ends below `limit`; nullopt when there is none.
std::optional<uint64_t> find_free(const std::vector<Range>& occupied, uint64_t start, uint64_t len, uint64_t limit) {
  uint64_t addr = align_up(start, kPageSize);
  for (bool moved = true; moved;) {
    moved = false;
    for (const Range& r : occupied) {
      if (overlaps(Range{addr, addr + len}, r)) {
        addr = align_up(r.end, kPageSize);
        moved = true;
      }
    }
  }
  if (addr + len > limit || addr + len < addr) return std::nullopt;
  return addr;
}

// §3.3 memory map: conventional memory, the EBDA and BIOS area reserved,
// upper memory to the PCI hole, and RAM above 4 GiB.
std::vector<MmapEntry> memory_map(const GuestMemory& mem) {
  auto entry = [](uint64_t base, uint64_t end, uint32_t type) {
    return MmapEntry{sizeof(MmapEntry) - sizeof(uint32_t), base, end - base, type};
  };
  uint64_t low_end = mem.below_4g_end();
  std::vector<MmapEntry> map;
  map.push_back(entry(0, std::min(low_end, layout::kLowMemEnd), kMemoryAvailable));
  map.push_back(entry(layout::kLowMemEnd, 0xa0000, kMemoryReserved));
  map.push_back(entry(layout::kBiosAreaBase, layout::kBiosAreaEnd, kMemoryReserved));
  if (low_end > layout::kHighMemBase) map.push_back(entry(layout::kHighMemBase, low_end, kMemoryAvailable));
  for (const RamSlot& slot : mem.slots())
    if (slot.gpa >= layout::kAbove4gBase) map.push_back(entry(slot.gpa, slot.gpa + slot.size, kMemoryAvailable));
  return map;
}

std::vector<uint8_t> read_whole_file(const std::string& path, std::string_view what) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("could not load {} '{}': {}", what, path, std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    fail("could not load {} '{}': not a regular file", what, path);
  }
  if (static_cast<uint64_t>(st.st_size) >= k4GiB) {
    close(fd);
    fail("could not load {} '{}': {} bytes is more than a 32-bit multiboot machine can address", what, path,
         static_cast<uint64_t>(st.st_size));
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      close(fd);
      fail("could not load {} '{}': {}", what, path, std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return bytes;
}

}  // namespace

BootInfo load_multiboot_image(GuestMemory& mem, std::span<const uint8_t> kernel, std::string_view kernel_name,
                              std::string_view append, const std::vector<ModuleImage>& modules) {
  FoundHeader found = find_header(kernel, kernel_name);
  // §3.1.2: refuse required features we do not provide. Modules are always
  // page-aligned and memory information is always passed; the video mode
  // request is only a preference and there is no display, so it is ignored
  // (QEMU does the same).
  uint32_t unsupported =
      found.header.flags & 0xffff & ~(kHeaderPageAlignModules | kHeaderWantsMemoryInfo | kHeaderWantsVideoMode);
  if (unsupported)
    fail(
        "kernel '{}': multiboot header requires unsupported features (flag bits {:#x}; only bits 0-2 of the "
        "required bits 0-15 are known)",
        kernel_name, unsupported);

  Image image = (found.header.flags & kHeaderAoutKludge) ? load_aout_kludge(mem, kernel, kernel_name, found)
                                                         : load_elf(mem, kernel, kernel_name);
  uint64_t kernel_end = 0;
  for (const Range& r : image.ranges) kernel_end = std::max(kernel_end, r.end);

  std::vector<Range> occupied = image.ranges;
  occupied.push_back(kReservedLowArea);
  uint64_t ram_end = mem.below_4g_end();  // modules and boot information use 32-bit addresses

  std::vector<Module> module_table;
  uint64_t cursor = kernel_end;
  for (const ModuleImage& m : modules) {
    auto addr = find_free(occupied, cursor, m.bytes.size(), ram_end);
    if (!addr)
      fail("module '{}' ({} bytes) does not fit in guest RAM after the kernel (RAM below 4 GiB ends at {:#x})",
           m.string, m.bytes.size(), ram_end);
    mem.write(*addr, m.bytes.data(), m.bytes.size());
    module_table.push_back(Module{static_cast<uint32_t>(*addr), static_cast<uint32_t>(*addr + m.bytes.size()), 0, 0});
    occupied.push_back(Range{*addr, *addr + m.bytes.size()});
    cursor = *addr + m.bytes.size();
  }

  std::string cmdline(kernel_name);
  if (!append.empty()) cmdline.append(" ").append(append);
  std::vector<MmapEntry> mmap = memory_map(mem);

  // Boot information block: Info, memory map, module table, then strings.
  uint64_t mmap_off = sizeof(Info);
  uint64_t mods_off = align_up(mmap_off + mmap.size() * sizeof(MmapEntry), 16);
  uint64_t strings_off = mods_off + module_table.size() * sizeof(Module);
  uint64_t block_size = strings_off + cmdline.size() + 1 + std::strlen(kBootloaderName) + 1;
  for (const ModuleImage& m : modules) block_size += m.string.size() + 1;

  std::optional<uint64_t> base = find_free(occupied, kPreferredInfoBase, block_size, layout::kLowMemEnd);
  if (!base) base = find_free(occupied, cursor, block_size, ram_end);
  if (!base)
    fail("kernel '{}': no room for the {} bytes of multiboot information (command line too long?)", kernel_name,
         block_size);

  uint64_t str = *base + strings_off;
  auto put_string = [&](std::string_view s) {
    uint32_t addr = static_cast<uint32_t>(str);
    mem.write(str, s.data(), s.size());
    mem.fill(str + s.size(), 0, 1);
    str += s.size() + 1;
    return addr;
  };

  Info info{};
  info.flags = kInfoMemory | kInfoCmdline | kInfoModules | kInfoMmap | kInfoBootloaderName;
  info.mem_lower = static_cast<uint32_t>(std::min(ram_end, layout::kLowMemEnd) / layout::kKiB);
  info.mem_upper =
      static_cast<uint32_t>(ram_end > layout::kHighMemBase ? (ram_end - layout::kHighMemBase) / layout::kKiB : 0);
  info.cmdline = put_string(cmdline);
  info.boot_loader_name = put_string(kBootloaderName);
  info.mods_count = static_cast<uint32_t>(module_table.size());
  info.mods_addr = static_cast<uint32_t>(*base + mods_off);
  for (size_t i = 0; i < module_table.size(); ++i) {
    module_table[i].string = put_string(modules[i].string);
    mem.write_obj(*base + mods_off + i * sizeof(Module), module_table[i]);
  }
  info.mmap_length = static_cast<uint32_t>(mmap.size() * sizeof(MmapEntry));
  info.mmap_addr = static_cast<uint32_t>(*base + mmap_off);
  mem.write(*base + mmap_off, mmap.data(), info.mmap_length);
  mem.write_obj(*base, info);

  return BootInfo{image.entry, static_cast<uint32_t>(*base), kernel_end};
}

BootInfo load_multiboot(GuestMemory& mem, const MachineConfig& cfg) {
  std::vector<uint8_t> kernel = read_whole_file(cfg.kernel, "kernel");
  std::vector<ModuleImage> modules;
  if (!cfg.initrd.empty()) modules.push_back(ModuleImage{cfg.initrd, read_whole_file(cfg.initrd, "initrd")});
  return load_multiboot_image(mem, kernel, cfg.kernel, cfg.append, modules);
}

}  // namespace nv
