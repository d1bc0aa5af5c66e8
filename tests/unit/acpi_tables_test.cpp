#include "devices/acpi_tables.h"
#include "util/error.h"
#include "vmm/memory_layout.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace nv {
namespace {

// Parses the tables the way an OS does, from raw guest memory.
class AcpiTablesTest : public ::testing::Test {
 protected:
  void build(unsigned vcpus) {
    MachineConfig cfg;
    cfg.vcpus = vcpus;
    mem_.fill(layout::kBiosAreaBase, 0, layout::kBiosAreaEnd - layout::kBiosAreaBase);
    build_acpi_tables(mem_, cfg);
  }
  template <typename T>
  T get(uint64_t gpa) {
    return mem_.read_obj<T>(gpa);
  }
  std::string sig(uint64_t gpa, size_t len = 4) {
    std::string s(len, '\0');
    mem_.read(gpa, s.data(), len);
    return s;
  }
  uint8_t sum(uint64_t gpa, uint64_t len) {
    std::vector<uint8_t> bytes(len);
    mem_.read(gpa, bytes.data(), len);
    uint8_t s = 0;
    for (uint8_t b : bytes) s = static_cast<uint8_t>(s + b);
    return s;
  }
  // ACPI 6.5 §5.2.5.1: "RSD PTR " on a 16-byte boundary in 0xE0000-0xFFFFF.
  uint64_t find_rsdp() {
    for (uint64_t a = 0xe0000; a < 0x100000; a += 16)
      if (sig(a, 8) == "RSD PTR ") return a;
    return 0;
  }
  // Signature -> address of every table the RSDT (or XSDT) lists, checking
  // each table's checksum.
  std::map<std::string, uint64_t> walk(uint64_t root, unsigned entry_size) {
    std::map<std::string, uint64_t> tables;
    uint32_t len = get<uint32_t>(root + 4);
    for (uint64_t e = root + 36; e < root + len; e += entry_size) {
      uint64_t addr = entry_size == 4 ? get<uint32_t>(e) : get<uint64_t>(e);
      EXPECT_EQ(sum(addr, get<uint32_t>(addr + 4)), 0) << sig(addr) << " checksum";
      tables[sig(addr)] = addr;
    }
    return tables;
  }

