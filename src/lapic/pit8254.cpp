#include "lapic/pit8254.h"

#include "lapic/clock.h"
#include "vmm/bus.h"
#include "vmm/irq_router.h"

namespace nv {

namespace {

constexpr unsigned __int128 kNsPerSecond = 1'000'000'000;
constexpr uint64_t kRefreshToggleNs = 15085;  // PC/AT port 61h bit 4 period

uint32_t from_bcd(uint32_t v) {
  return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}
uint16_t to_bcd(uint64_t v) {
  return static_cast<uint16_t>((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

}  // namespace

Pit8254::Pit8254(const Clock& clock, IrqRouter& irq) : clock_(clock), irq_(irq) {
  counters_[2].gate = false;  // port 0x61 bit 0 is clear after reset
}

void Pit8254::attach(Bus& io) {
  io.add(kCounterPort0, 4, this);
  io.add(kPortB, 1, this);
}

uint64_t Pit8254::ticks(const Counter& c, uint64_t now) const {
  if (c.paused || now < c.run_start_ns) return c.ticks_base;
  return c.ticks_base + static_cast<uint64_t>((static_cast<unsigned __int128>(now - c.run_start_ns) * kHz) /
                                              kNsPerSecond);
}

uint16_t Pit8254::current_count(const Counter& c, uint64_t now) const {
  uint64_t n = period(c), m = modulus(c), value;
  if (!c.counting) {
    value = n;
  } else {
    uint64_t t = ticks(c, now);
    switch (c.mode) {
      case 2:  // rate generator: N, N-1, ..., 1, reload
        value = n - t % n;
        break;
      case 3: {  // square wave: decrements by 2, reloading at each half period
        uint64_t high = (n + 1) / 2, p = t % n;
        value = (n & ~1ull) - 2 * (p < high ? p : p - high);
        break;
      }
      default:  // modes 0, 1, 4, 5: count down through 0 and wrap
        value = (n + m - t % m) % m;
        break;
    }
  }
  value %= m;
  return c.bcd ? to_bcd(value) : static_cast<uint16_t>(value);
}

bool Pit8254::output(const Counter& c, uint64_t now) const {
  // OUT after the control word: low in mode 0, high otherwise (datasheet
  // "Operating Modes"); modes 2 and 3 hold OUT high while the gate is low.
  if (!c.counting) return c.mode != 0;
  uint64_t n = period(c), t = ticks(c, now);
  switch (c.mode) {
    case 0:
    case 1: return t >= n;                 // low until the terminal count
    case 2: return !c.gate || t % n != n - 1;  // low for the one clock before reload
    case 3: return !c.gate || t % n < (n + 1) / 2;
    default: return t != n;                // modes 4, 5: a one-clock low strobe at 0
  }
}

uint64_t Pit8254::next_edge_tick(const Counter& c) const {
  if (!c.counting || c.paused) return UINT64_MAX;
  uint64_t n = period(c);
  switch (c.mode) {
    case 0:
    case 1: return c.edge_done < n ? n : UINT64_MAX;
    case 2:
    case 3: return c.gate ? (c.edge_done / n + 1) * n : UINT64_MAX;
    default: return c.edge_done < n + 1 ? n + 1 : UINT64_MAX;
  }
}

void Pit8254::start(Counter& c, uint64_t now) {
  c.counting = true;
  c.null_count = false;  // the count register has been transferred to the counting element
  c.run_start_ns = now;
  c.ticks_base = 0;
  c.edge_done = 0;
  c.paused = !c.gate && (c.mode == 0 || c.mode == 4);
}

void Pit8254::set_gate(Counter& c, bool gate, uint64_t now) {
  if (gate == c.gate) return;
  bool rising = gate;
  if (c.mode == 0 || c.mode == 4) {
    // Gate low suspends counting; high resumes it.
    if (c.counting) {
      c.ticks_base = ticks(c, now);
      c.run_start_ns = now;
      c.paused = !gate;
    }
  } else if (rising && (c.mode == 1 || c.mode == 5 ? c.loaded : c.counting)) {
    // Modes 1, 5: a rising gate (re)triggers the count. Modes 2, 3: it
    // reloads the count and restarts the period.
    c.gate = gate;
    start(c, now);
    return;
  }
  c.gate = gate;
}

void Pit8254::write_control(uint8_t value, uint64_t now) {
  unsigned select = value >> 6;
  if (select == 3) {
    // Read-back command: bit 5 clear latches counts, bit 4 clear latches
    // status, bits 3:1 select counters 2:0. A second latch before the read
    // is ignored.
    for (unsigned i = 0; i < 3; ++i) {
      if (!(value & (2u << i))) continue;
      Counter& c = counters_[i];
      if (!(value & 0x20) && !c.count_latched) {
        c.latched_count = current_count(c, now);
        c.count_latched = true;
        c.read_msb_next = false;
      }
      if (!(value & 0x10) && !c.status_latched) {
        c.latched_status = status(c, now);
        c.status_latched = true;
      }
    }
    return;
  }
  Counter& c = counters_[select];
  unsigned rw = (value >> 4) & 3;
  if (rw == 0) {  // counter latch command
    if (!c.count_latched) {
      c.latched_count = current_count(c, now);
      c.count_latched = true;
      c.read_msb_next = false;
    }
    return;
  }
  c.control = value & 0x3f;
  c.rw = rw;
  c.mode = (value >> 1) & 7;
  if (c.mode > 5) c.mode -= 4;  // modes 6 and 7 are 2 and 3 (bit 3 is don't-care)
  c.bcd = value & 1;
  c.loaded = c.counting = false;
  c.null_count = true;
  c.write_msb_next = c.read_msb_next = false;
  c.count_latched = c.status_latched = false;
}

void Pit8254::write_count(Counter& c, uint8_t value, uint64_t now) {
  uint32_t raw;
  if (c.rw == 1) {
    raw = value;
  } else if (c.rw == 2) {
    raw = static_cast<uint32_t>(value) << 8;
  } else if (!c.write_msb_next) {
    c.write_lsb = value;
    c.write_msb_next = true;
    if (c.mode == 0) c.counting = false;  // mode 0: the first byte stops the count, OUT goes low
    return;
  } else {
    c.write_msb_next = false;
    raw = c.write_lsb | static_cast<uint32_t>(value) << 8;
  }
  c.count = c.bcd ? from_bcd(raw) : raw;
  c.loaded = c.null_count = true;
  // Modes 0, 2, 3, 4 start counting on the count write; modes 1 and 5 wait
  // for a gate trigger (and keep counting a period already triggered).
  if (c.mode != 1 && c.mode != 5) start(c, now);
}

uint8_t Pit8254::status(const Counter& c, uint64_t now) const {
  // Read-back status byte: OUT (bit 7), NULL COUNT (bit 6), control bits 5:0.
  return static_cast<uint8_t>((output(c, now) ? 0x80 : 0) | (c.null_count ? 0x40 : 0) | c.control);
}

uint8_t Pit8254::read_counter(Counter& c, uint64_t now) {
  if (c.status_latched) {
    c.status_latched = false;
    return c.latched_status;
  }
  uint16_t value = c.count_latched ? c.latched_count : current_count(c, now);
  bool msb;
  if (c.rw == 3) {
    msb = c.read_msb_next;
    c.read_msb_next = !c.read_msb_next;
    if (msb) c.count_latched = false;
  } else {
    msb = c.rw == 2;
    c.count_latched = false;
  }
  return static_cast<uint8_t>(msb ? value >> 8 : value);
}

uint32_t Pit8254::io_read(uint16_t port, unsigned) {
  std::lock_guard lock(mutex_);
  uint64_t now = clock_.now_ns();
  if (port == kPortB) {
    Counter& c2 = counters_[2];
    return (port_b_ & 0x0f) | ((now / kRefreshToggleNs) & 1 ? 0x10 : 0) | (output(c2, now) ? 0x20 : 0);
  }
  if (port == kControlPort) return 0xff;  // the control word register is write-only
  return read_counter(counters_[port - kCounterPort0], now);
}

void Pit8254::io_write(uint16_t port, unsigned, uint32_t value) {
  std::lock_guard lock(mutex_);
  uint64_t now = clock_.now_ns();
  auto byte = static_cast<uint8_t>(value);
  if (port == kPortB) {
    port_b_ = byte & 0x0f;
    set_gate(counters_[2], byte & 1, now);
  } else if (port == kControlPort) {
    write_control(byte, now);
  } else {
    write_count(counters_[port - kCounterPort0], byte, now);
  }
}

uint64_t Pit8254::next_deadline_ns() const {
  std::lock_guard lock(mutex_);
  const Counter& c = counters_[0];
  uint64_t edge = next_edge_tick(c);
  if (edge == UINT64_MAX) return UINT64_MAX;
  // The first ns at which ticks(c, ns) reaches `edge`.
  unsigned __int128 ns = (static_cast<unsigned __int128>(edge - c.ticks_base) * kNsPerSecond + kHz - 1) / kHz;
  unsigned __int128 at = ns + c.run_start_ns;
  return at > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(at);
}

bool Pit8254::irq_due_locked(uint64_t now) {
  Counter& c = counters_[0];
  uint64_t edge = next_edge_tick(c);
  uint64_t t = ticks(c, now);
  if (edge > t) return false;
  // Missed periods coalesce into one edge.
  uint64_t n = period(c);
  c.edge_done = (c.mode == 2 || c.mode == 3) ? t / n * n : edge;
  return true;
}

void Pit8254::advance(uint64_t now_ns) {
  bool due;
  {
    std::lock_guard lock(mutex_);
    due = irq_due_locked(now_ns);
  }
  if (!due) return;
  irq_.set_irq(kIrq, true);
  irq_.set_irq(kIrq, false);
}

}  // namespace nv
