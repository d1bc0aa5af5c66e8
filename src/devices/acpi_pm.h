// The ACPI fixed-hardware registers the FADT points at (ACPI 6.5 §4.8):
//   PM1a event block (PM1_STS, PM1_EN), PM1a control block (SCI_EN, SLP_TYP,
//   SLP_EN), the 24/32-bit PM timer, and GPE0 (status and enable halves).
// Sleeping with SLP_TYP = kSlpTypS5 powers the machine off, which ends the
// VMM with status 0, as QEMU's PIIX4 PM does. Nothing here raises the SCI:
// no event source (timer carry, buttons, GPEs) is modelled.
#pragma once

#include "devices/device.h"
#include "vmm/machine_control.h"
#include "vmm/memory_layout.h"

#include <cstdint>
#include <mutex>

namespace nv {

class Bus;

// SLP_TYP value of the S5 (soft off) state; the DSDT's \_S5 package carries
// it (ACPI 6.5 §7.4.2.6). 0 as on QEMU's PIIX4 machine.
inline constexpr uint8_t kSlpTypS5 = 0;

class AcpiPm : public Device {
 public:
  static constexpr uint32_t kPmTimerHz = 3579545;  // ACPI 6.5 §4.8.3.3: 3.579545 MHz
  static constexpr uint8_t kPm1EvtLen = 4, kPm1CntLen = 2, kPmTmrLen = 4, kGpe0Len = 4;  // FADT lengths

  explicit AcpiPm(MachineControl& control);

  std::string_view name() const override { return "PIIX4_PM"; }
  void attach(Bus& io, Bus& mmio);

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;

  // The PM timer's count: CLOCK_MONOTONIC at 3.579545 MHz, 32 bits wide
  // (the FADT sets TMR_VAL_EXT). Lock-free: one vDSO clock_gettime.
  static uint32_t pm_timer();

 private:
  // Registers as 16-bit status/enable pairs and the control word.
  uint32_t read_locked(uint16_t reg_port);
  std::mutex mutex_;
  MachineControl& control_;
  uint16_t pm1_sts_ = 0, pm1_en_ = 0;
  uint16_t pm1_cnt_;
  uint16_t gpe0_sts_ = 0, gpe0_en_ = 0;
};

}  // namespace nv
