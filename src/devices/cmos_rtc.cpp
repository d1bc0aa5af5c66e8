#include "devices/cmos_rtc.h"

#include "vmm/bus.h"
#include "vmm/memory_layout.h"

#include <algorithm>

namespace nv {
namespace {

constexpr uint8_t kIndexMask = 0x7f;     // bit 7 of the index is the NMI mask
constexpr uint8_t kRegADefault = 0x26;   // 32.768 kHz time base, 1024 Hz rate; UIP (bit 7) 0
constexpr uint8_t kRegAWritable = 0x7f;  // UIP is read-only (MC146818A, Register A)
constexpr uint8_t kRegDValidRam = 0x80;  // VRT: the battery is good (MC146818A, Register D)
constexpr uint8_t kHourPm = 0x80;        // 12-hour mode PM flag in the hours byte

constexpr uint64_t kBaseMemoryKiB = 640;
constexpr uint64_t kExtMemoryStart = 1 * layout::kMiB;
constexpr uint64_t kHighMemoryStart = 16 * layout::kMiB;
constexpr uint64_t k64KiB = 64 * layout::kKiB;

}  // namespace

CmosRtc::CmosRtc(uint64_t ram_bytes) {
  cmos_[kRegA] = kRegADefault;
  cmos_[kRegB] = kRegB24Hour;  // BCD, 24-hour, as the PC BIOS leaves it
  uint64_t below_4g = std::min(ram_bytes, layout::kBelow4gRamLimit);
  uint64_t above_4g = ram_bytes - below_4g;
  auto put16 = [&](uint8_t lo, uint8_t hi, uint64_t v) {
    cmos_[lo] = static_cast<uint8_t>(v);
    cmos_[hi] = static_cast<uint8_t>(v >> 8);
  };
  put16(kBaseMemLo, kBaseMemHi, kBaseMemoryKiB);
  uint64_t ext_kib = below_4g > kExtMemoryStart ? std::min<uint64_t>((below_4g - kExtMemoryStart) / 1024, 0xffff) : 0;
  put16(kExtMemLo, kExtMemHi, ext_kib);
  put16(kExtMem2Lo, kExtMem2Hi, ext_kib);
  uint64_t high = below_4g > kHighMemoryStart ? std::min<uint64_t>((below_4g - kHighMemoryStart) / k64KiB, 0xffff) : 0;
  put16(kHighMemLo, kHighMemHi, high);
  uint64_t above = above_4g / k64KiB;
  cmos_[kAbove4gLo] = static_cast<uint8_t>(above);
  cmos_[kAbove4gMid] = static_cast<uint8_t>(above >> 8);
  cmos_[kAbove4gHi] = static_cast<uint8_t>(above >> 16);
}

void CmosRtc::attach(Bus& io, Bus&) { io.add(kIndexPort, 2, this); }

uint32_t CmosRtc::io_read(uint16_t port, unsigned size) {
  if (port != kDataPort || size != 1) return static_cast<uint32_t>(size_mask(size));  // the index is write-only
  std::lock_guard lock(mutex_);
  return read_register(index_);
}

void CmosRtc::io_write(uint16_t port, unsigned size, uint32_t value) {
  if (size != 1) return;
  std::lock_guard lock(mutex_);
  if (port == kIndexPort)
    index_ = value & kIndexMask;
  else
    write_register(index_, static_cast<uint8_t>(value));
}

std::tm CmosRtc::now() const {
  std::time_t t = std::time(nullptr) + offset_seconds_;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

// Register B's DM bit selects binary; otherwise values are BCD.
uint8_t CmosRtc::encode(unsigned value) const {
  if (cmos_[kRegB] & kRegBBinary) return static_cast<uint8_t>(value);
  return static_cast<uint8_t>(((value / 10) << 4) | (value % 10));
}

unsigned CmosRtc::decode(uint8_t value) const {
  if (cmos_[kRegB] & kRegBBinary) return value;
  return (value >> 4) * 10 + (value & 0x0f);
}

uint8_t CmosRtc::read_register(uint8_t index) {
  if (index > kYear && index != kCentury) {
    if (index == kRegC) return 0;  // no interrupt flags; reading would clear them
    if (index == kRegD) return kRegDValidRam;
    return cmos_[index];
  }
  if (index == kSecondsAlarm || index == kMinutesAlarm || index == kHoursAlarm) return cmos_[index];
  std::tm tm = now();
  switch (index) {
    case kSeconds:
      return encode(static_cast<unsigned>(tm.tm_sec));
    case kMinutes:
      return encode(static_cast<unsigned>(tm.tm_min));
    case kHours: {
      if (cmos_[kRegB] & kRegB24Hour) return encode(static_cast<unsigned>(tm.tm_hour));
      unsigned h12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
      return static_cast<uint8_t>(encode(h12) | (tm.tm_hour >= 12 ? kHourPm : 0));
    }
    case kDayOfWeek:
      return encode(static_cast<unsigned>(tm.tm_wday) + 1);  // 1 = Sunday
    case kDayOfMonth:
      return encode(static_cast<unsigned>(tm.tm_mday));
    case kMonth:
      return encode(static_cast<unsigned>(tm.tm_mon) + 1);
    case kYear:
      return encode(static_cast<unsigned>(tm.tm_year + 1900) % 100);
    default:  // kCentury
      return encode(static_cast<unsigned>(tm.tm_year + 1900) / 100);
  }
}

void CmosRtc::write_register(uint8_t index, uint8_t value) {
  switch (index) {
    case kRegA:
      cmos_[kRegA] = value & kRegAWritable;
      return;
    case kRegC:
    case kRegD:
      return;  // read-only
    case kSeconds:
    case kMinutes:
    case kHours:
    case kDayOfMonth:
    case kMonth:
    case kYear:
    case kCentury:
      break;
    default:  // alarms, register B, day of week (derived from the date) and RAM
      if (index != kDayOfWeek) cmos_[index] = value;
      return;
  }
  // Setting a clock field moves the guest's clock relative to host time.
  std::tm tm = now();
  unsigned v = decode(static_cast<uint8_t>(index == kHours ? value & ~kHourPm : value));
  switch (index) {
    case kSeconds:
      tm.tm_sec = static_cast<int>(v);
      break;
    case kMinutes:
      tm.tm_min = static_cast<int>(v);
      break;
    case kHours:
      if (cmos_[kRegB] & kRegB24Hour)
        tm.tm_hour = static_cast<int>(v);
      else
        tm.tm_hour = static_cast<int>(v % 12) + ((value & kHourPm) ? 12 : 0);
      break;
    case kDayOfMonth:
      tm.tm_mday = static_cast<int>(v);
      break;
    case kMonth:
      tm.tm_mon = static_cast<int>(v) - 1;
      break;
    case kYear:
      tm.tm_year = (tm.tm_year + 1900) / 100 * 100 + static_cast<int>(v) - 1900;
      break;
    default:  // kCentury
      tm.tm_year = static_cast<int>(v) * 100 + (tm.tm_year + 1900) % 100 - 1900;
      break;
  }
  offset_seconds_ = static_cast<int64_t>(timegm(&tm)) - static_cast<int64_t>(std::time(nullptr));
}

}  // namespace nv