  GuestMemory mem_{16 * layout::kMiB};
};

TEST_F(AcpiTablesTest, RsdpIsFoundByScanningAndChecksums) {
  build(1);
  uint64_t rsdp = find_rsdp();
  ASSERT_EQ(rsdp, kRsdpAddress);
  EXPECT_EQ(sum(rsdp, 20), 0) << "ACPI 1.0 checksum";
  EXPECT_EQ(get<uint8_t>(rsdp + 15), 2) << "revision 2";
  EXPECT_EQ(get<uint32_t>(rsdp + 20), 36u) << "length";
  EXPECT_EQ(sum(rsdp, 36), 0) << "extended checksum";
  EXPECT_EQ(sig(rsdp + 9, 6), std::string(kAcpiOemId));
}

TEST_F(AcpiTablesTest, RsdtAndXsdtListTheSameTables) {
  build(2);
  uint64_t rsdp = find_rsdp();
  uint64_t rsdt = get<uint32_t>(rsdp + 16);
  uint64_t xsdt = get<uint64_t>(rsdp + 24);
  EXPECT_EQ(sig(rsdt), "RSDT");
  EXPECT_EQ(sig(xsdt), "XSDT");
  EXPECT_EQ(sum(rsdt, get<uint32_t>(rsdt + 4)), 0);
  EXPECT_EQ(sum(xsdt, get<uint32_t>(xsdt + 4)), 0);
  auto from_rsdt = walk(rsdt, 4);
  auto from_xsdt = walk(xsdt, 8);
  EXPECT_EQ(from_rsdt, from_xsdt);
  EXPECT_EQ(from_rsdt.count("FACP"), 1u);
  EXPECT_EQ(from_rsdt.count("APIC"), 1u);
  for (auto& [name, addr] : from_rsdt) {
    EXPECT_GE(addr, layout::kBiosAreaBase);
    EXPECT_LE(addr + get<uint32_t>(addr + 4), layout::kBiosAreaEnd);
  }
}

TEST_F(AcpiTablesTest, FadtDescribesThePmBlockAndReset) {
  build(1);
  uint64_t fadt = walk(get<uint32_t>(find_rsdp() + 16), 4).at("FACP");
  // Offsets from ACPI 6.5 Table 5.9 (and kvm-unit-tests' struct acpi_table_fadt).
  EXPECT_EQ(get<uint32_t>(fadt + 4), 244u) << "revision 3 length";
  EXPECT_EQ(get<uint8_t>(fadt + 8), 3);
  EXPECT_EQ(get<uint16_t>(fadt + 46), layout::kSciIrq);
  EXPECT_EQ(get<uint32_t>(fadt + 56), layout::kPm1aEvtBlk);
  EXPECT_EQ(get<uint32_t>(fadt + 64), layout::kPm1aCntBlk);
  EXPECT_EQ(get<uint32_t>(fadt + 76), layout::kPmTmrBlk) << "what vmexit's inl_from_pmtimer reads";
  EXPECT_EQ(get<uint32_t>(fadt + 80), layout::kGpe0Blk);
  EXPECT_EQ(get<uint8_t>(fadt + 88), 4) << "PM1_EVT_LEN";
  EXPECT_EQ(get<uint8_t>(fadt + 89), 2) << "PM1_CNT_LEN";
  EXPECT_EQ(get<uint8_t>(fadt + 91), 4) << "PM_TMR_LEN";
  EXPECT_EQ(get<uint8_t>(fadt + 92), 4) << "GPE0_BLK_LEN";
  uint32_t flags = get<uint32_t>(fadt + 112);
  EXPECT_TRUE(flags & (1u << 8)) << "TMR_VAL_EXT";
  EXPECT_TRUE(flags & (1u << 10)) << "RESET_REG_SUP";
  EXPECT_EQ(get<uint8_t>(fadt + 116), 1) << "reset register in system I/O";
  EXPECT_EQ(get<uint64_t>(fadt + 120), 0xcf9u);
  EXPECT_EQ(get<uint8_t>(fadt + 128), 0x06);
  EXPECT_EQ(get<uint64_t>(fadt + 208 + 4), layout::kPmTmrBlk) << "X_PM_TMR_BLK address";
  EXPECT_EQ(get<uint8_t>(fadt + 208 + 1), 32) << "X_PM_TMR_BLK width";
}

TEST_F(AcpiTablesTest, FadtPointsAtFacsAndDsdtWithS5) {
  build(1);
  uint64_t fadt = walk(get<uint32_t>(find_rsdp() + 16), 4).at("FACP");
  uint64_t facs = get<uint32_t>(fadt + 36);
  uint64_t dsdt = get<uint32_t>(fadt + 40);
  EXPECT_EQ(get<uint64_t>(fadt + 132), facs) << "X_FIRMWARE_CTRL matches";
  EXPECT_EQ(get<uint64_t>(fadt + 140), dsdt) << "X_DSDT matches";
  EXPECT_EQ(sig(facs), "FACS");
  EXPECT_EQ(facs % 64, 0u) << "FACS is 64-byte aligned";
  EXPECT_EQ(get<uint32_t>(facs + 4), 64u);
  EXPECT_EQ(sig(dsdt), "DSDT");
  uint32_t dsdt_len = get<uint32_t>(dsdt + 4);
  EXPECT_EQ(sum(dsdt, dsdt_len), 0);
  std::string aml = sig(dsdt + 36, dsdt_len - 36);
  EXPECT_NE(aml.find("_S5_"), std::string::npos);
}

TEST_F(AcpiTablesTest, MadtHasOneEnabledLocalApicPerVcpuAndTheIoapic) {
  for (unsigned vcpus : {1u, 4u, 255u}) {
    build(vcpus);
    uint64_t madt = walk(get<uint32_t>(find_rsdp() + 16), 4).at("APIC");
    EXPECT_EQ(get<uint32_t>(madt + 36), layout::kLapicBase);
    EXPECT_EQ(get<uint32_t>(madt + 40) & 1, 1u) << "PCAT_COMPAT";
    std::vector<unsigned> apic_ids;
    unsigned ioapics = 0;
    std::map<unsigned, std::pair<unsigned, unsigned>> overrides;  // source -> (gsi, flags)
    uint64_t end = madt + get<uint32_t>(madt + 4);
    for (uint64_t e = madt + 44; e < end; e += get<uint8_t>(e + 1)) {
      ASSERT_GT(get<uint8_t>(e + 1), 0);
      switch (get<uint8_t>(e)) {
        case 0:
          EXPECT_EQ(get<uint8_t>(e + 1), 8);
          EXPECT_EQ(get<uint32_t>(e + 4) & 1, 1u) << "enabled";
          EXPECT_EQ(get<uint8_t>(e + 2), get<uint8_t>(e + 3)) << "UID = APIC ID";
          apic_ids.push_back(get<uint8_t>(e + 3));
          break;
        case 1:
          ++ioapics;
          EXPECT_EQ(get<uint8_t>(e + 2), kIoapicId) << "the ID KVM's in-kernel IOAPIC holds";
          EXPECT_EQ(get<uint32_t>(e + 4), layout::kIoapicBase);
          EXPECT_EQ(get<uint32_t>(e + 8), 0u) << "GSI base";
          break;
        case 2:
          EXPECT_EQ(get<uint8_t>(e + 2), 0) << "ISA";
          overrides[get<uint8_t>(e + 3)] = {get<uint32_t>(e + 4), get<uint16_t>(e + 8)};
          break;
        default:
          break;
      }
    }
    ASSERT_EQ(apic_ids.size(), vcpus);
    for (unsigned i = 0; i < vcpus; ++i) EXPECT_EQ(apic_ids[i], i);
    EXPECT_EQ(ioapics, 1u);
    EXPECT_EQ(overrides.at(0), std::make_pair(2u, 0u)) << "IRQ0 -> GSI 2";
    EXPECT_EQ(overrides.at(9), std::make_pair(9u, 0xdu)) << "SCI level, active high";
  }
}

TEST_F(AcpiTablesTest, VcpuCountOutsideTheApicRangeIsAnError) {
  MachineConfig cfg;
  cfg.vcpus = 0;
  EXPECT_THROW(build_acpi_tables(mem_, cfg), Error);
  cfg.vcpus = 256;
  EXPECT_THROW(build_acpi_tables(mem_, cfg), Error);
}

TEST(AcpiTables, RamThatDoesNotReachTheBiosAreaIsAnError) {
  GuestMemory small(512 * layout::kKiB);
  EXPECT_THROW(build_acpi_tables(small, MachineConfig{}), Error);
}

}  // namespace
}  // namespace nv
