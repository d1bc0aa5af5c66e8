// The PC's cascaded pair of 8259A programmable interrupt controllers
// (Intel 8259A datasheet, order 231468): master at 0x20/0x21 with the slave's
// INT on its IR2, slave at 0xa0/0xa1, and the PIIX edge/level control
// registers (ELCR) at 0x4d0/0x4d1. The master's INT output is the BSP's
// INTR, which the machine wires to LINT0 of the BSP's local APIC
// (set_intr_listener); the CPU core takes the vector with acknowledge() (the
// INTA cycle) when that APIC reports an ExtINT.
//
// Modelled: ICW1-ICW4 initialisation, OCW1-OCW3, IRR/ISR/IMR, fully nested
// priority with rotation (automatic and specific), specific and non-specific
// EOI, automatic EOI, special mask mode, special fully nested mode, the poll
// command, IRR/ISR read selection, edge or level sensing (ELCR or ICW1 LTIM),
// spurious IRQ7/IRQ15. Not modelled: MCS-80/85 mode, buffered mode (no
// effect on a PC), cascade addresses other than the PC's IR2 wiring.
#pragma once

#include "devices/device.h"
#include "vmm/irq_router.h"

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>

namespace nv {

class Bus;

class Pic8259 : public Device, public InterruptSink {
 public:
  static constexpr uint16_t kMasterBase = 0x20, kSlaveBase = 0xa0;  // IBM PC/AT I/O map
  static constexpr uint16_t kElcrBase = 0x4d0;                       // PIIX/ICH ELCR1, ELCR2
  static constexpr unsigned kCascadeIrq = 2;

  Pic8259();

  std::string_view name() const override { return "i8259"; }
  void attach(Bus& io);

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;

  // ISA IRQ 0-15 line levels (IRQ 2 is the cascade and is ignored).
  void set_irq(unsigned irq, bool level) override;

  // The master's INT output.
  bool intr() const;
  // The INTA cycle: returns the vector of the highest-priority request and
  // marks it in service; IRQ7 (or IRQ15) of the responding chip when the
  // request has gone away (spurious interrupt).
  int acknowledge();
  // Called under the PIC's lock whenever INT changes (the BSP's LINT0).
  void set_intr_listener(std::function<void(bool)> listener);

 private:
  struct Chip {
    uint8_t irr = 0, isr = 0, imr = 0, elcr = 0, elcr_writable = 0;
    uint8_t line = 0;           // input levels, for edge detection
    uint8_t vector_base = 0;    // ICW2 bits 7:3
    uint8_t lowest = 7;         // the IR with the lowest priority
    uint8_t icw1 = 0, icw4 = 0;
    // Next ICW expected: 2, 3, 4, or 0 when initialised. The 8259A leaves
    // the state before the first ICW1 undefined ("Initialization Command
    // Words"); like the PICs of QEMU and KVM (whose in-kernel PIC the KVM
    // engine uses) a chip out of reset works as initialised with vector base
    // 0, nothing masked, edge-triggered, so guests see the same on both engines.
    unsigned init_step = 0;
    bool read_isr = false, poll = false, special_mask = false, rotate_on_aeoi = false;
  };

  static bool level_sensitive(const Chip& c, unsigned irq);
  static void set_line(Chip& c, unsigned irq, bool level);
  static int priority(const Chip& c, unsigned irq) { return (irq - c.lowest - 1) & 7; }
  int pending_irq(const Chip& c) const;  // -1 when INT is low
  void ack_irq(Chip& c, unsigned irq);
  int highest_in_service(const Chip& c) const;
  void write_command(Chip& c, uint8_t value);
  void write_data(Chip& c, uint8_t value);
  uint8_t poll(Chip& c);
  void update_locked();  // cascade and INT output

  mutable std::mutex mutex_;
  std::array<Chip, 2> chips_;
  bool intr_ = false;
  std::function<void(bool)> intr_listener_;
};

}  // namespace nv
