// Resets the machine the way the command line says ("via=N": 0 = reset
// control register 0xcf9, 1 = keyboard controller pulse, 2 = triple fault)
// and checks, on the boot that follows, that it came back: a CMOS byte,
// which a reset keeps while it clears RAM, tells the two boots apart.
// With --no-reboot the VMM instead exits with status 0 after the reset.
#include "guest.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define CMOS_MARK_REGISTER 0x70  // general-purpose CMOS RAM, unused by PC firmware conventions
#define MARK 0x5a

static uint8_t cmos_read(uint8_t reg) {
  outb(CMOS_INDEX, reg);
  return inb(CMOS_DATA);
}

static void cmos_write(uint8_t reg, uint8_t value) {
  outb(CMOS_INDEX, reg);
  outb(CMOS_DATA, value);
}

static __attribute__((noreturn)) void triple_fault(void) {
  // An IDT with limit 0 turns the breakpoint into #GP, then #DF, then a
  // shutdown (SDM Vol. 3A 7.15, interrupt 8).
  struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
  } empty_idt = {0, 0};
  __asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
  __builtin_unreachable();
}

int main(void) {
  uint64_t via;
  if (!report("command line has via=N", cmdline_uint("via", &via) && via <= 2)) return report_summary();
  static const char *const kHow[] = {"reset control register 0xcf9", "keyboard controller command 0xfe",
                                     "triple fault"};

  if (cmos_read(CMOS_MARK_REGISTER) == MARK) {
    cmos_write(CMOS_MARK_REGISTER, 0);
    report("machine rebooted after a reset", true);
    return report_summary();
  }
  cmos_write(CMOS_MARK_REGISTER, MARK);
  printf("resetting through the %s\n", kHow[via]);
  switch (via) {
    case 0:
      outb(0xcf9, 0x06);  // SYS_RST | RST_CPU: hard reset (Intel PCH datasheet, Reset Control Register)
      break;
    case 1:
      outb(0x64, 0xfe);  // pulse output line 0, the CPU reset line (i8042)
      break;
    default:
      triple_fault();
  }
  for (;;) __asm__ volatile("pause");  // the reset takes effect asynchronously in the VMM
}
