// The PC's interrupt wiring for the software engine: one InterruptSink for
// the IrqRouter that drives both the 8259 pair and the IOAPIC, as the KVM
// engine's GSI routing table does (kvm_engine.cpp create_irqchip): GSIs 0-15
// are ISA IRQs and reach the PIC (except 2, the cascade) and the IOAPIC
// (IRQ0 on pin 2, per the MADT interrupt source override); GSIs 16-23 reach
// only the IOAPIC.
#pragma once

#include "vmm/irq_router.h"

namespace nv {

class Ioapic;
class Pic8259;

class PcInterruptRouting : public InterruptSink {
 public:
  PcInterruptRouting(Pic8259& pic, Ioapic& ioapic) : pic_(pic), ioapic_(ioapic) {}
  void set_irq(unsigned gsi, bool level) override;

 private:
  Pic8259& pic_;
  Ioapic& ioapic_;
};

}  // namespace nv
