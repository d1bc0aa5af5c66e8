// NS16550A UART as COM1 (I/O 0x3f8-0x3ff, IRQ 4): the register model guests
// program (divisor latch, FIFO control, loopback, interrupt identification)
// with transmitted bytes going to stdout, a file or nowhere.
//
// Output is line-buffered: a guest line reaches the host in one write(2), so
// it never interleaves with nestvisor's own stderr lines. flush() pushes out a
// partial line; the destructor calls it.
#pragma once

#include "devices/device.h"
#include "vmm/irq_router.h"
#include "vmm/machine_config.h"

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace nv {

class Bus;

class Serial16550 : public Device {
 public:
  static constexpr uint16_t kBase = 0x3f8;   // COM1, IBM PC/AT I/O map
  static constexpr unsigned kIrq = 4;        // COM1's ISA IRQ, IBM PC/AT
  static constexpr unsigned kFifoSize = 16;  // PC16550D datasheet: 16-byte transmit and receive FIFOs

  // Opens the output file for SerialMode::file (truncating it, as QEMU's
  // `-serial file:PATH` does); throws nv::Error naming the path otherwise.
  Serial16550(const SerialConfig& cfg, IrqRouter& irq);
  ~Serial16550() override;
  Serial16550(const Serial16550&) = delete;
  Serial16550& operator=(const Serial16550&) = delete;

  std::string_view name() const override { return "serial"; }
  void attach(Bus& io, Bus& mmio);

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;

  // A byte arriving on the serial line (host input). Dropped in loopback
  // mode, where the line is disconnected; sets the overrun error when the
  // receive FIFO (or the holding register without FIFO) is full.
  void receive(uint8_t byte);

  // Writes out buffered output (a partial last line).
  void flush();

 private:
  uint8_t read_register(unsigned reg);
  void write_register(unsigned reg, uint8_t value);
  void transmit(uint8_t byte);
  void push_rx(uint8_t byte);
  uint8_t modem_status_inputs() const;
  void set_modem_control(uint8_t mcr);
  uint8_t pending_interrupt() const;
  void update_irq();
  void flush_locked();

  IrqRouter& irq_;
  SerialMode mode_;
  int fd_ = -1;  // output descriptor (stdout or the file); -1 for none
  bool own_fd_ = false;
  std::string out_;  // pending output, up to a newline

  std::mutex mutex_;
  std::deque<uint8_t> rx_;
  uint8_t ier_ = 0;
  uint8_t lcr_ = 0;
  uint8_t mcr_;
  uint8_t lsr_errors_ = 0;  // OE/PE/FE/BI, cleared by reading LSR
  uint8_t msr_deltas_ = 0;  // DCTS/DDSR/TERI/DDCD, cleared by reading MSR
  uint8_t scr_ = 0;
  uint8_t fcr_ = 0;
  uint16_t divisor_ = 0x0c;     // 9600 baud from the 1.8432 MHz clock
  bool thr_interrupt_ = false;  // THRE interrupt pending (PC16550D Table IV)
  bool irq_level_ = false;
};

}  // namespace nv
