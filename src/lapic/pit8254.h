// The 8254 programmable interval timer (Intel 8254 datasheet, order
// 231164) at ports 0x40-0x43, counting at 1.193182 MHz from the Clock, and
// the PC/AT system control port B (0x61) bits that belong to it: bit 0 gates
// counter 2, bit 1 enables the speaker data, bit 4 is the refresh toggle
// (counter 1's refresh request, every 15.085 us), bit 5 reads OUT2.
// Counter 0's OUT drives ISA IRQ0: each rising edge is raised then lowered
// through the IrqRouter (the PIC and the IOAPIC's pin 2 latch it as an edge).
//
// No threads: next_deadline_ns() says when OUT0 next rises and advance()
// raises the edges that are due (several missed periods make one edge).
//
// Modelled: modes 0-5, binary and BCD counting, LSB/MSB/word access with the
// read and write flip-flops, the counter latch command, the read-back command
// (count and status), NULL COUNT, gates (counter 2 from port 0x61; counters 0
// and 1 have their gates tied high on a PC). Simplification: a new count
// written to a running counter in mode 2 or 3 restarts the period at once
// instead of at the end of the current one.
#pragma once

#include "devices/device.h"

#include <array>
#include <cstdint>
#include <mutex>

namespace nv {

class Bus;
class Clock;
class IrqRouter;

class Pit8254 : public Device {
 public:
  static constexpr uint16_t kCounterPort0 = 0x40, kControlPort = 0x43, kPortB = 0x61;  // PC/AT I/O map
  static constexpr uint64_t kHz = 1193182;
  static constexpr unsigned kIrq = 0;

  Pit8254(const Clock& clock, IrqRouter& irq);

  std::string_view name() const override { return "isa-pit"; }
  void attach(Bus& io);

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;

  uint64_t next_deadline_ns() const;  // the next rising edge of OUT0; UINT64_MAX when none
  void advance(uint64_t now_ns);

 private:
  struct Counter {
    uint8_t control = 0;        // the control word bits 5:0 (RW, mode, BCD) for the status byte
    unsigned mode = 0;          // 0-5
    unsigned rw = 3;            // 1 LSB, 2 MSB, 3 LSB then MSB
    bool bcd = false;
    uint32_t count = 0;         // the count register (CR), as a number (0 means the maximum)
    bool gate = true;
    bool loaded = false;        // a count was written since the control word
    bool counting = false;      // the count is loaded and (for modes 1, 5) triggered
    bool null_count = true;
    uint64_t run_start_ns = 0;  // start of the current stretch of counting
    uint64_t ticks_base = 0;    // ticks counted before run_start_ns (gate pauses in modes 0, 4)
    bool paused = false;
    uint64_t edge_done = 0;     // tick of the last rising OUT edge already signalled
    bool write_msb_next = false, read_msb_next = false;
    uint8_t write_lsb = 0;
    bool count_latched = false, status_latched = false;
    uint16_t latched_count = 0;
    uint8_t latched_status = 0;
  };

  uint64_t modulus(const Counter& c) const { return c.bcd ? 10000 : 65536; }
  uint64_t period(const Counter& c) const { return c.count ? c.count : modulus(c); }
  uint64_t ticks(const Counter& c, uint64_t now) const;
  uint16_t current_count(const Counter& c, uint64_t now) const;
  bool output(const Counter& c, uint64_t now) const;
  uint64_t next_edge_tick(const Counter& c) const;  // UINT64_MAX when OUT will not rise
  void start(Counter& c, uint64_t now);
  void set_gate(Counter& c, bool gate, uint64_t now);
  void write_control(uint8_t value, uint64_t now);
  void write_count(Counter& c, uint8_t value, uint64_t now);
  uint8_t read_counter(Counter& c, uint64_t now);
  uint8_t status(const Counter& c, uint64_t now) const;
  bool irq_due_locked(uint64_t now);

  const Clock& clock_;
  IrqRouter& irq_;
  mutable std::mutex mutex_;
  std::array<Counter, 3> counters_;
  uint8_t port_b_ = 0;  // bits 3:0 as written
};

}  // namespace nv
