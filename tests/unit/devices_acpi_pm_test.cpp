#include "devices/acpi_pm.h"
#include "vmm/bus.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace nv {
namespace {

class AcpiPmTest : public ::testing::Test {
 protected:
  AcpiPmTest() { pm_.attach(io_, mmio_); }
  MachineControl control_;
  Bus io_{Bus::Kind::io};
  Bus mmio_{Bus::Kind::mmio};
  AcpiPm pm_{control_};
};

TEST_F(AcpiPmTest, TimerCountsAtAbout3_58MHz) {
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  uint32_t c0 = static_cast<uint32_t>(io_.read_or_float(layout::kPmTmrBlk, 4));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  uint32_t c1 = static_cast<uint32_t>(io_.read_or_float(layout::kPmTmrBlk, 4));
  auto t1 = Clock::now();
  double seconds = std::chrono::duration<double>(t1 - t0).count();
  uint32_t ticks = c1 - c0;  // modulo 2^32, as the 32-bit counter wraps
  double expected = seconds * AcpiPm::kPmTimerHz;
  EXPECT_GT(ticks, 0.5 * expected);
  EXPECT_LT(ticks, 2.0 * expected) << "measured over " << seconds << " s";
}

TEST_F(AcpiPmTest, TimerIsMonotonic) {
  uint32_t prev = AcpiPm::pm_timer();
  for (int i = 0; i < 100000; ++i) {
    uint32_t now = static_cast<uint32_t>(io_.read_or_float(layout::kPmTmrBlk, 4));
    ASSERT_LT(static_cast<uint32_t>(now - prev), 0x80000000u) << "went backwards at iteration " << i;
    prev = now;
  }
}

TEST_F(AcpiPmTest, TimerIsReadOnlyAndNarrowReadsSeeItsLowBytes) {
  io_.write_or_drop(layout::kPmTmrBlk, 4, 0);
  uint32_t full = static_cast<uint32_t>(io_.read_or_float(layout::kPmTmrBlk, 4));
  uint32_t high = static_cast<uint32_t>(io_.read_or_float(layout::kPmTmrBlk + 2, 2));
  // The high half changes every 18 ms; allow for one carry between the reads.
  EXPECT_LE(static_cast<uint16_t>(high - (full >> 16)), 1u);
}

TEST_F(AcpiPmTest, Pm1EnableIsReadWriteAndStatusIsWriteOneToClear) {
  io_.write_or_drop(layout::kPm1aEvtBlk + 2, 2, 0x0121);  // TMR_EN, GBL_EN, PWRBTN_EN
  EXPECT_EQ(io_.read_or_float(layout::kPm1aEvtBlk + 2, 2), 0x0121u);
  io_.write_or_drop(layout::kPm1aEvtBlk, 2, 0xffff);
  EXPECT_EQ(io_.read_or_float(layout::kPm1aEvtBlk, 2), 0u) << "writing ones never sets status";
  EXPECT_EQ(io_.read_or_float(layout::kPm1aEvtBlk, 4), 0x01210000u) << "dword read of status and enable";
}

TEST_F(AcpiPmTest, SciEnIsSetAndFixed) {
  EXPECT_EQ(io_.read_or_float(layout::kPm1aCntBlk, 2) & 1, 1u);
  io_.write_or_drop(layout::kPm1aCntBlk, 2, 0);
  EXPECT_EQ(io_.read_or_float(layout::kPm1aCntBlk, 2) & 1, 1u);
}

TEST_F(AcpiPmTest, SleepToS5PowersOffWithStatus0) {
  io_.write_or_drop(layout::kPm1aCntBlk, 2, (kSlpTypS5 << 10) | 0x1);
  EXPECT_FALSE(control_.stop_requested()) << "SLP_TYP alone does nothing";
  io_.write_or_drop(layout::kPm1aCntBlk, 2, (kSlpTypS5 << 10) | (1u << 13));
  EXPECT_EQ(control_.stop_kind(), MachineControl::Stop::exit);
  EXPECT_EQ(control_.exit_status(), 0);
}

TEST_F(AcpiPmTest, OtherSleepTypesAreIgnored) {
  io_.write_or_drop(layout::kPm1aCntBlk, 2, (1u << 10) | (1u << 13));  // S3 on QEMU
  EXPECT_FALSE(control_.stop_requested());
  EXPECT_EQ(io_.read_or_float(layout::kPm1aCntBlk, 2), (1u << 10) | 1u) << "SLP_EN reads as 0, SLP_TYP is kept";
}

TEST_F(AcpiPmTest, Gpe0EnableIsReadWriteAndStatusIsWriteOneToClear) {
  io_.write_or_drop(layout::kGpe0Blk + 2, 1, 0x0f);
  io_.write_or_drop(layout::kGpe0Blk + 3, 1, 0x80);
  EXPECT_EQ(io_.read_or_float(layout::kGpe0Blk + 2, 2), 0x800fu);
  io_.write_or_drop(layout::kGpe0Blk, 2, 0xffff);
  EXPECT_EQ(io_.read_or_float(layout::kGpe0Blk, 4), 0x800f0000u);
}

}  // namespace
}  // namespace nv
