// pc-testdev (QEMU hw/misc/pc-testdev.c): data register 0xe0 and its byte-wise twin
// 0xe8, scratch MMIO at 0xff000000, the flush-page port 0xe4 and IRQ lines at 0x2000+N.
#include "guest.h"

#define TESTDEV_DATA 0xe0
#define TESTDEV_FLUSH_PAGE 0xe4
#define TESTDEV_DATA_BYTES 0xe8
#define TESTDEV_IRQ_LINE 0x2000
#define TESTDEV_MMIO 0xff000000ull
#define TESTDEV_MMIO_SIZE 0x10000

#define TEST_IRQ 14  // an ISA line no device here drives; ISA IRQ 14 is GSI 14 (no override)
#define TEST_VECTOR 0x40
#define MASKED_TEST_VECTOR 0x41  // its own vector: a stale TEST_VECTOR request cannot count

static void test_data_register(void) {
  outl(TESTDEV_DATA, 0x12345678);
  reportf(inl(TESTDEV_DATA) == 0x12345678, "0xe0 dword read back");
  reportf(inw(TESTDEV_DATA) == 0x5678 && inw(TESTDEV_DATA + 2) == 0x1234, "0xe0 word reads of the halves");
  bool bytes = true;
  for (unsigned i = 0; i < 4; i++) bytes &= inb(TESTDEV_DATA + i) == (uint8_t)(0x12345678 >> (8 * i));
  report("0xe0 byte reads of each byte", bytes);
  outw(TESTDEV_DATA + 2, 0xbeef);
  outb(TESTDEV_DATA, 0x42);
  uint32_t v = inl(TESTDEV_DATA);
  reportf(v == 0xbeef5642, "0xe0 word and byte writes merge (0x%x)", v);

  outl(TESTDEV_DATA, 0xa1b2c3d4);
  bool twin = true;
  for (unsigned i = 0; i < 4; i++) twin &= inb(TESTDEV_DATA_BYTES + i) == (uint8_t)(0xa1b2c3d4 >> (8 * i));
  report("0xe8 byte twin reads the same register", twin);
  outl(TESTDEV_DATA_BYTES, 0x0badf00d);
  v = inl(TESTDEV_DATA);
  reportf(v == 0x0badf00d, "dword write at 0xe8 read back at 0xe0 (0x%x)", v);
}

static void test_scratch_mmio(void) {
  const uint64_t base = TESTDEV_MMIO;
  mmio_write8(base + 1, 0x5a);
  bool b = mmio_read8(base + 1) == 0x5a;
  mmio_write16(base + 2, 0x1234);
  bool w = mmio_read16(base + 2) == 0x1234;
  mmio_write32(base + 4, 0xdeadbeef);
  bool l = mmio_read32(base + 4) == 0xdeadbeef;
  mmio_write64(base + 8, 0x0123456789abcdefull);
  uint64_t q = mmio_read64(base + 8);
  report("scratch MMIO byte read back", b);
  report("scratch MMIO word read back", w);
  report("scratch MMIO dword read back", l);
  reportf(q == 0x0123456789abcdefull, "scratch MMIO qword read back (0x%lx)", q);
  report("scratch MMIO mixed widths see one buffer", mmio_read8(base + 4) == 0xef && mmio_read16(base + 12) == 0x4567);
  mmio_write32(base + TESTDEV_MMIO_SIZE - 4, 0xcafe0001);
  report("scratch MMIO last dword read back", mmio_read32(base + TESTDEV_MMIO_SIZE - 4) == 0xcafe0001);
}

static uint8_t flush_page[4096] __attribute__((aligned(4096)));

static void test_flush_page(void) {
  for (unsigned i = 0; i < sizeof(flush_page); i++) flush_page[i] = (uint8_t)(i * 7 + 3);
  barrier();
  outl(TESTDEV_FLUSH_PAGE, (uint32_t)(uint64_t)flush_page);
  barrier();
  bool same = true;
  for (unsigned i = 0; i < sizeof(flush_page); i++) same &= flush_page[i] == (uint8_t)(i * 7 + 3);
  report("page contents survive a flush through 0xe4", same);
  flush_page[100] = 0x77;  // still writable after the flush
  report("flushed page is still writable", flush_page[100] == 0x77);
}

