#include "lapic/ioapic.h"

#include "lapic/apic_bus.h"
#include "util/log.h"
#include "vmm/bus.h"
#include "vmm/memory_layout.h"

namespace nv {

namespace {
// Writable bits of an entry: vector, delivery mode, destination mode,
// polarity, trigger mode, mask, destination (datasheet §3.2.4). Delivery
// status and remote IRR are read-only.
constexpr uint64_t kWritable = 0xff000000'0001afffull;
}  // namespace

Ioapic::Ioapic(ApicBus& bus, uint8_t id) : bus_(bus), id_(id & kIdMask) {
  redirection_.fill(kMasked);  // §3.2.4: entries come out of reset masked
  bus_.set_eoi_listener([this](uint8_t vector) { eoi(vector); });
}

Ioapic::~Ioapic() { bus_.set_eoi_listener(nullptr); }

void Ioapic::attach(Bus& mmio) { mmio.add(layout::kIoapicBase, kMmioSize, this); }

uint32_t Ioapic::read_register_locked(uint8_t index) const {
  switch (index) {
    // §3.2.1/§3.2.3: the ID is 4 bits, bits 27:24 (as KVM's in-kernel
    // IOAPIC); the arbitration ID is loaded from it.
    case kRegId: return static_cast<uint32_t>(id_) << 24;
    case kRegVersion: return kVersion | ((kPins - 1) << 16);
    case kRegArbitration: return static_cast<uint32_t>(id_) << 24;
    default: break;
  }
  if (index >= kRegRedirection && index < kRegRedirection + 2 * kPins) {
    uint64_t e = redirection_[(index - kRegRedirection) / 2];
    return static_cast<uint32_t>(index & 1 ? e >> 32 : e);
  }
  return 0;
}

void Ioapic::write_register_locked(uint8_t index, uint32_t value) {
  if (index == kRegId) {
    id_ = static_cast<uint8_t>((value >> 24) & kIdMask);
    return;
  }
  if (index < kRegRedirection || index >= kRegRedirection + 2 * kPins) return;  // read-only or reserved
  unsigned pin = (index - kRegRedirection) / 2;
  uint64_t& e = redirection_[pin];
  uint64_t v = index & 1 ? (static_cast<uint64_t>(value) << 32) | static_cast<uint32_t>(e)
                         : (e & 0xffffffff00000000ull) | value;
  e = (v & kWritable) | (e & (kDeliveryStatus | kRemoteIrr));
  if (!(e & kLevelTriggered)) e &= ~kRemoteIrr;  // remote IRR is undefined for edge entries
  // A level-triggered pin that is still asserted interrupts once unmasked.
  if ((e & kLevelTriggered) && asserted_locked(pin)) deliver_locked(pin);
}

bool Ioapic::asserted_locked(unsigned pin) const {
  return pin_level_[pin] != static_cast<bool>(redirection_[pin] & kActiveLow);  // §3.2.4 bit 13
}

void Ioapic::deliver_locked(unsigned pin) {
  uint64_t& e = redirection_[pin];
  if ((e & kMasked) || (e & kRemoteIrr)) return;
  ApicMessage msg;
  msg.vector = e & 0xff;
  auto mode = static_cast<unsigned>((e >> 8) & 7);
  if (mode == 3 || mode == 6) {  // §3.2.4: reserved delivery modes
    log_warn_once("ioapic-mode", pin, "IOAPIC pin {} uses reserved delivery mode {}; not delivered", pin, mode);
    return;
  }
  msg.mode = static_cast<DeliveryMode>(mode);
  msg.logical = e & (1u << 11);
  msg.dest = static_cast<uint32_t>(e >> 56);
  // §3.2.4: SMI, NMI, INIT and ExtINT are edge-triggered whatever bit 15 says.
  bool level = (e & kLevelTriggered) && (msg.mode == DeliveryMode::fixed || msg.mode == DeliveryMode::lowest_priority);
  msg.level_trigger = level;
  // §3.2.4 bit 14: remote IRR is set once a local APIC accepts the level
  // interrupt and cleared by that APIC's EOI for the vector.
  if (bus_.route(msg) > 0 && level) e |= kRemoteIrr;
}

void Ioapic::set_pin(unsigned pin, bool level) {
  if (pin >= kPins) return;
  std::lock_guard lock(mutex_);
  bool was = asserted_locked(pin);
  pin_level_[pin] = level;
  bool now = asserted_locked(pin);
  // Level-triggered entries deliver while asserted; edge-triggered ones on
  // the asserting edge, which is lost while masked (§3.2.4 bit 16).
  if (now && ((redirection_[pin] & kLevelTriggered) || !was)) deliver_locked(pin);
}

void Ioapic::set_irq(unsigned gsi, bool level) {
  if (gsi == 2) return;  // the 8259 cascade: no device drives it
  if (gsi >= kPins) {
    log_warn_once("ioapic-gsi", gsi, "interrupt line GSI {} is beyond the IOAPIC's {} pins; ignored", gsi, kPins);
    return;
  }
  set_pin(gsi == 0 ? 2 : gsi, level);  // MADT interrupt source override: ISA IRQ0 -> GSI 2
}

void Ioapic::eoi(uint8_t vector) {
  std::lock_guard lock(mutex_);
  for (unsigned pin = 0; pin < kPins; ++pin) {
    uint64_t& e = redirection_[pin];
    if (!(e & kRemoteIrr) || (e & 0xff) != vector) continue;
    e &= ~kRemoteIrr;
    if (asserted_locked(pin)) deliver_locked(pin);
  }
}

uint64_t Ioapic::mmio_read(uint64_t addr, unsigned size) {
  std::lock_guard lock(mutex_);
  uint64_t offset = addr - layout::kIoapicBase;
  if (offset == kRegSelOffset) return regsel_;
  if (offset == kWindowOffset && size == 4) return read_register_locked(regsel_);
  log_warn_once("ioapic-read", offset, "IOAPIC read of size {} at offset {:#x}: only IOREGSEL and 32-bit IOWIN "
                "accesses are defined (82093AA §3.1); returning 0", size, offset);
  return 0;
}

void Ioapic::mmio_write(uint64_t addr, unsigned size, uint64_t value) {
  std::lock_guard lock(mutex_);
  uint64_t offset = addr - layout::kIoapicBase;
  if (offset == kRegSelOffset) {
    regsel_ = static_cast<uint8_t>(value);  // §3.1.1: bits 7:0 select the register
  } else if (offset == kWindowOffset && size == 4) {
    write_register_locked(regsel_, static_cast<uint32_t>(value));
  } else {
    log_warn_once("ioapic-write", offset, "IOAPIC write of size {} at offset {:#x}: only IOREGSEL and 32-bit "
                  "IOWIN accesses are defined (82093AA §3.1); ignored", size, offset);
  }
}

}  // namespace nv
