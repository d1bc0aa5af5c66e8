#include "devices/acpi_pm.h"

#include "util/log.h"
#include "vmm/bus.h"

#include <time.h>

namespace nv {
namespace {

using layout::kGpe0Blk, layout::kPm1aCntBlk, layout::kPm1aEvtBlk, layout::kPmTmrBlk;

// PM1 control register bits, ACPI 6.5 §4.8.3.2.1 Table 4.13.
constexpr uint16_t kSciEn = 1u << 0;
constexpr uint16_t kSlpEn = 1u << 13;
constexpr unsigned kSlpTypShift = 10;
constexpr uint16_t kSlpTypMask = 0x7;
// Writable PM1 control bits: BM_RLD, GBL_RLS, SLP_TYP. SCI_EN reads as 1 and
// is fixed: with no SMI_CMD port the platform is always in ACPI mode
// (§5.2.9, SMI_CMD "zero ... system does not support ... mode transition").
constexpr uint16_t kPm1CntWritable = (1u << 1) | (1u << 2) | (kSlpTypMask << kSlpTypShift);

constexpr uint64_t kNsPerSec = 1'000'000'000;

uint16_t write_lane(uint16_t reg, unsigned byte_index, uint8_t byte) {
  unsigned shift = 8 * byte_index;
  return static_cast<uint16_t>((reg & ~(0xffu << shift)) | (unsigned{byte} << shift));
}

// Status registers are write-one-to-clear (ACPI 6.5 §4.8.3.1, §4.8.4.1).
uint16_t clear_lane(uint16_t reg, unsigned byte_index, uint8_t byte) {
  return static_cast<uint16_t>(reg & ~(unsigned{byte} << (8 * byte_index)));
}

}  // namespace

AcpiPm::AcpiPm(MachineControl& control) : control_(control), pm1_cnt_(kSciEn) {}

void AcpiPm::attach(Bus& io, Bus&) {
  io.add(kPm1aEvtBlk, kPm1EvtLen, this);
  io.add(kPm1aCntBlk, kPm1CntLen, this);
  io.add(kPmTmrBlk, kPmTmrLen, this);
  io.add(kGpe0Blk, kGpe0Len, this);
}

uint32_t AcpiPm::pm_timer() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  // Split so that neither product overflows 64 bits: tv_nsec * Hz < 3.6e15.
  uint64_t ticks =
      static_cast<uint64_t>(ts.tv_sec) * kPmTimerHz + static_cast<uint64_t>(ts.tv_nsec) * kPmTimerHz / kNsPerSec;
  return static_cast<uint32_t>(ticks);
}

uint32_t AcpiPm::io_read(uint16_t port, unsigned size) {
  if (port >= kPmTmrBlk && port < kPmTmrBlk + kPmTmrLen)  // one clock read for the whole access
    return static_cast<uint32_t>((pm_timer() >> (8 * (port - kPmTmrBlk))) & size_mask(size));
  std::lock_guard lock(mutex_);
  uint32_t value = 0;
  for (unsigned i = 0; i < size; ++i) value |= (read_locked(static_cast<uint16_t>(port + i)) & 0xff) << (8 * i);
  return value;
}

// The 16-bit register containing `port`, shifted so its byte is in bits 7:0.
uint32_t AcpiPm::read_locked(uint16_t port) {
  unsigned lane = port & 1;
  uint16_t reg;
  if (port >= kPm1aEvtBlk && port < kPm1aEvtBlk + 2)
    reg = pm1_sts_;
  else if (port >= kPm1aEvtBlk + 2 && port < kPm1aEvtBlk + kPm1EvtLen)
    reg = pm1_en_;
  else if (port >= kPm1aCntBlk && port < kPm1aCntBlk + kPm1CntLen)
    reg = pm1_cnt_;  // SLP_EN reads as 0
  else if (port >= kGpe0Blk && port < kGpe0Blk + 2)
    reg = gpe0_sts_;
  else if (port >= kGpe0Blk + 2 && port < kGpe0Blk + kGpe0Len)
    reg = gpe0_en_;
  else
    return 0xff;  // past a block's end
  return reg >> (8 * lane);
}

void AcpiPm::io_write(uint16_t port, unsigned size, uint32_t value) {
  if (port >= kPmTmrBlk && port < kPmTmrBlk + kPmTmrLen) return;  // the timer is read-only
  bool sleep = false;
  uint16_t slp_typ = 0;
  {
    std::lock_guard lock(mutex_);
    for (unsigned i = 0; i < size; ++i) {
      uint16_t p = static_cast<uint16_t>(port + i);
      uint8_t byte = static_cast<uint8_t>(value >> (8 * i));
      unsigned lane = p & 1;
      if (p >= kPm1aEvtBlk && p < kPm1aEvtBlk + 2) {
        pm1_sts_ = clear_lane(pm1_sts_, lane, byte);
      } else if (p >= kPm1aEvtBlk + 2 && p < kPm1aEvtBlk + kPm1EvtLen) {
        pm1_en_ = write_lane(pm1_en_, lane, byte);
      } else if (p >= kPm1aCntBlk && p < kPm1aCntBlk + kPm1CntLen) {
        uint16_t written = write_lane(pm1_cnt_, lane, byte);
        pm1_cnt_ = static_cast<uint16_t>((pm1_cnt_ & ~kPm1CntWritable) | (written & kPm1CntWritable));
        // SLP_EN is write-only and starts the transition to SLP_TYP (§4.8.3.2.1).
        if (written & kSlpEn) {
          sleep = true;
          slp_typ = (written >> kSlpTypShift) & kSlpTypMask;
        }
      } else if (p >= kGpe0Blk && p < kGpe0Blk + 2) {
        gpe0_sts_ = clear_lane(gpe0_sts_, lane, byte);
      } else if (p >= kGpe0Blk + 2 && p < kGpe0Blk + kGpe0Len) {
        gpe0_en_ = write_lane(gpe0_en_, lane, byte);
      }
    }
  }
  if (!sleep) return;
  if (slp_typ == kSlpTypS5) {
    control_.request_exit(0);
  } else {
    log_warn_once("acpi-sleep", slp_typ, "guest requested ACPI sleep type {}, which is not supported; ignored",
                  slp_typ);
  }
}

}  // namespace nv
