// Ports that PC software writes only for their side effect: 0x80 (POST
// codes, also the classic "I/O delay" port) and 0xed (the alternative delay
// port Linux's io_delay=0xed uses). Writes vanish and reads float high, as on
// a PC without a POST card, without the "unassigned port" warnings.
#pragma once

#include "devices/device.h"

#include <cstdint>

namespace nv {

class Bus;

class PostCodePort : public Device {
 public:
  static constexpr uint16_t kPostPort = 0x80;   // IBM PC/AT manufacturing test port
  static constexpr uint16_t kDelayPort = 0xed;  // unused ISA port used for I/O delays

  std::string_view name() const override { return "ioport80"; }
  void attach(Bus& io, Bus& mmio);
};

}  // namespace nv
