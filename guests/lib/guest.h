// Everything a test guest uses; each guest defines `int main(void)` returning its exit code.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "boot_info.h"
#include "console.h"
#include "cpu.h"
#include "fw_cfg.h"
#include "interrupts.h"
#include "io.h"
#include "ioapic.h"
#include "lapic.h"
#include "pci.h"
#include "smp.h"
#include "spinlock.h"
#include "string.h"
#include "test.h"
#include "timing.h"
