// Application-processor start-up: INIT-SIPI-SIPI (SDM Vol. 3A 9.4.4.1) into trampoline.S.
#pragma once

#include <stdint.h>

#include "layout.h"  // MAX_CPUS

typedef void (*ap_function)(unsigned cpu_index);

// Starts every enabled CPU in the MADT other than the caller, one at a time. Each AP
// loads the IDT, enables its local APIC, calls fn(cpu_index) (1, 2, ...; the BSP is 0)
// and halts when fn returns. Returns the number of APs that started.
unsigned smp_start_aps(ap_function fn);
// Number of CPUs the MADT lists as enabled (at least 1).
unsigned smp_cpus_in_madt(void);
