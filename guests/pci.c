// PCI bus 0 through configuration mechanism #1: host bridge, pci-testdev BARs and the
// pci-testdev test headers in both BARs (QEMU hw/misc/pci-testdev.c, as kvm-unit-tests'
// lib/pci-testdev.c uses them).
#include "guest.h"

#define HOST_BRIDGE_VENDOR 0x8086
#define HOST_BRIDGE_DEVICE 0x1237  // i440FX
#define TESTDEV_VENDOR 0x1b36      // Red Hat
#define TESTDEV_DEVICE 0x0005
#define TESTDEV_TESTS_PER_BAR 3
#define TESTDEV_WRITES 16

// pci-testdev header at the start of each BAR, little endian.
#define HDR_TEST 0    // u8: write a test number to select it (this resets its count)
#define HDR_WIDTH 1   // u8: access width of the test write; 0 means any width
#define HDR_OFFSET 4  // u32: where in the BAR the test write goes
#define HDR_DATA 8    // u32: the value to write
#define HDR_COUNT 12  // u32: matching writes seen
#define HDR_NAME 16   // NUL-terminated name

struct bar_access {
  bool io;
  uint64_t base;
};

static uint8_t read8(struct bar_access b, uint32_t off) { return b.io ? inb(b.base + off) : mmio_read8(b.base + off); }
static uint32_t read32(struct bar_access b, uint32_t off) {
  return b.io ? inl(b.base + off) : mmio_read32(b.base + off);
}
static void write8(struct bar_access b, uint32_t off, uint8_t v) {
  if (b.io)
    outb(b.base + off, v);
  else
    mmio_write8(b.base + off, v);
}

static void write_width(struct bar_access b, uint32_t off, unsigned width, uint32_t v) {
  if (b.io) {
    if (width == 1)
      outb(b.base + off, v);
    else if (width == 2)
      outw(b.base + off, v);
    else
      outl(b.base + off, v);
  } else {
    if (width == 1)
      mmio_write8(b.base + off, v);
    else if (width == 2)
      mmio_write16(b.base + off, v);
    else
      mmio_write32(b.base + off, v);
  }
}

static void test_host_bridge(void) {
  uint32_t id = pci_read32(PCI_BDF(0, 0, 0), PCI_VENDOR_ID);
  reportf(id == (HOST_BRIDGE_DEVICE << 16 | HOST_BRIDGE_VENDOR), "host bridge 8086:1237 at 00:00.0 (found %04x:%04x)",
          id & 0xffff, id >> 16);
  uint32_t class_rev = pci_read32(PCI_BDF(0, 0, 0), PCI_CLASS_REVISION);
  reportf(class_rev >> 16 == 0x0600, "host bridge class 06:00 (0x%x)", class_rev >> 16);
  reportf(pci_read32(PCI_BDF(0, 31, 7), PCI_VENDOR_ID) == 0xffffffffu, "absent device 00:1f.7 reads all ones");
}

static void run_tests_in_bar(struct bar_access bar, uint64_t bar_size) {
  const char *kind = bar.io ? "io" : "mem";
  for (unsigned t = 0; t < TESTDEV_TESTS_PER_BAR; t++) {
    write8(bar, HDR_TEST, (uint8_t)t);
    char name[48];
    unsigned i = 0;
    for (; i + 1 < sizeof(name); i++)
      if (!(name[i] = (char)read8(bar, HDR_NAME + i))) break;
    name[i] = '\0';
    uint8_t width = read8(bar, HDR_WIDTH);
    uint32_t offset = read32(bar, HDR_OFFSET), data = read32(bar, HDR_DATA), count = read32(bar, HDR_COUNT);
    printf("pci-testdev %s test %u: \"%s\" width %u offset 0x%x data 0x%x\n", kind, t, name, width, offset, data);
    bool sane = reportf(i > 0 && str_starts_with(name, bar.io ? "portio-" : "mmio-") && width <= 4 && width != 3 &&
                            offset + 4 <= bar_size && count == 0,
                        "%s test %u header (name, width, offset in BAR, count reset on select)", kind, t);
    if (!sane) continue;
    unsigned w = width ? width : 4;  // width 0: the test matches writes of any width
    if (t == 0) {
      // A write whose data does not match must not count (no-eventfd matches data).
      write_width(bar, offset, w, ~data);
      reportf(read32(bar, HDR_COUNT) == 0, "%s test \"%s\": non-matching data not counted", kind, name);
    }
    for (unsigned n = 0; n < TESTDEV_WRITES; n++) write_width(bar, offset, w, data);
    count = read32(bar, HDR_COUNT);
    // An ioeventfd consumes matching writes in the host kernel, so eventfd tests may
    // count nothing (kvm-unit-tests accepts that too); everything else must count each write.
    bool eventfd = str_ends_with(name, "-eventfd") && !str_ends_with(name, "no-eventfd");
    reportf(count == TESTDEV_WRITES || (eventfd && count == 0), "%s test \"%s\": %u writes counted %u", kind, name,
            TESTDEV_WRITES, count);
  }
}

static void test_testdev(void) {
  uint32_t bdf = pci_find_device(TESTDEV_VENDOR, TESTDEV_DEVICE);
  if (!report("pci-testdev 1b36:0005 found on bus 0", bdf != PCI_NONE)) return;
  printf("pci-testdev at 00:%02x.%u\n", (bdf >> 3) & 0x1f, bdf & 7);
  uint16_t cmd = pci_read16(bdf, PCI_COMMAND);
  reportf((cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)) == (PCI_COMMAND_IO | PCI_COMMAND_MEMORY),
          "I/O and memory decoding enabled (command 0x%x)", cmd);

  struct pci_bar mem = pci_probe_bar(bdf, 0), io = pci_probe_bar(bdf, 1);
  printf("BAR0: %s at 0x%lx size 0x%lx; BAR1: %s at 0x%lx size 0x%lx\n", mem.io ? "io" : "mem", mem.addr, mem.size,
         io.io ? "io" : "mem", io.addr, io.size);
  bool mem_ok = reportf(mem.present && !mem.io && mem.addr && mem.addr + mem.size <= 0x100000000ull &&
                            (mem.size & (mem.size - 1)) == 0 && mem.size >= 4096 && (mem.addr & (mem.size - 1)) == 0,
                        "BAR0 is an assigned, naturally aligned memory BAR below 4 GiB (size 0x%lx)", mem.size);
  bool io_ok = reportf(io.present && io.io && io.addr && io.addr + io.size <= 0x10000 &&
                           (io.size & (io.size - 1)) == 0 && (io.addr & (io.size - 1)) == 0,
                       "BAR1 is an assigned, naturally aligned I/O BAR (size 0x%lx)", io.size);
  struct pci_bar again = pci_probe_bar(bdf, 0);
  report("BAR0 unchanged by size probing", again.addr == mem.addr && pci_read16(bdf, PCI_COMMAND) == cmd);
  if (mem_ok) run_tests_in_bar((struct bar_access){false, mem.addr}, mem.size);
  if (io_ok) run_tests_in_bar((struct bar_access){true, io.addr}, io.size);
}

int main(void) {
  test_host_bridge();
  test_testdev();
  return report_summary();
}
