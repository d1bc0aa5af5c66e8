#include "devices/fw_cfg.h"
#include "vmm/bus.h"

#include <gtest/gtest.h>

#include <string>

namespace nv {
namespace {

class FwCfgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_.ram_bytes = 512ull << 20;
    cfg_.vcpus = 6;
    fw_ = std::make_unique<FwCfg>(cfg_);
    fw_->attach(io_, mmio_);
  }
  // lib/x86/fwcfg.c: select with a 16-bit write, then read bytes, little-endian.
  uint64_t get(uint16_t key, unsigned bytes) {
    io_.write_or_drop(0x510, 2, key);
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) v |= io_.read_or_float(0x511, 1) << (8 * i);
    return v;
  }

  MachineConfig cfg_;
  Bus io_{Bus::Kind::io};
  Bus mmio_{Bus::Kind::mmio};
  std::unique_ptr<FwCfg> fw_;
};

TEST_F(FwCfgTest, SignatureIsQemu) {
  io_.write_or_drop(0x510, 2, 0x0000);
  std::string sig;
  for (int i = 0; i < 4; ++i) sig.push_back(static_cast<char>(io_.read_or_float(0x511, 1)));
  EXPECT_EQ(sig, "QEMU");
  EXPECT_EQ(io_.read_or_float(0x511, 1), 0u) << "past the end reads zero";
}

TEST_F(FwCfgTest, MachineValues) {
  EXPECT_EQ(get(FwCfg::kId, 4), 1u) << "traditional interface, no DMA";
  EXPECT_EQ(get(FwCfg::kRamSize, 8), 512ull << 20);
  EXPECT_EQ(get(FwCfg::kNbCpus, 2), 6u);
  EXPECT_EQ(get(FwCfg::kMaxCpus, 2), 6u);
  EXPECT_EQ(get(FwCfg::kNoGraphic, 2), 1u);
  EXPECT_EQ(get(FwCfg::kFileDir, 4), 0u) << "empty file directory";
}

TEST_F(FwCfgTest, UnknownKeysReadZero) {
  EXPECT_EQ(get(0x11, 8), 0u) << "kvm-unit-tests' FW_CFG_MAX_RAM: 0 means no limit";
  EXPECT_EQ(get(0x1234, 4), 0u);
  EXPECT_EQ(get(0x8000, 4), 0u) << "FW_CFG_ACPI_TABLES is not offered";
}

TEST_F(FwCfgTest, SelectingRewinds) {
  EXPECT_EQ(get(FwCfg::kRamSize, 2), (512ull << 20) & 0xffff);
  EXPECT_EQ(get(FwCfg::kRamSize, 8), 512ull << 20) << "a new select starts at offset 0";
  io_.write_or_drop(0x510, 2, FwCfg::kNbCpus | 0x4000);  // write-channel bit is not part of the key
  EXPECT_EQ(io_.read_or_float(0x511, 1), 6u);
}

TEST_F(FwCfgTest, OnlyTheTwoPortsAreClaimed) {
  EXPECT_EQ(io_.find(0x510), fw_.get());
  EXPECT_EQ(io_.find(0x511), fw_.get());
  EXPECT_EQ(io_.find(0x512), nullptr);
  EXPECT_EQ(io_.find(0x514), nullptr) << "no DMA interface";
}

}  // namespace
}  // namespace nv
