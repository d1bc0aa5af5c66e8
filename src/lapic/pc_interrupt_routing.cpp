#include "lapic/pc_interrupt_routing.h"

#include "lapic/ioapic.h"
#include "lapic/pic8259.h"

namespace nv {

void PcInterruptRouting::set_irq(unsigned gsi, bool level) {
  if (gsi < 16) pic_.set_irq(gsi, level);
  ioapic_.set_irq(gsi, level);
}

}  // namespace nv
