#include "devices/post_code_port.h"

#include "vmm/bus.h"

namespace nv {

void PostCodePort::attach(Bus& io, Bus&) {
  io.add(kPostPort, 1, this);
  io.add(kDelayPort, 1, this);
}

}  // namespace nv
