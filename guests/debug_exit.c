// Exits through isa-debug-exit with the code given as "code=N" on the command line;
// the test checks that the VMM's exit status is (N << 1) | 1.
#include "guest.h"

int main(void) {
  uint64_t code;
  if (!report("command line has code=N", cmdline_uint("code", &code))) return report_summary();
  printf("writing %lu to port 0x%x, expect exit status %lu\n", code, DEBUG_EXIT_PORT, (code << 1) | 1);
  exit((int)code);
}
