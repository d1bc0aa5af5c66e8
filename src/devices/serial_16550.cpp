#include "devices/serial_16550.h"

#include "util/error.h"
#include "util/log.h"
#include "vmm/bus.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nv {
namespace {

// Register offsets from the base port, PC16550D datasheet Table II.
constexpr unsigned kRbrThr = 0;  // RBR (read) / THR (write); DLL when DLAB=1
constexpr unsigned kIer = 1;     // DLM when DLAB=1
constexpr unsigned kIirFcr = 2;  // IIR (read) / FCR (write)
constexpr unsigned kLcr = 3;
constexpr unsigned kMcr = 4;
constexpr unsigned kLsr = 5;
constexpr unsigned kMsr = 6;  // offset 7 is the scratch register

// Interrupt Enable Register bits (Table II).
constexpr uint8_t kIerRxData = 0x01;
constexpr uint8_t kIerThre = 0x02;
constexpr uint8_t kIerLineStatus = 0x04;
constexpr uint8_t kIerModemStatus = 0x08;

// Interrupt Identification values, by priority (Table IV).
constexpr uint8_t kIirNone = 0x01;
constexpr uint8_t kIirLineStatus = 0x06;
constexpr uint8_t kIirRxData = 0x04;
constexpr uint8_t kIirRxTimeout = 0x0c;
constexpr uint8_t kIirThre = 0x02;
constexpr uint8_t kIirModemStatus = 0x00;
constexpr uint8_t kIirFifosEnabled = 0xc0;  // IIR bits 7:6 mirror FCR0 (Table II)

// FIFO Control Register bits (PC16550D datasheet, FCR description).
constexpr uint8_t kFcrEnable = 0x01;
constexpr uint8_t kFcrClearRx = 0x02;
constexpr uint8_t kFcrKeptBits = 0xc9;  // trigger level, DMA mode, enable; bits 1-2 self-clear

constexpr uint8_t kLcrDlab = 0x80;  // Line Control Register bit 7 (Table II)

// Modem Control Register bits (Table II).
constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08, kMcrLoop = 0x10;
constexpr uint8_t kMcrMask = 0x1f;

// Line Status Register bits (Table II). The transmitter hands every byte to
// the host at once, so THRE and TEMT are always set.
constexpr uint8_t kLsrDataReady = 0x01;
constexpr uint8_t kLsrOverrun = 0x02;
constexpr uint8_t kLsrThre = 0x20;
constexpr uint8_t kLsrTemt = 0x40;

// Modem Status Register bits (Table II): deltas in 3:0, line states in 7:4.
constexpr uint8_t kMsrDcts = 0x01, kMsrDdsr = 0x02, kMsrTeri = 0x04, kMsrDdcd = 0x08;
constexpr uint8_t kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80;

constexpr size_t kOutputBufferLimit = 4096;  // flush a line longer than this early

void write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      log_warn_once("serial-output", static_cast<uint64_t>(fd), "serial output lost: {}", std::strerror(errno));
      return;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
}

unsigned rx_trigger_level(uint8_t fcr) {
  static constexpr unsigned kLevels[4] = {1, 4, 8, 14};  // FCR bits 7:6, receiver trigger level
  return (fcr & kFcrEnable) ? kLevels[fcr >> 6] : 1;
}

}  // namespace

Serial16550::Serial16550(const SerialConfig& cfg, IrqRouter& irq)
    : irq_(irq), mode_(cfg.mode), mcr_(kMcrOut2) {  // QEMU resets MCR with OUT2 set
  switch (mode_) {
    case SerialMode::stdio:
      fd_ = STDOUT_FILENO;
      break;
    case SerialMode::file:
      fd_ = ::open(cfg.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd_ < 0) fail("cannot open serial output file '{}': {}", cfg.path, std::strerror(errno));
      own_fd_ = true;
      break;
    case SerialMode::none:
      break;
  }
}

Serial16550::~Serial16550() {
  flush();
  if (own_fd_) ::close(fd_);
}

void Serial16550::attach(Bus& io, Bus&) { io.add(kBase, 8, this); }

void Serial16550::flush() {
  std::lock_guard lock(mutex_);
  flush_locked();
}

void Serial16550::flush_locked() {
  if (out_.empty()) return;
  write_all(fd_, out_.data(), out_.size());
  out_.clear();
}

uint32_t Serial16550::io_read(uint16_t port, unsigned size) {
  // Wider accesses read consecutive registers, as on an 8-bit ISA bus.
  uint32_t value = 0;
  std::lock_guard lock(mutex_);
  for (unsigned i = 0; i < size; ++i) value |= uint32_t{read_register((port - kBase + i) & 7)} << (8 * i);
  update_irq();
  return value;
}

void Serial16550::io_write(uint16_t port, unsigned size, uint32_t value) {
  std::lock_guard lock(mutex_);
  for (unsigned i = 0; i < size; ++i) write_register((port - kBase + i) & 7, static_cast<uint8_t>(value >> (8 * i)));
  update_irq();
}

