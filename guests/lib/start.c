// C entry on the boot CPU, called by boot.S in 64-bit mode.
#include "boot_info.h"
#include "console.h"
#include "interrupts.h"
#include "io.h"
#include "test.h"

int main(void);

extern uint32_t boot_magic, boot_info_addr;

void guest_start(void) {
  // Mask both 8259 PICs: firmware may have left them routing the PIT to vector 8, and a
  // guest that enables interrupts would then see a timer tick as a #DF.
  outb(0x21, 0xff);
  outb(0xa1, 0xff);
  console_init();
  idt_init();
  if (!boot_info_capture(boot_magic, boot_info_addr)) exit(1);
  exit(main());
}
