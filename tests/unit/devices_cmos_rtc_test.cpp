#include "devices/cmos_rtc.h"
#include "vmm/bus.h"
#include "vmm/memory_layout.h"

#include <gtest/gtest.h>

#include <ctime>

namespace nv {
namespace {

class CmosRtcTest : public ::testing::Test {
 protected:
  void make(uint64_t ram) {
    rtc_ = std::make_unique<CmosRtc>(ram);
    rtc_->attach(io_, mmio_);
  }
  uint8_t read(uint8_t index) {
    io_.write_or_drop(0x70, 1, index);
    return static_cast<uint8_t>(io_.read_or_float(0x71, 1));
  }
  void write(uint8_t index, uint8_t value) {
    io_.write_or_drop(0x70, 1, index);
    io_.write_or_drop(0x71, 1, value);
  }
  unsigned read16(uint8_t lo) { return read(lo) | read(lo + 1) << 8; }
  static unsigned bcd(uint8_t v) {
    EXPECT_LT(v & 0xf, 10) << "BCD digit";
    EXPECT_LT(v >> 4, 10) << "BCD digit";
    return (v >> 4) * 10 + (v & 0xf);
  }
  // The clock as the guest reads it, in seconds since the epoch.
  int64_t guest_time(bool binary) {
    auto d = [&](uint8_t v) { return binary ? v : bcd(v); };
    std::tm tm{};
    tm.tm_sec = static_cast<int>(d(read(0x00)));
    tm.tm_min = static_cast<int>(d(read(0x02)));
    tm.tm_hour = static_cast<int>(d(read(0x04)));
    tm.tm_mday = static_cast<int>(d(read(0x07)));
    tm.tm_mon = static_cast<int>(d(read(0x08))) - 1;
    tm.tm_year = static_cast<int>(d(read(0x32)) * 100 + d(read(0x09))) - 1900;
    return static_cast<int64_t>(timegm(&tm));
  }

  Bus io_{Bus::Kind::io};
  Bus mmio_{Bus::Kind::mmio};
  std::unique_ptr<CmosRtc> rtc_;
};

TEST_F(CmosRtcTest, MemorySizesFor32MiB) {
  make(32 * layout::kMiB);
  EXPECT_EQ(read16(0x15), 640u) << "base memory KiB";
  EXPECT_EQ(read16(0x17), 31u * 1024) << "extended memory KiB above 1 MiB";
  EXPECT_EQ(read16(0x30), 31u * 1024);
  EXPECT_EQ(read16(0x34), (32u - 16) * 16) << "64 KiB blocks above 16 MiB";
  EXPECT_EQ(read(0x5b) | read(0x5c) << 8 | read(0x5d) << 16, 0) << "nothing above 4 GiB";
}

TEST_F(CmosRtcTest, MemorySizesFor128MiB) {
  make(128 * layout::kMiB);
  EXPECT_EQ(read16(0x17), 0xffffu) << "127 MiB of extended memory saturates the 16-bit KiB count";
  EXPECT_EQ(read16(0x34), (128u - 16) * 16);
}

TEST_F(CmosRtcTest, MemorySizesForRamAbove4GiB) {
  make(4 * layout::kGiB);
  EXPECT_EQ(read16(0x17), 0xffffu) << "extended memory saturates";
  EXPECT_EQ(read16(0x34), (layout::kBelow4gRamLimit - 16 * layout::kMiB) / (64 * layout::kKiB));
  uint64_t above = read(0x5b) | read(0x5c) << 8 | read(0x5d) << 16;
  EXPECT_EQ(above, (4 * layout::kGiB - layout::kBelow4gRamLimit) / (64 * layout::kKiB));
}

TEST_F(CmosRtcTest, TimeIsHostUtcInBcd) {
  make(128 * layout::kMiB);
  EXPECT_EQ(read(0x0b) & 0x06, 0x02) << "BCD, 24-hour";
  int64_t host = static_cast<int64_t>(std::time(nullptr));
  int64_t guest = guest_time(false);
  EXPECT_LE(std::llabs(guest - host), 2) << "guest " << guest << " host " << host;
  unsigned wday = bcd(read(0x06));
  EXPECT_GE(wday, 1u);
  EXPECT_LE(wday, 7u);
}

TEST_F(CmosRtcTest, BinaryModeAndStatusRegisters) {
  make(128 * layout::kMiB);
  write(0x0b, 0x02 | 0x04);  // binary, 24-hour
  int64_t host = static_cast<int64_t>(std::time(nullptr));
  EXPECT_LE(std::llabs(guest_time(true) - host), 2);
  EXPECT_EQ(read(0x0a) & 0x80, 0) << "no update in progress";
  EXPECT_EQ(read(0x0d), 0x80) << "VRT: valid RAM and time";
  EXPECT_EQ(read(0x0c), 0) << "no interrupt flags";
}

TEST_F(CmosRtcTest, TwelveHourModeFlagsPm) {
  make(128 * layout::kMiB);
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  write(0x0b, 0x00);  // BCD, 12-hour
  uint8_t hours = read(0x04);
  if (tm.tm_min == 59 && tm.tm_sec == 59) GTEST_SKIP() << "hour boundary";
  unsigned h12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  EXPECT_EQ(bcd(hours & 0x7f), h12);
  EXPECT_EQ((hours & 0x80) != 0, tm.tm_hour >= 12);
}

TEST_F(CmosRtcTest, SettingTheClockMovesIt) {
  make(128 * layout::kMiB);
  write(0x0b, 0x80 | 0x02);  // SET while writing
  write(0x32, 0x19);
  write(0x09, 0x99);
  write(0x08, 0x12);
  write(0x07, 0x31);
  write(0x04, 0x23);
  write(0x02, 0x59);
  write(0x00, 0x30);
  write(0x0b, 0x02);
  EXPECT_EQ(read(0x32), 0x19);
  EXPECT_EQ(read(0x09), 0x99);
  EXPECT_EQ(read(0x08), 0x12);
  EXPECT_EQ(read(0x07), 0x31);
  int64_t expected = 946684770;  // 1999-12-31 23:59:30 UTC
  EXPECT_LE(std::llabs(guest_time(false) - expected), 2);
}

TEST_F(CmosRtcTest, CmosRamAndAlarmsHoldBytesAndTheIndexIgnoresNmiBit) {
  make(128 * layout::kMiB);
  write(0x40, 0x5a);
  write(0x01, 0x17);
  EXPECT_EQ(read(0x40), 0x5a);
  EXPECT_EQ(read(0x80 | 0x40), 0x5a) << "bit 7 of the index masks NMI, it is not part of it";
  EXPECT_EQ(read(0x01), 0x17);
  write(0x0d, 0x00);
  EXPECT_EQ(read(0x0d), 0x80) << "register D is read-only";
}

}  // namespace
}  // namespace nv
