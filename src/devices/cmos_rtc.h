// The MC146818-compatible real-time clock and CMOS RAM behind ports 0x70
// (index; bit 7 masks NMI) and 0x71 (data). The clock shows host UTC time
// (QEMU's default -rtc base=utc) in BCD or binary and 24- or 12-hour form as
// register B selects; a guest that sets the time moves an offset from host
// time. The CMOS bytes carry the memory sizes that SeaBIOS-era software
// reads, filled as QEMU fills them. No RTC interrupts are generated:
// register C never reports a flag.
#pragma once

#include "devices/device.h"

#include <array>
#include <cstdint>
#include <ctime>
#include <mutex>

namespace nv {

class Bus;

class CmosRtc : public Device {
 public:
  static constexpr uint16_t kIndexPort = 0x70;  // IBM PC/AT I/O map
  static constexpr uint16_t kDataPort = 0x71;   // IBM PC/AT I/O map

  // CMOS locations (MC146818A datasheet Figure 3 for 0x00-0x0d; the IBM
  // PC/AT CMOS map and QEMU/SeaBIOS extensions beyond).
  static constexpr uint8_t kSecondsAlarm = 0x01, kMinutesAlarm = 0x03, kHoursAlarm = 0x05;
  static constexpr uint8_t kSeconds = 0x00, kMinutes = 0x02, kHours = 0x04, kDayOfWeek = 0x06, kDayOfMonth = 0x07,
                           kMonth = 0x08, kYear = 0x09, kRegA = 0x0a, kRegB = 0x0b, kRegC = 0x0c, kRegD = 0x0d;
  static constexpr uint8_t kBaseMemLo = 0x15, kBaseMemHi = 0x16;  // KiB below 1 MiB
  static constexpr uint8_t kExtMemLo = 0x17, kExtMemHi = 0x18;    // KiB above 1 MiB, at most 65535
  static constexpr uint8_t kExtMem2Lo = 0x30, kExtMem2Hi = 0x31;  // the same, as found by POST
  static constexpr uint8_t kCentury = 0x32;  // IBM PC/AT CMOS map; the FADT's CENTURY field names it
  static constexpr uint8_t kHighMemLo = 0x34, kHighMemHi = 0x35;  // 64 KiB units above 16 MiB, below 4 GiB
  static constexpr uint8_t kAbove4gLo = 0x5b, kAbove4gMid = 0x5c, kAbove4gHi = 0x5d;  // 64 KiB units above 4 GiB

  // Register B bits (MC146818A datasheet, Register B).
  static constexpr uint8_t kRegBSet = 0x80, kRegBBinary = 0x04, kRegB24Hour = 0x02;

  explicit CmosRtc(uint64_t ram_bytes);

  std::string_view name() const override { return "mc146818rtc"; }
  void attach(Bus& io, Bus& mmio);

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  uint8_t read_register(uint8_t index);
  void write_register(uint8_t index, uint8_t value);
  std::tm now() const;
  uint8_t encode(unsigned value) const;
  unsigned decode(uint8_t value) const;

  std::mutex mutex_;
  uint8_t index_ = 0;
  std::array<uint8_t, 128> cmos_{};
  int64_t offset_seconds_ = 0;  // guest time minus host time
};

}  // namespace nv
