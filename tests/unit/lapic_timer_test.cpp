#include "lapic_test_support.h"

namespace nv {
namespace {

using test::ApicMachine;
using A = LocalApic;

class LapicTimer : public ::testing::Test {
 protected:
  void SetUp() override { m.software_enable(0); }
  A& apic() { return m.apic(0); }
  ApicMachine m{1};
};

TEST_F(LapicTimer, OneShotFiresExactlyAtTheDeadline) {
  m.write(0, A::kTimerDivide, 0xb);  // divide by 1
  m.write(0, A::kLvtTimer, 0x40);
  m.clock.set_ns(500);
  m.write(0, A::kTimerInitial, 1000);
  EXPECT_EQ(apic().next_deadline_ns(), 1500u);
  m.clock.set_ns(1499);
  apic().advance(1499);
  EXPECT_FALSE(apic().irr(0x40));
  EXPECT_EQ(m.read(0, A::kTimerCurrent), 1u);
  m.clock.set_ns(1500);
  apic().advance(1500);
  EXPECT_TRUE(apic().irr(0x40));
  EXPECT_EQ(apic().next_deadline_ns(), UINT64_MAX) << "one-shot does not re-arm";
  EXPECT_EQ(m.read(0, A::kTimerCurrent), 0u);
  EXPECT_EQ(m.read(0, A::kTimerInitial), 1000u);
}

TEST_F(LapicTimer, CurrentCountDecreasesAtTheDividedRate) {
  m.write(0, A::kTimerDivide, 0x0);  // divide by 2
  m.write(0, A::kLvtTimer, 0x40);
  m.write(0, A::kTimerInitial, 1000);
  uint32_t last = m.read(0, A::kTimerCurrent);
  EXPECT_EQ(last, 1000u);
  for (int i = 0; i < 5; ++i) {
    m.clock.advance_ns(100);
    uint32_t now = m.read(0, A::kTimerCurrent);
    EXPECT_EQ(last - now, 50u) << "100 ns at 1 GHz / 2";
    last = now;
  }
}

TEST_F(LapicTimer, DivideConfigurationValues) {
  // SDM Figure 11-10: bits 3,1:0.
  const std::pair<uint32_t, uint64_t> table[] = {{0x0, 2},  {0x1, 4},  {0x2, 8},  {0x3, 16},
                                                 {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1}};
  for (auto [dcr, divisor] : table) {
    m.write(0, A::kTimerDivide, dcr);
    uint64_t start = m.clock.now_ns();
    m.write(0, A::kTimerInitial, 10);
    EXPECT_EQ(apic().next_deadline_ns() - start, 10 * divisor) << "DCR " << dcr;
    EXPECT_EQ(m.read(0, A::kTimerDivide), dcr);
    m.clock.advance_ns(1000);
  }
}

TEST_F(LapicTimer, PeriodicReArms) {
  m.write(0, A::kTimerDivide, 0xb);
  m.write(0, A::kLvtTimer, A::kTimerPeriodic | 0x41);
  m.write(0, A::kTimerInitial, 100);
  m.clock.set_ns(100);
  apic().advance(100);
  EXPECT_TRUE(apic().irr(0x41));
  EXPECT_EQ(apic().next_deadline_ns(), 200u);
  EXPECT_EQ(m.read(0, A::kTimerCurrent), 100u) << "reloaded";
  EXPECT_EQ(apic().acknowledge(), 0x41);
  m.write(0, A::kEoi, 0);
  m.clock.set_ns(350);
  EXPECT_EQ(m.read(0, A::kTimerCurrent), 50u);
  apic().advance(350);
  EXPECT_TRUE(apic().irr(0x41)) << "missed periods coalesce into one interrupt";
  EXPECT_EQ(apic().next_deadline_ns(), 400u);
}

TEST_F(LapicTimer, MaskedTimerKeepsCounting) {
  m.write(0, A::kTimerDivide, 0xb);
  m.write(0, A::kLvtTimer, A::kLvtMasked | A::kTimerPeriodic | 0x41);
  m.write(0, A::kTimerInitial, 100);
  m.clock.set_ns(100);
  apic().advance(100);
  EXPECT_FALSE(apic().irr(0x41));
  EXPECT_EQ(apic().next_deadline_ns(), 200u);
}

TEST_F(LapicTimer, ZeroInitialCountStops) {
  m.write(0, A::kLvtTimer, 0x41);
  m.write(0, A::kTimerInitial, 100);
  m.write(0, A::kTimerInitial, 0);
  EXPECT_EQ(apic().next_deadline_ns(), UINT64_MAX);
  EXPECT_EQ(m.read(0, A::kTimerCurrent), 0u);
}

TEST_F(LapicTimer, DivideChangeContinuesFromTheCurrentCount) {
  m.write(0, A::kTimerDivide, 0xb);
  m.write(0, A::kLvtTimer, 0x41);
  m.write(0, A::kTimerInitial, 1000);
  m.clock.set_ns(400);
  m.write(0, A::kTimerDivide, 0x0);  // now divide by 2
  EXPECT_EQ(m.read(0, A::kTimerCurrent), 600u);
  EXPECT_EQ(apic().next_deadline_ns(), 400u + 600 * 2);
}

TEST_F(LapicTimer, ModeChangeKeepsTheCurrentCount) {
  constexpr uint32_t kPeriodic = 1u << 17;
  m.write(0, A::kTimerDivide, 0xb);  // divide by 1
  m.write(0, A::kLvtTimer, 0x40 | kPeriodic);
  m.write(0, A::kTimerInitial, 1000);
  // In the second period, at count 400: one-shot continues from 400, not
  // from the end of the first period.
  m.clock.set_ns(1600);
  apic().advance(1600);
  ASSERT_EQ(apic().acknowledge(), 0x40);  // the first period's interrupt
  m.write(0, A::kEoi, 0);
  m.write(0, A::kLvtTimer, 0x40);
  EXPECT_EQ(m.read(0, A::kTimerCurrent), 400u);
  m.clock.set_ns(1900);
  EXPECT_EQ(m.read(0, A::kTimerCurrent), 100u);
  // The one-shot ran out at 2000; the timer pass has not fired it yet. Back
  // in periodic mode the count stays 0 (kvm-unit-tests apic "TMCCT should
  // stay at zero") and the expiry interrupt is still raised once.
  m.clock.set_ns(2100);
  EXPECT_EQ(m.read(0, A::kTimerCurrent), 0u);
  EXPECT_FALSE(apic().irr(0x40));
  m.write(0, A::kLvtTimer, 0x40 | kPeriodic);
  EXPECT_EQ(m.read(0, A::kTimerCurrent), 0u);
  EXPECT_EQ(apic().next_deadline_ns(), UINT64_MAX);
  EXPECT_TRUE(apic().irr(0x40));
}

TEST_F(LapicTimer, TscDeadlineMode) {
  ApicMachine t(1, {}, 2'000'000'000);  // TSC at 2 GHz
  t.software_enable(0);
  A& a = t.apic(0);
  EXPECT_TRUE(a.wrmsr(A::kMsrTscDeadline, 5000));
  EXPECT_EQ(t.rdmsr(0, A::kMsrTscDeadline), 0u) << "ignored outside TSC-deadline mode";
  t.write(0, A::kLvtTimer, A::kTimerTscDeadline | 0x42);
  t.write(0, A::kTimerInitial, 77);
  EXPECT_EQ(t.read(0, A::kTimerInitial), 0u) << "initial count ignored in TSC-deadline mode";
  ASSERT_TRUE(a.wrmsr(A::kMsrTscDeadline, 3000));
  EXPECT_EQ(t.rdmsr(0, A::kMsrTscDeadline), 3000u);
  EXPECT_EQ(a.next_deadline_ns(), 1500u) << "TSC 3000 at 2 GHz";
  t.clock.set_ns(1499);
  a.advance(1499);
  EXPECT_FALSE(a.irr(0x42));
  t.clock.set_ns(1500);
  a.advance(1500);
  EXPECT_TRUE(a.irr(0x42));
  EXPECT_EQ(t.rdmsr(0, A::kMsrTscDeadline), 0u) << "disarmed after firing";
  EXPECT_EQ(t.read(0, A::kTimerCurrent), 0u);
  EXPECT_EQ(a.acknowledge(), 0x42);

  ASSERT_TRUE(a.wrmsr(A::kMsrTscDeadline, 100));
  EXPECT_TRUE(a.irr(0x42)) << "a deadline in the past fires at once";

  ASSERT_TRUE(a.wrmsr(A::kMsrTscDeadline, 10000));
  ASSERT_TRUE(a.wrmsr(A::kMsrTscDeadline, 0));
  EXPECT_EQ(a.next_deadline_ns(), UINT64_MAX) << "0 disarms";

  ASSERT_TRUE(a.wrmsr(A::kMsrTscDeadline, 10000));
  t.write(0, A::kLvtTimer, 0x42);  // back to one-shot
  EXPECT_EQ(a.next_deadline_ns(), UINT64_MAX) << "leaving TSC-deadline mode disarms";
}

TEST_F(LapicTimer, TscDeadlineUnsupported) {
  ApicMachine t(1, {.tsc_deadline = false});
  uint64_t v;
  EXPECT_FALSE(t.apic(0).rdmsr(A::kMsrTscDeadline, v));
  EXPECT_FALSE(t.apic(0).wrmsr(A::kMsrTscDeadline, 1));
  t.write(0, A::kLvtTimer, A::kTimerTscDeadline | 0x42);
  EXPECT_EQ(t.read(0, A::kLvtTimer), 0x42u | A::kLvtMasked) << "mode bit 18 reserved";
}

TEST_F(LapicTimer, WakesAHaltedVcpu) {
  int wakes = 0;
  apic().set_wakeup([&] { ++wakes; });
  m.write(0, A::kTimerDivide, 0xb);
  m.write(0, A::kLvtTimer, 0x41);
  m.write(0, A::kTimerInitial, 10);
  EXPECT_EQ(wakes, 0);
  apic().advance(10);
  EXPECT_EQ(wakes, 1);
}

}  // namespace
}  // namespace nv
