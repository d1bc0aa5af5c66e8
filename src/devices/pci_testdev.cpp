#include "devices/pci_testdev.h"

#include <string_view>

namespace nv {
namespace {

struct Test {
  std::string_view name;
  uint32_t offset;  // where in the BAR a write counts
  uint8_t data;     // the value that counts; any value for the wildcard tests
  bool match_data;
};

// QEMU's tests, in its order: three per BAR, the memory BAR's first. Each
// counts byte writes at a distinct offset past the header (2048 + index in
// memory, 128 + index in I/O), with data 0xfa, or 0xce for the wildcard
// test, which counts any value.
constexpr uint8_t kDataMatch = 0xfa, kNoMatch = 0xce;
constexpr Test kTests[2 * PciTestdev::kTestsPerBar] = {
    {"mmio-no-eventfd", 2048 + 0, kDataMatch, true},        {"mmio-wildcard-eventfd", 2048 + 1, kNoMatch, false},
    {"mmio-datamatch-eventfd", 2048 + 2, kDataMatch, true}, {"portio-no-eventfd", 128 + 3, kDataMatch, true},
    {"portio-wildcard-eventfd", 128 + 4, kNoMatch, false},  {"portio-datamatch-eventfd", 128 + 5, kDataMatch, true},
};
constexpr uint8_t kWidth = 1;  // every test writes single bytes

// Header layout (kvm-unit-tests lib/pci.h, struct pci_test_dev_hdr).
constexpr uint64_t kTestField = 0, kWidthField = 1, kOffsetField = 4, kDataField = 8, kCountField = 12, kNameField = 16;

}  // namespace

PciTestdev::PciTestdev() : PciDevice(kVendorRedHat, kDeviceTest, kClassCode, 0x00) {
  add_bar(kMemoryBar, BarKind::memory32, kMemoryBarSize);
  add_bar(kIoBar, BarKind::io, kIoBarSize);
}

uint8_t PciTestdev::header_byte(uint64_t offset) const {
  if (current_ < 0) return 0;
  const Test& t = kTests[current_];
  auto le = [&](uint64_t field, uint32_t value) { return static_cast<uint8_t>(value >> (8 * (offset - field))); };
  if (offset == kTestField) return static_cast<uint8_t>(current_);
  if (offset == kWidthField) return kWidth;
  if (offset >= kOffsetField && offset < kDataField) return le(kOffsetField, t.offset);
  if (offset >= kDataField && offset < kCountField) return le(kDataField, t.data);
  if (offset >= kCountField && offset < kNameField) return le(kCountField, count_);
  if (offset >= kNameField && offset - kNameField < t.name.size())
    return static_cast<uint8_t>(t.name[offset - kNameField]);
  return 0;  // padding, the name's terminator and everything past it
}

void PciTestdev::write_byte(unsigned bar, uint64_t offset, uint8_t byte) {
  if (offset == kTestField) {
    current_ = -1;
    if (byte < kTestsPerBar) {
      current_ = static_cast<int>((bar == kIoBar ? kTestsPerBar : 0) + byte);
      count_ = 0;
    }
    return;
  }
  if (current_ < 0) return;
  const Test& t = kTests[current_];
  if (offset == t.offset && (!t.match_data || byte == t.data)) ++count_;
}

uint64_t PciTestdev::bar_read(unsigned, uint64_t offset, unsigned size) {
  std::lock_guard lock(mutex_);
  uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) value |= uint64_t{header_byte(offset + i)} << (8 * i);
  return value;
}

void PciTestdev::bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) {
  std::lock_guard lock(mutex_);
  for (unsigned i = 0; i < size; ++i) write_byte(bar, offset + i, static_cast<uint8_t>(value >> (8 * i)));
}

}  // namespace nv