uint8_t Serial16550::read_register(unsigned reg) {
  bool dlab = lcr_ & kLcrDlab;
  switch (reg) {
    case kRbrThr: {
      if (dlab) return static_cast<uint8_t>(divisor_);
      if (rx_.empty()) return 0;
      uint8_t byte = rx_.front();
      rx_.pop_front();
      return byte;
    }
    case kIer:
      return dlab ? static_cast<uint8_t>(divisor_ >> 8) : ier_;
    case kIirFcr: {
      uint8_t id = pending_interrupt();
      // Reading IIR while it reports THRE clears that interrupt (Table IV).
      if (id == kIirThre) thr_interrupt_ = false;
      return id | ((fcr_ & kFcrEnable) ? kIirFifosEnabled : 0);
    }
    case kLcr:
      return lcr_;
    case kMcr:
      return mcr_;
    case kLsr: {
      uint8_t lsr = kLsrThre | kLsrTemt | lsr_errors_ | (rx_.empty() ? 0 : kLsrDataReady);
      lsr_errors_ = 0;  // error bits clear on read (Table II, LSR)
      return lsr;
    }
    case kMsr: {
      uint8_t msr = modem_status_inputs() | msr_deltas_;
      msr_deltas_ = 0;  // delta bits clear on read (MSR description)
      return msr;
    }
    default:  // scratch register
      return scr_;
  }
}

void Serial16550::write_register(unsigned reg, uint8_t value) {
  bool dlab = lcr_ & kLcrDlab;
  switch (reg) {
    case kRbrThr:
      if (dlab) {
        divisor_ = static_cast<uint16_t>((divisor_ & 0xff00) | value);
      } else {
        // Writing THR clears the THRE interrupt; it is pending again once the
        // byte has gone, which here is immediately. Lowering the line first
        // gives the edge an edge-triggered IOAPIC pin needs (QEMU does the same).
        thr_interrupt_ = false;
        update_irq();
        transmit(value);
        thr_interrupt_ = true;
      }
      break;
    case kIer:
      if (dlab) {
        divisor_ = static_cast<uint16_t>((divisor_ & 0x00ff) | (value << 8));
      } else {
        uint8_t enabled = value & ~ier_;
        ier_ = value & 0x0f;
        // Enabling ETBEI while THR is empty raises THRE at once, as on real parts and QEMU.
        if (enabled & kIerThre) thr_interrupt_ = true;
      }
      break;
    case kIirFcr:
      if ((value ^ fcr_) & kFcrEnable) rx_.clear();  // toggling FCR0 empties the FIFOs (FCR bit 0)
      if (value & kFcrClearRx) rx_.clear();
      fcr_ = value & kFcrKeptBits;
      break;
    case kLcr:
      lcr_ = value;
      break;
    case kMcr:
      set_modem_control(value & kMcrMask);
      break;
    case kLsr:
    case kMsr:
      break;  // read-only
    default:  // scratch register
      scr_ = value;
      break;
  }
}

void Serial16550::transmit(uint8_t byte) {
  if (mcr_ & kMcrLoop) {  // loopback: the transmitter feeds the receiver (MCR bit 4)
    push_rx(byte);
    return;
  }
  if (fd_ < 0) return;
  out_.push_back(static_cast<char>(byte));
  if (byte == '\n' || out_.size() >= kOutputBufferLimit) flush_locked();
}

void Serial16550::receive(uint8_t byte) {
  std::lock_guard lock(mutex_);
  if (mcr_ & kMcrLoop) return;
  push_rx(byte);
  update_irq();
}

void Serial16550::push_rx(uint8_t byte) {
  bool fifo = fcr_ & kFcrEnable;
  if (rx_.size() >= (fifo ? kFifoSize : 1)) {
    lsr_errors_ |= kLsrOverrun;
    // Without FIFO the new byte overwrites RBR; with a full FIFO it is lost (LSR bit 1, OE).
    if (fifo) return;
    rx_.clear();
  }
  rx_.push_back(byte);
}

// Line states seen on the modem inputs. In loopback they are wired to the
// modem outputs (MCR bit 4: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2); otherwise the
// host end is always ready, as QEMU reports for a connected character device.
uint8_t Serial16550::modem_status_inputs() const {
  if (!(mcr_ & kMcrLoop)) return kMsrDcd | kMsrDsr | kMsrCts;
  return ((mcr_ & kMcrRts) ? kMsrCts : 0) | ((mcr_ & kMcrDtr) ? kMsrDsr : 0) | ((mcr_ & kMcrOut1) ? kMsrRi : 0) |
         ((mcr_ & kMcrOut2) ? kMsrDcd : 0);
}

void Serial16550::set_modem_control(uint8_t mcr) {
  uint8_t before = modem_status_inputs();
  mcr_ = mcr;
  uint8_t after = modem_status_inputs();
  uint8_t changed = before ^ after;
  if (changed & kMsrCts) msr_deltas_ |= kMsrDcts;
  if (changed & kMsrDsr) msr_deltas_ |= kMsrDdsr;
  if ((before & kMsrRi) && !(after & kMsrRi)) msr_deltas_ |= kMsrTeri;  // trailing edge only
  if (changed & kMsrDcd) msr_deltas_ |= kMsrDdcd;
}

uint8_t Serial16550::pending_interrupt() const {
  if ((ier_ & kIerLineStatus) && lsr_errors_) return kIirLineStatus;
  if ((ier_ & kIerRxData) && !rx_.empty()) {
    // Below the trigger level the 16550 reports a character timeout instead
    // (FIFO interrupt mode operation); with no notion of time here, the timeout
    // has always elapsed.
    return rx_.size() >= rx_trigger_level(fcr_) ? kIirRxData : kIirRxTimeout;
  }
  if ((ier_ & kIerThre) && thr_interrupt_) return kIirThre;
  if ((ier_ & kIerModemStatus) && msr_deltas_) return kIirModemStatus;
  return kIirNone;
}

// The INTR output is a level. As in QEMU, OUT2 does not gate it.
void Serial16550::update_irq() {
  bool level = pending_interrupt() != kIirNone;
  if (level == irq_level_) return;
  irq_level_ = level;
  irq_.set_irq(kIrq, level);
}

}  // namespace nv
