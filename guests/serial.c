// 16550 UART registers on COM1: THRE, scratch, divisor latch, loopback mode.
#include "guest.h"

#define RBR 0  // receive buffer (read, DLAB=0)
#define THR 0  // transmit holding (write, DLAB=0)
#define IER 1
#define DLL 0  // divisor latch, DLAB=1
#define DLM 1
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define LCR_DLAB 0x80
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

static uint8_t rd(unsigned reg) { return inb(COM1_BASE + reg); }
static void wr(unsigned reg, uint8_t v) { outb(COM1_BASE + reg, v); }

static bool wait_for_data(void) {
  for (int i = 0; i < 100000; i++)
    if (rd(LSR) & LSR_DR) return true;
  return false;
}

static void test_lsr(void) {
  uint8_t lsr = rd(LSR);
  reportf(lsr & LSR_THRE, "LSR.THRE set when idle (LSR=0x%x)", lsr);
  reportf(lsr & LSR_TEMT, "LSR.TEMT set when idle (LSR=0x%x)", lsr);
}

static void test_scratch(void) {
  bool ok = true;
  const uint8_t patterns[] = {0x00, 0x5a, 0xa5, 0xff};
  for (unsigned i = 0; i < sizeof(patterns); i++) {
    wr(SCR, patterns[i]);
    ok &= rd(SCR) == patterns[i];
  }
  report("scratch register holds 0x00, 0x5a, 0xa5, 0xff", ok);
}

static void test_divisor_latch(void) {
  uint8_t lcr = rd(LCR);
  wr(LCR, lcr | LCR_DLAB);
  wr(DLL, 0x34);
  wr(DLM, 0x12);
  uint8_t dll = rd(DLL), dlm = rd(DLM);
  wr(DLL, 1);  // back to 115200 baud
  wr(DLM, 0);
  bool restored = rd(DLL) == 1 && rd(DLM) == 0;
  wr(LCR, lcr);
  reportf(dll == 0x34 && dlm == 0x12, "divisor latch round trip with DLAB=1 (read 0x%02x%02x)", dlm, dll);
  report("divisor latch restored", restored);
  reportf(rd(LCR) == lcr, "LCR round trip (0x%x)", lcr);
  wr(IER, 0);
  report("IER reads 0 with DLAB=0 (divisor latch hidden)", rd(IER) == 0);
}

// Reports only after leaving loopback mode: in loopback the console output goes nowhere.
static void test_loopback(void) {
  uint8_t mcr = rd(MCR);
  wr(MCR, MCR_LOOP);
  while (rd(LSR) & LSR_DR) rd(RBR);  // drain
  const char *text = "loop";
  bool echoed = true;
  for (const char *p = text; *p && echoed; p++) {
    wr(THR, (uint8_t)*p);
    echoed = wait_for_data() && rd(RBR) == (uint8_t)*p;
  }
  bool drained = !(rd(LSR) & LSR_DR);

  // In loopback the modem-control outputs drive the modem-status inputs:
  // DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD (16550 datasheet, MCR bit 4).
  wr(MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
  uint8_t all = rd(MSR) & 0xf0;
  wr(MCR, MCR_LOOP);
  uint8_t none = rd(MSR) & 0xf0;
  wr(MCR, mcr);

  report("loopback mode echoes transmitted bytes into RBR", echoed);
  report("receive buffer empty after reading the echoes", drained);
  reportf(all == 0xf0 && none == 0, "loopback drives MSR from MCR (0x%x, 0x%x)", all, none);
}

int main(void) {
  test_lsr();
  test_scratch();
  test_divisor_latch();
  test_loopback();
  printf("The quick brown fox jumps over the lazy dog 0123456789\n");
  return report_summary();
}
