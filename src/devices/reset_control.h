// The two ways PC software resets the machine:
//   0xcf9       the chipset's Reset Control Register (Intel PIIX4/ICH "RC"):
//               a write with RST_CPU (bit 2) set resets, hard if SYS_RST
//               (bit 1) is also set; SYS_RST and FULL_RST (bit 3) are kept
//   0x60/0x64   the 8042 keyboard controller, reduced to what reset needs:
//               status reads "both buffers empty", and pulsing output-port
//               bit 0 low (command 0xfe, or any 0xf0-0xff command with bit 0
//               clear, or command 0xd1 followed by data with bit 0 clear)
//               resets. Other commands are accepted and ignored; data reads 0.
// Each reset goes to MachineControl::request_reset(), which the machine turns
// into an exit under --no-reboot.
#pragma once

#include "devices/device.h"
#include "vmm/machine_control.h"

#include <cstdint>
#include <mutex>

namespace nv {

class Bus;

class ResetControl : public Device {
 public:
  static constexpr uint16_t kResetControlPort = 0xcf9;  // PIIX4 datasheet, RC register (I/O 0CF9h)
  static constexpr uint16_t kKbcDataPort = 0x60;        // 8042 data (IBM PC/AT technical reference)
  static constexpr uint16_t kKbcCommandPort = 0x64;     // 8042 status (read) / command (write)

  explicit ResetControl(MachineControl& control);

  std::string_view name() const override { return "reset-control"; }
  void attach(Bus& io, Bus& mmio);

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  MachineControl& control_;
  std::mutex mutex_;
  uint8_t rcr_ = 0;
  bool last_write_was_command_ = false;
  bool output_port_pending_ = false;  // after command 0xd1 (write output port)
};

}  // namespace nv
