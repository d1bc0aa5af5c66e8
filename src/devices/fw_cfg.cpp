#include "devices/fw_cfg.h"

#include "vmm/bus.h"

namespace nv {
namespace {

// Selector bits that are not part of the key (fw_cfg.rst "Selector
// Register"): bit 14 marks a write, bit 15 an architecture-specific item.
constexpr uint16_t kWriteChannel = 0x4000;
constexpr uint32_t kIdTraditionalInterface = 0x1;  // FW_CFG_ID bit 0; bit 1 (DMA) stays clear

}  // namespace

FwCfg::FwCfg(const MachineConfig& cfg) {
  items_[kSignature] = {'Q', 'E', 'M', 'U'};
  add_item(kId, kIdTraditionalInterface, 4);
  add_item(kRamSize, cfg.ram_bytes, 8);
  add_item(kNoGraphic, 1, 2);
  add_item(kNbCpus, cfg.vcpus, 2);
  add_item(kMaxCpus, cfg.vcpus, 2);  // no CPU hotplug: as many possible CPUs as present
  // The file directory holds no files: a big-endian count of 0 (fw_cfg.rst "FW_CFG_FILE_DIR").
  items_[kFileDir] = {0, 0, 0, 0};
  // Other keys read as zero. kvm-unit-tests' FW_CFG_MAX_RAM (0x11) is one of
  // them, which it takes as "no limit on usable RAM".
}

// Integers are little-endian (fw_cfg.rst "Data Register").
void FwCfg::add_item(uint16_t key, uint64_t value, unsigned bytes) {
  std::vector<uint8_t>& item = items_[key];
  for (unsigned i = 0; i < bytes; ++i) item.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void FwCfg::attach(Bus& io, Bus&) { io.add(kSelectorPort, 2, this); }

void FwCfg::io_write(uint16_t port, unsigned size, uint32_t value) {
  if (port != kSelectorPort || size != 2) return;  // the data port is read-only in this interface
  std::lock_guard lock(mutex_);
  auto it = items_.find(static_cast<uint16_t>(value & ~kWriteChannel));
  selected_ = it == items_.end() ? nullptr : &it->second;
  offset_ = 0;
}

uint32_t FwCfg::io_read(uint16_t, unsigned size) {
  // Data is read a byte at a time; QEMU answers byte reads at either port.
  if (size != 1) return static_cast<uint32_t>(size_mask(size));
  std::lock_guard lock(mutex_);
  if (!selected_ || offset_ >= selected_->size()) return 0;
  return (*selected_)[offset_++];
}

}  // namespace nv
