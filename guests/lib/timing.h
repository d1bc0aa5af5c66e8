// TSC frequency discovery and TSC-based delays and timeouts.
#pragma once

#include <stdbool.h>
#include <stdint.h>

// TSC ticks per second from CPUID 0x15, 0x16 or the hypervisor leaf 0x40000010,
// otherwise calibrated against PIT channel 2; 0 if all of these fail.
uint64_t tsc_hz(void);
// Where tsc_hz() came from: "cpuid-0x15", "cpuid-0x16", "hypervisor-leaf", "pit", "unknown".
const char *tsc_hz_source(void);
// For timeouts only: tsc_hz(), or a generous 4 GHz guess when it is unknown.
uint64_t tsc_hz_for_timeouts(void);
void delay_us(uint64_t us);

struct deadline {
  uint64_t end_tsc;
};
struct deadline deadline_in_ms(uint64_t ms);
bool deadline_passed(struct deadline d);
