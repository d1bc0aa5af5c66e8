#include "lapic_test_support.h"

namespace nv {
namespace {

using test::ApicMachine;
using A = LocalApic;

TEST(LapicRegisters, PowerOnState) {
  ApicMachine m(2);
  EXPECT_EQ(m.rdmsr(0, A::kMsrApicBase), 0xfee00900u) << "enabled, BSP";
  EXPECT_EQ(m.rdmsr(1, A::kMsrApicBase), 0xfee00800u) << "enabled, not BSP";
  EXPECT_EQ(m.read(0, A::kId), 0u);
  EXPECT_EQ(m.read(1, A::kId), 1u << 24) << "xAPIC ID in bits 31:24";
  EXPECT_EQ(m.read(0, A::kVersion), 0x00050014u) << "version 0x14, max LVT entry 5, no EOI suppression";
  EXPECT_EQ(m.read(0, A::kSvr), 0xffu);
  EXPECT_EQ(m.read(0, A::kDfr), 0xffffffffu);
  EXPECT_EQ(m.read(1, A::kLvtLint0), A::kLvtMasked);
  EXPECT_EQ(m.read(0, A::kLvtLint0), 0x700u) << "the BSP's LINT0 passes the 8259 (ExtINT)";
  for (uint32_t reg : {A::kLvtTimer, A::kLvtThermal, A::kLvtPerf, A::kLvtLint1, A::kLvtError})
    EXPECT_EQ(m.read(0, reg), A::kLvtMasked) << std::hex << reg;
  EXPECT_EQ(m.read(0, A::kTpr), 0u);
  EXPECT_EQ(m.read(0, A::kPpr), 0u);
}

TEST(LapicRegisters, VersionWithCmciAndEoiSuppression) {
  ApicMachine m(1, {.lvt_cmci = true, .eoi_broadcast_suppression = true});
  EXPECT_EQ(m.read(0, A::kVersion), 0x01060014u);
  m.write(0, A::kSvr, 0x11ff);
  EXPECT_EQ(m.read(0, A::kSvr), 0x11ffu) << "bit 12 writable when suppression is supported";
  m.write(0, A::kLvtCmci, 0x42);
  EXPECT_EQ(m.read(0, A::kLvtCmci), 0x42u);
}

TEST(LapicRegisters, SvrBit12ReservedWithoutSuppression) {
  ApicMachine m(1);
  m.write(0, A::kSvr, 0x11ff);
  EXPECT_EQ(m.read(0, A::kSvr), 0x1ffu);
  m.enable_x2apic(0);
  EXPECT_FALSE(m.apic(0).wrmsr(0x80f, 0x11ff)) << "#GP on a reserved SVR bit in x2APIC mode";
}

TEST(LapicRegisters, WritableFieldsAndReadOnlyRegisters) {
  ApicMachine m(1);
  m.software_enable(0);
  m.write(0, A::kId, 0x07abcdef);
  EXPECT_EQ(m.read(0, A::kId), 0x07000000u);
  m.write(0, A::kLdr, 0x12345678);
  EXPECT_EQ(m.read(0, A::kLdr), 0x12000000u);
  m.write(0, A::kDfr, 0x00000000);
  EXPECT_EQ(m.read(0, A::kDfr), 0x0fffffffu) << "cluster model; reserved bits read as ones";
  m.write(0, A::kVersion, 0);
  EXPECT_EQ(m.read(0, A::kVersion), 0x00050014u) << "read-only";
  m.write(0, A::kLvtLint1, 0xffffffff);
  EXPECT_EQ(m.read(0, A::kLvtLint1), 0x1a7ffu) << "remote IRR and delivery status are read-only";
  m.write(0, A::kLvtError, 0xffffffff);
  EXPECT_EQ(m.read(0, A::kLvtError), 0x100ffu);
  m.write(0, A::kLvtTimer, 0xffffffff);
  EXPECT_EQ(m.read(0, A::kLvtTimer), 0x700ffu) << "vector, mask, periodic and TSC-deadline mode bits";
  m.write(0, A::kTimerDivide, 0xffffffff);
  EXPECT_EQ(m.read(0, A::kTimerDivide), 0xbu);
}

TEST(LapicRegisters, NarrowReadsReturnTheAddressedBytes) {
  ApicMachine m(2);
  EXPECT_EQ(m.mmio[1]->read_or_float(layout::kLapicBase + A::kId + 3, 1), 1u);
  EXPECT_EQ(m.mmio[0]->read_or_float(layout::kLapicBase + A::kVersion + 2, 1), 5u);
  EXPECT_EQ(m.mmio[0]->read_or_float(layout::kLapicBase + A::kVersion + 4, 4), 0u) << "bytes 4-15 of a slot";
  m.mmio[0]->write_or_drop(layout::kLapicBase + A::kTpr, 1, 0x40);
  EXPECT_EQ(m.read(0, A::kTpr), 0u) << "a byte write is not a register write";
}

TEST(LapicRegisters, SoftwareDisableMasksLvtAndKeepsThemMasked) {
  ApicMachine m(1);
  m.software_enable(0);
  m.write(0, A::kLvtLint1, 0x400);
  m.write(0, A::kLvtThermal, 0x33);
  EXPECT_EQ(m.read(0, A::kLvtLint1), 0x400u);
  m.write(0, A::kSvr, 0xff);
  EXPECT_EQ(m.read(0, A::kLvtLint1), 0x400u | A::kLvtMasked);
  EXPECT_EQ(m.read(0, A::kLvtThermal), 0x33u | A::kLvtMasked);
  m.write(0, A::kLvtLint1, 0x400);
  EXPECT_EQ(m.read(0, A::kLvtLint1), 0x400u | A::kLvtMasked) << "mask cannot be cleared while disabled";
  m.software_enable(0);
  EXPECT_EQ(m.read(0, A::kLvtLint1), 0x400u | A::kLvtMasked) << "re-enabling does not unmask";
}

TEST(LapicRegisters, PriorityRegisters) {
  ApicMachine m(1);
  m.software_enable(0);
  m.apic(0).accept({.vector = 0x51});
  EXPECT_EQ(m.read(0, A::kApr), 0x50u) << "APR follows the pending IRR class above TPR";
  EXPECT_EQ(m.apic(0).acknowledge(), 0x51);
  EXPECT_EQ(m.read(0, A::kPpr), 0x50u) << "PPR = ISRV class when above TPR";
  m.write(0, A::kTpr, 0x62);
  EXPECT_EQ(m.read(0, A::kPpr), 0x62u) << "PPR = TPR when its class is at least ISRV's";
  EXPECT_EQ(m.read(0, A::kApr), 0x62u);
  m.write(0, A::kTpr, 0x31);
  EXPECT_EQ(m.read(0, A::kPpr), 0x50u);
  m.apic(0).accept({.vector = 0x55});
  EXPECT_FALSE(m.apic(0).interrupt_pending()) << "same class as the in-service vector";
  m.apic(0).accept({.vector = 0x61});
  EXPECT_TRUE(m.apic(0).interrupt_pending());
  m.write(0, A::kTpr, 0x70);
  EXPECT_FALSE(m.apic(0).interrupt_pending()) << "TPR class 7 blocks vector 0x61";
  EXPECT_EQ(m.apic(0).cr8(), 7);
  m.apic(0).set_cr8(2);
  EXPECT_EQ(m.read(0, A::kTpr), 0x20u) << "CR8 writes TPR[7:4]";
  EXPECT_TRUE(m.apic(0).interrupt_pending());
}

TEST(LapicRegisters, HighestPriorityFirstAndEoiClearsHighestIsr) {
  ApicMachine m(1);
  m.software_enable(0);
  for (uint8_t v : {0x40, 0x80, 0x33}) m.apic(0).accept({.vector = v});
  EXPECT_EQ(m.read(0, A::kIrr + 0x40), 1u << 0) << "IRR word 4 holds vectors 0x80-0x9f";
  EXPECT_EQ(m.read(0, A::kIrr + 0x20), 1u << 0) << "IRR word 2 holds vector 0x40";
  EXPECT_EQ(m.apic(0).acknowledge(), 0x80);
  EXPECT_FALSE(m.apic(0).interrupt_pending()) << "0x40 waits for the EOI of 0x80";
  EXPECT_EQ(m.read(0, A::kIsr + 0x40), 1u);
  EXPECT_EQ(m.apic(0).acknowledge(), 0xff) << "spurious vector from the SVR when nothing is deliverable";
  m.write(0, A::kEoi, 0);
  EXPECT_FALSE(m.apic(0).isr(0x80));
  EXPECT_EQ(m.apic(0).acknowledge(), 0x40);
  EXPECT_EQ(m.apic(0).acknowledge(), 0xff) << "0x33: class 3 is below 0x40 in service";
  m.write(0, A::kEoi, 0);
  EXPECT_EQ(m.apic(0).acknowledge(), 0x33);
  EXPECT_EQ(m.read(0, A::kEoi), 0u) << "EOI is write-only; xAPIC reads return 0";
}

TEST(LapicRegisters, EsrWriteBeforeRead) {
  ApicMachine m(2);
  m.software_enable(0);
  m.send_ipi(0, 1, 0x05);  // fixed, vector 5: illegal
  EXPECT_EQ(m.read(0, A::kEsr), 0u) << "errors appear only after an ESR write";
  m.write(0, A::kEsr, 0);
  EXPECT_EQ(m.read(0, A::kEsr), A::kEsrSendIllegalVector);
  EXPECT_FALSE(m.apic(1).irr(5));
  m.write(0, A::kEsr, 0);
  EXPECT_EQ(m.read(0, A::kEsr), 0u) << "the second write clears the logged errors";
}

TEST(LapicRegisters, ReceiveIllegalVectorAndErrorInterrupt) {
  ApicMachine m(1);
  m.software_enable(0);
  m.write(0, A::kLvtError, 0xfe);
  m.apic(0).accept({.vector = 0x0c});
  EXPECT_TRUE(m.apic(0).irr(0xfe)) << "the error LVT fires";
  EXPECT_FALSE(m.apic(0).irr(0x0c));
  m.write(0, A::kEsr, 0);
  EXPECT_EQ(m.read(0, A::kEsr), A::kEsrReceiveIllegalVector);
}

TEST(LapicRegisters, ReservedRegisterSetsIllegalRegisterAddress) {
  ApicMachine m(1);
  EXPECT_EQ(m.read(0, 0x040), 0u);
  m.write(0, A::kEsr, 0);
  EXPECT_EQ(m.read(0, A::kEsr), A::kEsrIllegalRegister);
  EXPECT_EQ(m.read(0, A::kLvtCmci), 0u) << "no CMCI LVT by default: reserved";
}

TEST(LapicRegisters, EoiBroadcastForLevelTriggeredVectors) {
  ApicMachine m(1);
  std::vector<int> eois;
  m.bus.set_eoi_listener([&](uint8_t v) { eois.push_back(v); });
  m.software_enable(0);
  m.apic(0).accept({.vector = 0x61, .level_trigger = true});
  EXPECT_TRUE(m.apic(0).tmr(0x61));
  m.apic(0).accept({.vector = 0x41});
  EXPECT_FALSE(m.apic(0).tmr(0x41));
  EXPECT_EQ(m.apic(0).acknowledge(), 0x61);
  m.write(0, A::kEoi, 0);
  EXPECT_EQ(m.apic(0).acknowledge(), 0x41);
  m.write(0, A::kEoi, 0);
  EXPECT_EQ(eois, std::vector<int>{0x61}) << "only the level-triggered vector is broadcast";
}

TEST(LapicRegisters, EoiBroadcastSuppression) {
  ApicMachine m(1, {.eoi_broadcast_suppression = true});
  int eois = 0;
  m.bus.set_eoi_listener([&](uint8_t) { ++eois; });
  m.write(0, A::kSvr, 0x11ff);
  m.apic(0).accept({.vector = 0x61, .level_trigger = true});
  EXPECT_EQ(m.apic(0).acknowledge(), 0x61);
  m.write(0, A::kEoi, 0);
  EXPECT_EQ(eois, 0);
  EXPECT_FALSE(m.apic(0).isr(0x61));
}

TEST(LapicRegisters, Lint0ExtIntFollowsThePin) {
  ApicMachine m(2);
  int wakes = 0;
  m.apic(0).set_wakeup([&] { ++wakes; });
  EXPECT_FALSE(m.apic(0).extint_pending());
  m.apic(0).set_lint(0, true);
  EXPECT_TRUE(m.apic(0).extint_pending());
  EXPECT_EQ(wakes, 1);
  EXPECT_TRUE(m.apic(0).take_extint());
  EXPECT_TRUE(m.apic(0).extint_pending()) << "level-sensitive: pending while INTR is high";
  m.apic(0).set_lint(0, false);
  EXPECT_FALSE(m.apic(0).take_extint());
  m.apic(1).set_lint(0, true);
  EXPECT_FALSE(m.apic(1).extint_pending()) << "an AP's LINT0 is masked";
}

TEST(LapicRegisters, Lint1NmiAndLevelFixedLint) {
  ApicMachine m(1);
  m.software_enable(0);
  m.write(0, A::kLvtLint1, 0x400);
  m.apic(0).set_lint(1, true);
  EXPECT_TRUE(m.apic(0).take_nmi());
  m.apic(0).set_lint(1, true);
  EXPECT_FALSE(m.apic(0).take_nmi()) << "NMI is edge-triggered";
  m.write(0, A::kLvtLint0, A::kLvtLevel | 0x55);
  m.apic(0).set_lint(0, true);
  EXPECT_TRUE(m.apic(0).irr(0x55));
  EXPECT_EQ(m.read(0, A::kLvtLint0) & A::kLvtRemoteIrr, A::kLvtRemoteIrr);
  EXPECT_EQ(m.apic(0).acknowledge(), 0x55);
  m.write(0, A::kEoi, 0);
  EXPECT_EQ(m.read(0, A::kLvtLint0) & A::kLvtRemoteIrr, 0u) << "EOI clears remote IRR";
}

TEST(LapicRegisters, HardwareDisabledPinsAreIntrAndNmi) {
  ApicMachine m(1);
  ASSERT_TRUE(m.apic(0).wrmsr(A::kMsrApicBase, layout::kLapicBase));
  m.apic(0).set_lint(0, true);
  EXPECT_TRUE(m.apic(0).extint_pending());
  m.apic(0).set_lint(1, true);
  EXPECT_TRUE(m.apic(0).take_nmi());
  EXPECT_FALSE(m.apic(0).claims_mmio(layout::kLapicBase));
  EXPECT_EQ(m.read(0, A::kVersion), 0xffffffffu) << "the page is not decoded";
}

}  // namespace
}  // namespace nv
