#include "devices/debug_exit.h"

#include "util/error.h"
#include "vmm/bus.h"

namespace nv {

DebugExit::DebugExit(DebugExitConfig cfg, MachineControl& control) : cfg_(cfg), control_(control) {
  if (cfg_.iosize == 0 || uint32_t{cfg_.iobase} + cfg_.iosize > 0x10000)
    fail("isa-debug-exit: iobase={:#x},iosize={:#x} does not fit in the 64 KiB I/O space", cfg_.iobase, cfg_.iosize);
}

void DebugExit::attach(Bus& io, Bus&) { io.add(cfg_.iobase, cfg_.iosize, this); }

void DebugExit::io_write(uint16_t, unsigned size, uint32_t value) {
  uint64_t v = value & size_mask(size);
  control_.request_exit(static_cast<int>((v << 1) | 1));
}

}  // namespace nv
