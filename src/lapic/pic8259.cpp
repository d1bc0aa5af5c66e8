#include "lapic/pic8259.h"

#include "vmm/bus.h"

namespace nv {

namespace {
constexpr uint8_t kIcw1Ic4 = 1u << 0, kIcw1Single = 1u << 1, kIcw1Ltim = 1u << 3, kIcw1Marker = 1u << 4;
constexpr uint8_t kIcw4Aeoi = 1u << 1, kIcw4Sfnm = 1u << 4;
constexpr uint8_t kOcw3Marker = 1u << 3, kOcw3Poll = 1u << 2, kOcw3ReadRegister = 1u << 1, kOcw3ReadIsr = 1u << 0,
                  kOcw3Esmm = 1u << 6, kOcw3Smm = 1u << 5;
}  // namespace

Pic8259::Pic8259() {
  // ELCR bits that can be level: not IRQ0-2 on the master, not IRQ8 and
  // IRQ13 on the slave (PIIX4 datasheet, ELCR1/ELCR2).
  chips_[0].elcr_writable = 0xf8;
  chips_[1].elcr_writable = 0xde;
}

void Pic8259::attach(Bus& io) {
  io.add(kMasterBase, 2, this);
  io.add(kSlaveBase, 2, this);
  io.add(kElcrBase, 2, this);
}

void Pic8259::set_intr_listener(std::function<void(bool)> listener) {
  std::lock_guard lock(mutex_);
  intr_listener_ = std::move(listener);
}

bool Pic8259::level_sensitive(const Chip& c, unsigned irq) { return (c.icw1 & kIcw1Ltim) || (c.elcr >> irq & 1); }

void Pic8259::set_line(Chip& c, unsigned irq, bool level) {
  uint8_t mask = static_cast<uint8_t>(1u << irq);
  if (level_sensitive(c, irq)) {
    // Level mode: the request follows the line (8259A "Level Triggered Mode").
    c.irr = level ? c.irr | mask : c.irr & ~mask;
  } else if (level && !(c.line & mask)) {
    // Edge mode: a low-to-high transition latches the request.
    c.irr |= mask;
  }
  c.line = level ? c.line | mask : c.line & ~mask;
}

int Pic8259::highest_in_service(const Chip& c) const {
  uint8_t in_service = c.isr;
  // Special mask mode: masked levels do not block others (8259A "Special
  // Mask Mode"). Special fully nested mode: the master lets a slave interrupt
  // through while another from the same slave is in service.
  if (c.special_mask) in_service &= ~c.imr;
  if (&c == &chips_[0] && (c.icw4 & kIcw4Sfnm)) in_service &= ~(1u << kCascadeIrq);
  for (int p = 0; p < 8; ++p) {
    unsigned irq = (c.lowest + 1 + p) & 7;
    if (in_service >> irq & 1) return p;
  }
  return 8;
}

int Pic8259::pending_irq(const Chip& c) const {
  uint8_t requests = c.irr & ~c.imr;
  if (!requests || c.init_step) return -1;
  int limit = highest_in_service(c);
  // Fully nested mode: only levels of higher priority than any in service.
  for (int p = 0; p < limit; ++p) {
    unsigned irq = (c.lowest + 1 + p) & 7;
    if (requests >> irq & 1) return static_cast<int>(irq);
  }
  return -1;
}

void Pic8259::ack_irq(Chip& c, unsigned irq) {
  uint8_t mask = static_cast<uint8_t>(1u << irq);
  if (c.icw4 & kIcw4Aeoi) {
    // Automatic EOI: nothing stays in service; rotation if enabled by OCW2.
    if (c.rotate_on_aeoi) c.lowest = static_cast<uint8_t>(irq);
  } else {
    c.isr |= mask;
  }
  if (!level_sensitive(c, irq)) c.irr &= ~mask;
}

void Pic8259::update_locked() {
  set_line(chips_[0], kCascadeIrq, pending_irq(chips_[1]) >= 0);
  bool intr = pending_irq(chips_[0]) >= 0;
  if (intr == intr_) return;
  intr_ = intr;
  if (intr_listener_) intr_listener_(intr);
}

void Pic8259::set_irq(unsigned irq, bool level) {
  if (irq >= 16 || irq == kCascadeIrq) return;
  std::lock_guard lock(mutex_);
  set_line(chips_[irq / 8], irq % 8, level);
  update_locked();
}

bool Pic8259::intr() const {
  std::lock_guard lock(mutex_);
  return intr_;
}

int Pic8259::acknowledge() {
  std::lock_guard lock(mutex_);
  Chip& master = chips_[0];
  Chip& slave = chips_[1];
  int irq = pending_irq(master);
  int vector;
  if (irq < 0) {
    vector = master.vector_base | 7;  // spurious IRQ7: nothing set in service
  } else {
    ack_irq(master, static_cast<unsigned>(irq));
    if (irq == static_cast<int>(kCascadeIrq)) {
      // The slave supplies the vector; if its request went away it answers
      // with IRQ15 (spurious), and the master's IR2 stays in service.
      int irq2 = pending_irq(slave);
      if (irq2 >= 0) ack_irq(slave, static_cast<unsigned>(irq2));
      vector = slave.vector_base | (irq2 >= 0 ? irq2 : 7);
    } else {
      vector = master.vector_base | irq;
    }
  }
  update_locked();
  return vector;
}

uint8_t Pic8259::poll(Chip& c) {
  // Poll command (OCW3 P=1): the next read returns bit 7 = request pending
  // and bits 2:0 = its level, and the read acts as INTA for that level.
  c.poll = false;
  int irq = pending_irq(c);
  if (irq < 0) return 0;
  ack_irq(c, static_cast<unsigned>(irq));
  return static_cast<uint8_t>(0x80 | irq);
}

void Pic8259::write_command(Chip& c, uint8_t value) {
  if (value & kIcw1Marker) {
    // ICW1 starts initialisation: IMR cleared, IR7 lowest priority, special
    // mask mode off, IRR selected for reading, edge sense reset (a request
    // needs a fresh rising edge); ICW4 functions are zero unless IC4.
    c.icw1 = value;
    c.init_step = 2;
    c.imr = c.isr = 0;
    c.irr = 0;
    c.lowest = 7;
    c.special_mask = c.read_isr = c.poll = c.rotate_on_aeoi = false;
    c.icw4 = 0;
    for (unsigned irq = 0; irq < 8; ++irq)
      if (level_sensitive(c, irq) && (c.line >> irq & 1)) c.irr |= static_cast<uint8_t>(1u << irq);
    return;
  }
  if (value & kOcw3Marker) {
    if (value & kOcw3Poll) c.poll = true;
    if (value & kOcw3ReadRegister) c.read_isr = value & kOcw3ReadIsr;
    if (value & kOcw3Esmm) c.special_mask = value & kOcw3Smm;
    return;
  }
  // OCW2: R (bit 7), SL (bit 6), EOI (bit 5), level L2-L0.
  unsigned level = value & 7;
  auto clear_highest = [&]() -> int {
    for (int p = 0; p < 8; ++p) {
      unsigned irq = (c.lowest + 1 + p) & 7;
      if (c.isr >> irq & 1) {
        c.isr &= static_cast<uint8_t>(~(1u << irq));
        return static_cast<int>(irq);
      }
    }
    return -1;
  };
  switch (value >> 5) {
    case 0b001: clear_highest(); break;                                      // non-specific EOI
    case 0b011: c.isr &= static_cast<uint8_t>(~(1u << level)); break;        // specific EOI
    case 0b101:                                                              // rotate on non-specific EOI
      if (int irq = clear_highest(); irq >= 0) c.lowest = static_cast<uint8_t>(irq);
      break;
    case 0b100: c.rotate_on_aeoi = true; break;
    case 0b000: c.rotate_on_aeoi = false; break;
    case 0b111:                                                              // rotate on specific EOI
      c.isr &= static_cast<uint8_t>(~(1u << level));
      c.lowest = static_cast<uint8_t>(level);
      break;
    case 0b110: c.lowest = static_cast<uint8_t>(level); break;              // set priority
    default: break;                                                          // 0b010: no operation
  }
}

void Pic8259::write_data(Chip& c, uint8_t value) {
  switch (c.init_step) {
    case 2:  // ICW2: vector bits 7:3 (8086 mode)
      c.vector_base = value & 0xf8;
      c.init_step = (c.icw1 & kIcw1Single) ? ((c.icw1 & kIcw1Ic4) ? 4 : 0) : 3;
      break;
    case 3:  // ICW3: cascade wiring, fixed on a PC (slave on IR2, ID 2)
      c.init_step = (c.icw1 & kIcw1Ic4) ? 4 : 0;
      break;
    case 4:  // ICW4: AEOI, SFNM; 8086 mode and buffering have no effect here
      c.icw4 = value;
      c.init_step = 0;
      break;
    default:  // OCW1: the interrupt mask
      c.imr = value;
      break;
  }
}

uint32_t Pic8259::io_read(uint16_t port, unsigned) {
  std::lock_guard lock(mutex_);
  if (port >= kElcrBase) return chips_[port - kElcrBase].elcr;
  Chip& c = chips_[port >= kSlaveBase ? 1 : 0];
  uint32_t value;
  if (port & 1)
    value = c.imr;
  else if (c.poll)
    value = poll(c);
  else
    value = c.read_isr ? c.isr : c.irr;
  update_locked();
  return value;
}

void Pic8259::io_write(uint16_t port, unsigned, uint32_t value) {
  std::lock_guard lock(mutex_);
  auto byte = static_cast<uint8_t>(value);
  if (port >= kElcrBase) {
    Chip& c = chips_[port - kElcrBase];
    c.elcr = byte & c.elcr_writable;
    for (unsigned irq = 0; irq < 8; ++irq)  // a level input now requests as long as it is high
      if (level_sensitive(c, irq)) set_line(c, irq, c.line >> irq & 1);
  } else {
    Chip& c = chips_[port >= kSlaveBase ? 1 : 0];
    if (port & 1)
      write_data(c, byte);
    else
      write_command(c, byte);
  }
  update_locked();
}

}  // namespace nv
