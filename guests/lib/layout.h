// Fixed addresses and sizes shared by the assembly and C parts of the guest library.
#pragma once

#define BSP_STACK_SIZE 16384
#define AP_STACK_SIZE 8192
#define MAX_CPUS 16

// The AP start-up trampoline is copied here; a SIPI vector is the page number
// of its 4 KiB-aligned start below 1 MiB (SDM Vol. 3A 9.4.4.1 / 11.6.1, "Start-up IPI").
#define AP_TRAMPOLINE_BASE 0x8000
