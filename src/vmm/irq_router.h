// Interrupt lines from devices to whatever interrupt controller the running
// engine provides (KVM's in-kernel IOAPIC/PIC, or the software models).
// Devices are created before the engine, so they hold the router, and the
// engine attaches its sink while it runs.
#pragma once

#include <atomic>

namespace nv {

class InterruptSink {
 public:
  virtual ~InterruptSink() = default;
  // Sets the level of interrupt line `gsi`: 0-15 are the ISA IRQs, 16-23
  // the further IOAPIC pins. The interrupt controllers, not the devices,
  // apply the MADT's override that wires ISA IRQ0 to IOAPIC pin 2.
  virtual void set_irq(unsigned gsi, bool level) = 0;
};

class IrqRouter {
 public:
  void attach(InterruptSink* sink) { sink_.store(sink, std::memory_order_release); }
  void detach() { sink_.store(nullptr, std::memory_order_release); }
  // Drops the change when no engine runs (a device poked before start-up).
  void set_irq(unsigned gsi, bool level) {
    if (InterruptSink* s = sink_.load(std::memory_order_acquire)) s->set_irq(gsi, level);
  }

 private:
  std::atomic<InterruptSink*> sink_{nullptr};
};

}  // namespace nv
