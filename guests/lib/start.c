// C entry on the boot CPU, called by boot.S in 64-bit mode.
#include "boot_info.h"
#include "console.h"
#include "interrupts.h"
#include "test.h"

int main(void);

extern uint32_t boot_magic, boot_info_addr;

void guest_start(void) {
  console_init();
  idt_init();
  if (!boot_info_capture(boot_magic, boot_info_addr)) exit(1);
  exit(main());
}
