#include "devices/reset_control.h"

#include "vmm/bus.h"

namespace nv {
namespace {

// Reset Control Register bits (PIIX4 datasheet RC register; ICH9 datasheet RST_CNT).
constexpr uint8_t kSysRst = 1u << 1;
constexpr uint8_t kRstCpu = 1u << 2;
constexpr uint8_t kFullRst = 1u << 3;

// 8042 status register bits (IBM PC/AT technical reference, keyboard controller).
constexpr uint8_t kStatusSystemFlag = 1u << 2;  // self-test passed
constexpr uint8_t kStatusCommand = 1u << 3;     // last write went to port 0x64
constexpr uint8_t kStatusUnlocked = 1u << 4;    // keyboard not inhibited

// 8042 commands.
constexpr uint8_t kCmdWriteOutputPort = 0xd1;
constexpr uint8_t kCmdPulseBase = 0xf0;        // 0xf0-0xff: pulse output-port bits 3:0 that are 0
constexpr uint8_t kOutputPortReset = 1u << 0;  // output port bit 0 drives the CPU's reset line, active low

}  // namespace

ResetControl::ResetControl(MachineControl& control) : control_(control) {}

void ResetControl::attach(Bus& io, Bus&) {
  io.add(kResetControlPort, 1, this);
  io.add(kKbcDataPort, 1, this);
  io.add(kKbcCommandPort, 1, this);
}

uint32_t ResetControl::io_read(uint16_t port, unsigned size) {
  std::lock_guard lock(mutex_);
  switch (port) {
    case kResetControlPort:
      return rcr_;
    case kKbcCommandPort:
      return kStatusSystemFlag | kStatusUnlocked | (last_write_was_command_ ? kStatusCommand : 0);
    case kKbcDataPort:
      return 0;  // output buffer empty: nothing to read
    default:
      return static_cast<uint32_t>(size_mask(size));
  }
}

void ResetControl::io_write(uint16_t port, unsigned, uint32_t value) {
  auto byte = static_cast<uint8_t>(value);
  bool reset = false;
  {
    std::lock_guard lock(mutex_);
    switch (port) {
      case kResetControlPort:
        rcr_ = byte & (kSysRst | kFullRst);  // RST_CPU is a trigger, not state
        reset = byte & kRstCpu;
        break;
      case kKbcCommandPort:
        last_write_was_command_ = true;
        output_port_pending_ = byte == kCmdWriteOutputPort;
        reset = byte >= kCmdPulseBase && !(byte & kOutputPortReset);
        break;
      case kKbcDataPort:
        last_write_was_command_ = false;
        reset = output_port_pending_ && !(byte & kOutputPortReset);
        output_port_pending_ = false;
        break;
      default:
        break;
    }
  }
  if (reset) control_.request_reset();
}

}  // namespace nv
