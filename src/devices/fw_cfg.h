// QEMU's fw_cfg, traditional I/O interface (QEMU docs/specs/fw_cfg.rst): a
// 16-bit write to the selector port picks an item and rewinds it; each byte
// read from the data port returns the item's next byte, and zero past its
// end or for an item that does not exist. kvm-unit-tests reads the CPU count
// and RAM size from it (lib/x86/fwcfg.c).
#pragma once

#include "devices/device.h"
#include "vmm/machine_config.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace nv {

class Bus;

class FwCfg : public Device {
 public:
  static constexpr uint16_t kSelectorPort = 0x510;  // fw_cfg.rst: "Selector Register IOport: 0x510"
  static constexpr uint16_t kDataPort = 0x511;      // fw_cfg.rst: "Data Register IOport: 0x511"

  // Item keys, fw_cfg.rst "Selector Register" / QEMU include/standard-headers/linux/qemu_fw_cfg.h.
  static constexpr uint16_t kSignature = 0x00, kId = 0x01, kRamSize = 0x03, kNoGraphic = 0x04, kNbCpus = 0x05,
                            kMaxCpus = 0x0f, kFileDir = 0x19;

  explicit FwCfg(const MachineConfig& cfg);

  std::string_view name() const override { return "fw_cfg_io"; }
  void attach(Bus& io, Bus& mmio);

  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;

 private:
  void add_item(uint16_t key, uint64_t value, unsigned bytes);

  std::map<uint16_t, std::vector<uint8_t>> items_;
  std::mutex mutex_;
  const std::vector<uint8_t>* selected_ = nullptr;
  size_t offset_ = 0;
};

}  // namespace nv
