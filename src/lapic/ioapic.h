// The I/O APIC (Intel 82093AA datasheet, order 290566-001): 24 input pins at
// MMIO 0xfec00000, each with a 64-bit redirection entry that turns a pin
// assertion into an APIC message on the ApicBus. Registers are reached
// indirectly: IOREGSEL (base+0x00) selects, IOWIN (base+0x10) reads/writes.
//
// Devices raise lines through the IrqRouter with the GSI numbers the KVM
// engine routes (kvm_engine.cpp create_irqchip) and the MADT describes
// (acpi_tables.cpp): ISA IRQ0 (the PIT) is pin 2, GSI 2 (the 8259 cascade)
// reaches no pin, every other GSI n is pin n.
//
// Not modelled: the 0x20-version EOI register (directed EOI), the bus
// arbitration protocol (the arbitration ID just mirrors the ID).
#pragma once

#include "devices/device.h"
#include "vmm/irq_router.h"

#include <array>
#include <cstdint>
#include <mutex>

namespace nv {

class ApicBus;
class Bus;

class Ioapic : public Device, public InterruptSink {
 public:
  static constexpr unsigned kPins = 24;
  static constexpr uint64_t kMmioSize = 0x1000;
  static constexpr uint64_t kRegSelOffset = 0x00, kWindowOffset = 0x10;  // datasheet §3.0, Table 1
  // Indirect registers (datasheet §3.2, Table 2).
  static constexpr uint8_t kRegId = 0x00, kRegVersion = 0x01, kRegArbitration = 0x02, kRegRedirection = 0x10;
  static constexpr uint8_t kIdMask = 0xf;    // §3.2.1: IOAPIC ID in bits 27:24
  static constexpr uint32_t kVersion = 0x11;  // §3.2.2: version 0x11, max redirection entry in bits 23:16
  // Redirection entry bits (datasheet §3.2.4).
  static constexpr uint64_t kDeliveryStatus = 1u << 12, kActiveLow = 1u << 13, kRemoteIrr = 1u << 14,
                            kLevelTriggered = 1u << 15, kMasked = 1u << 16;

  // Registers itself as `bus`'s EOI listener (remote IRR clearing).
  Ioapic(ApicBus& bus, uint8_t id);
  ~Ioapic() override;

  std::string_view name() const override { return "ioapic"; }
  void attach(Bus& mmio);

  uint64_t mmio_read(uint64_t addr, unsigned size) override;
  void mmio_write(uint64_t addr, unsigned size, uint64_t value) override;

  // A device's interrupt line (GSI numbering above).
  void set_irq(unsigned gsi, bool level) override;
  // An input pin's electrical level; the entry's polarity says which level
  // asserts it.
  void set_pin(unsigned pin, bool level);
  // An EOI for `vector` from a local APIC: clears the remote IRR of the level-
  // triggered entries with that vector and re-delivers those still asserted.
  void eoi(uint8_t vector);

 private:
  uint32_t read_register_locked(uint8_t index) const;
  void write_register_locked(uint8_t index, uint32_t value);
  bool asserted_locked(unsigned pin) const;
  void deliver_locked(unsigned pin);

  ApicBus& bus_;
  mutable std::mutex mutex_;
  uint8_t id_;
  uint8_t regsel_ = 0;
  std::array<uint64_t, kPins> redirection_;
  std::array<bool, kPins> pin_level_{};
};

}  // namespace nv