static volatile unsigned irq_count, masked_irq_count;
static volatile bool isr_bit_in_handler;
static volatile bool level_mode;

static void irq_handler(struct interrupt_frame *f) {
  (void)f;
  irq_count++;
  isr_bit_in_handler = lapic_in_service(TEST_VECTOR);
  if (level_mode) outb(TESTDEV_IRQ_LINE + TEST_IRQ, 0);  // lower before EOI or it fires again
  lapic_eoi();
}

static void masked_irq_handler(struct interrupt_frame *f) {
  (void)f;
  masked_irq_count++;
  lapic_eoi();
}

static bool wait_for_irqs(unsigned n) {
  struct deadline d = deadline_in_ms(500);
  while (irq_count < n && !deadline_passed(d)) {
    irq_enable();
    cpu_relax();
  }
  irq_disable();
  return irq_count >= n;
}

static void test_irq_line(void) {
  lapic_enable();  // the 8259s are masked at start-up: the line reaches the CPU only through the IOAPIC
  bool isr_modelled = lapic_models_in_service();
  set_interrupt_handler(TEST_VECTOR, irq_handler);
  unsigned max_entry = ioapic_max_redirection_entry();
  if (!reportf(max_entry >= 23, "IOAPIC has %u redirection entries", max_entry + 1)) return;

  ioapic_route(TEST_IRQ, TEST_VECTOR, lapic_id(), 0);  // edge, active high
  irq_count = 0;
  outb(TESTDEV_IRQ_LINE + TEST_IRQ, 1);
  bool got = wait_for_irqs(1);
  outb(TESTDEV_IRQ_LINE + TEST_IRQ, 0);
  reportf(got, "edge IRQ %u raised via port 0x%x delivered as vector 0x%x", TEST_IRQ, TESTDEV_IRQ_LINE + TEST_IRQ,
          TEST_VECTOR);
  if (isr_modelled)
    report("vector in service in the handler, cleared by EOI", isr_bit_in_handler && !lapic_in_service(TEST_VECTOR));
  else
    report_skip("vector in service in the handler", LAPIC_NO_ISR_REASON);
  delay_us(1000);
  reportf(irq_count == 1, "edge IRQ delivered once (%u)", irq_count);

  ioapic_route(TEST_IRQ, TEST_VECTOR, lapic_id(), IOAPIC_REDIR_LEVEL);
  level_mode = true;
  irq_count = 0;
  outb(TESTDEV_IRQ_LINE + TEST_IRQ, 1);
  got = wait_for_irqs(1);
  delay_us(1000);
  reportf(got && irq_count == 1, "level IRQ delivered once when lowered before EOI (%u)", irq_count);
  if (isr_modelled)
    report("remote IRR clear after EOI", !(ioapic_redirection_low(TEST_IRQ) & IOAPIC_REDIR_REMOTE_IRR));
  else  // an EOI with an empty ISR broadcasts nothing, so remote IRR stays set
    report_skip("remote IRR clear after EOI", LAPIC_NO_ISR_REASON);
  level_mode = false;

  set_interrupt_handler(MASKED_TEST_VECTOR, masked_irq_handler);
  ioapic_route(TEST_IRQ, MASKED_TEST_VECTOR, lapic_id(), IOAPIC_REDIR_MASKED);
  outb(TESTDEV_IRQ_LINE + TEST_IRQ, 1);
  outb(TESTDEV_IRQ_LINE + TEST_IRQ, 0);
  irq_enable();
  delay_us(1000);
  irq_disable();
  reportf(masked_irq_count == 0, "masked IOAPIC entry delivers nothing (%u)", masked_irq_count);
}

int main(void) {
  test_data_register();
  test_scratch_mmio();
  test_flush_page();
  test_irq_line();
  return report_summary();
}
