#include "devices/acpi_tables.h"

#include "devices/acpi_pm.h"
#include "devices/cmos_rtc.h"
#include "devices/reset_control.h"
#include "util/error.h"

#include <cstddef>
#include <cstring>
#include <vector>

namespace nv {
namespace {

#pragma pack(push, 1)
// Root System Description Pointer, ACPI 6.5 §5.2.5.3 Table 5.3.
struct Rsdp {
  char signature[8];
  uint8_t checksum;  // over the first 20 bytes (the ACPI 1.0 structure)
  char oem_id[6];
  uint8_t revision;
  uint32_t rsdt_address;
  uint32_t length;
  uint64_t xsdt_address;
  uint8_t extended_checksum;  // over the whole structure
  uint8_t reserved[3];
};
static_assert(sizeof(Rsdp) == 36);

// System Description Table Header, ACPI 6.5 §5.2.6 Table 5.4.
struct SdtHeader {
  char signature[4];
  uint32_t length;
  uint8_t revision;
  uint8_t checksum;
  char oem_id[6];
  char oem_table_id[8];
  uint32_t oem_revision;
  char creator_id[4];
  uint32_t creator_revision;
};
static_assert(sizeof(SdtHeader) == 36);

// Generic Address Structure, ACPI 6.5 §5.2.3.2 Table 5.1.
struct Gas {
  uint8_t space_id;
  uint8_t bit_width;
  uint8_t bit_offset;
  uint8_t access_size;
  uint64_t address;
};
static_assert(sizeof(Gas) == 12);

// Fixed ACPI Description Table, ACPI 6.5 §5.2.9 Table 5.9, up to X_GPE1_BLK
// (the revision 3 layout of ACPI 2.0, which QEMU's pc machine also uses).
struct Fadt {
  SdtHeader header;
  uint32_t firmware_ctrl;
  uint32_t dsdt;
  uint8_t reserved0;
  uint8_t preferred_pm_profile;
  uint16_t sci_int;
  uint32_t smi_cmd;
  uint8_t acpi_enable;
  uint8_t acpi_disable;
  uint8_t s4bios_req;
  uint8_t pstate_cnt;
  uint32_t pm1a_evt_blk;
  uint32_t pm1b_evt_blk;
  uint32_t pm1a_cnt_blk;
  uint32_t pm1b_cnt_blk;
  uint32_t pm2_cnt_blk;
  uint32_t pm_tmr_blk;
  uint32_t gpe0_blk;
  uint32_t gpe1_blk;
  uint8_t pm1_evt_len;
  uint8_t pm1_cnt_len;
  uint8_t pm2_cnt_len;
  uint8_t pm_tmr_len;
  uint8_t gpe0_blk_len;
  uint8_t gpe1_blk_len;
  uint8_t gpe1_base;
  uint8_t cst_cnt;
  uint16_t p_lvl2_lat;
  uint16_t p_lvl3_lat;
  uint16_t flush_size;
  uint16_t flush_stride;
  uint8_t duty_offset;
  uint8_t duty_width;
  uint8_t day_alrm;
  uint8_t mon_alrm;
  uint8_t century;
  uint16_t iapc_boot_arch;
  uint8_t reserved1;
  uint32_t flags;
  Gas reset_reg;
  uint8_t reset_value;
  uint8_t reserved2[3];
  uint64_t x_firmware_ctrl;
  uint64_t x_dsdt;
  Gas x_pm1a_evt_blk;
  Gas x_pm1b_evt_blk;
  Gas x_pm1a_cnt_blk;
  Gas x_pm1b_cnt_blk;
  Gas x_pm2_cnt_blk;
  Gas x_pm_tmr_blk;
  Gas x_gpe0_blk;
  Gas x_gpe1_blk;
};
static_assert(sizeof(Fadt) == 244);
static_assert(offsetof(Fadt, pm_tmr_blk) == 76 && offsetof(Fadt, flags) == 112 && offsetof(Fadt, x_dsdt) == 140);

// Firmware ACPI Control Structure, ACPI 6.5 §5.2.10 Table 5.14.
struct Facs {
  char signature[4];
  uint32_t length;
  uint32_t hardware_signature;
  uint32_t firmware_waking_vector;
  uint32_t global_lock;
  uint32_t flags;
  uint64_t x_firmware_waking_vector;
  uint8_t version;
  uint8_t reserved0[3];
  uint32_t ospm_flags;
  uint8_t reserved1[24];
};
static_assert(sizeof(Facs) == 64);

// Multiple APIC Description Table, ACPI 6.5 §5.2.12 Table 5.19, and the
// interrupt controller structures that follow it.
struct Madt {
  SdtHeader header;
  uint32_t local_apic_address;
  uint32_t flags;
};
struct MadtLocalApic {  // §5.2.12.2
  uint8_t type, length, acpi_processor_uid, apic_id;
  uint32_t flags;
};
struct MadtIoApic {  // §5.2.12.3
  uint8_t type, length, io_apic_id, reserved;
  uint32_t address;
  uint32_t gsi_base;
};
struct MadtInterruptOverride {  // §5.2.12.5
  uint8_t type, length, bus, source;
  uint32_t gsi;
  uint16_t flags;
};
struct MadtLocalApicNmi {  // §5.2.12.7
  uint8_t type, length, acpi_processor_uid;
  uint16_t flags;
  uint8_t lint;
};
#pragma pack(pop)
static_assert(sizeof(MadtLocalApic) == 8 && sizeof(MadtIoApic) == 12 && sizeof(MadtInterruptOverride) == 10 &&
              sizeof(MadtLocalApicNmi) == 6);

constexpr uint8_t kMadtLocalApic = 0, kMadtIoApic = 1, kMadtInterruptOverride = 2, kMadtLocalApicNmi = 4;  // Table 5.21
constexpr uint32_t kMadtPcatCompat = 1u << 0;    // Table 5.20: dual 8259s present
constexpr uint32_t kLocalApicEnabled = 1u << 0;  // Table 5.23
// MPS INTI flags, Table 5.26: polarity in bits 1:0, trigger mode in bits 3:2.
constexpr uint16_t kIntiActiveHighLevel = 0x1 | (0x3 << 2);
constexpr uint8_t kIsaBus = 0;  // §5.2.12.5: Bus is 0, meaning ISA

// FADT Fixed Feature Flags, ACPI 6.5 §5.2.9 Table 5.10.
constexpr uint32_t kFadtWbinvd = 1u << 0;
constexpr uint32_t kFadtProcC1 = 1u << 2;
constexpr uint32_t kFadtPwrButton = 1u << 4;  // no fixed-feature power button
constexpr uint32_t kFadtSlpButton = 1u << 5;  // no fixed-feature sleep button
constexpr uint32_t kFadtTmrValExt = 1u << 8;  // 32-bit PM timer
constexpr uint32_t kFadtResetRegSup = 1u << 10;
constexpr uint32_t kFadtForceApicPhysical = 1u << 19;
constexpr uint16_t kIapcLegacyDevices = 1u << 0;  // Table 5.11: ISA devices (RTC, serial) present

constexpr uint8_t kGasSystemIo = 1;                           // §5.2.3.2 Table 5.1 address space IDs
constexpr uint8_t kGasByte = 1, kGasWord = 2, kGasDword = 3;  // access sizes
constexpr uint8_t kResetValue = 0x06;                         // SYS_RST | RST_CPU: hard reset

// \_S5 (soft off, ACPI 6.5 §7.4.2): Name(_S5, Package(4) {SLP_TYPa, SLP_TYPb,
// 0, 0}) encoded per the AML grammar of §20.2 (DefName 0x08, NameSeg,
// DefPackage 0x12 PkgLength NumElements, four ZeroOp elements).
static_assert(kSlpTypS5 == 0, "the AML below encodes SLP_TYP as ZeroOp");
constexpr uint8_t kZeroOp = 0x00;
constexpr uint8_t kDsdtAml[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, kZeroOp, kZeroOp, kZeroOp, kZeroOp};

uint8_t checksum(const void* data, size_t len) {
  uint8_t sum = 0;
  for (size_t i = 0; i < len; ++i) sum = static_cast<uint8_t>(sum + static_cast<const uint8_t*>(data)[i]);
  return static_cast<uint8_t>(-sum);
}

Gas io_register(uint16_t port, uint8_t bytes, uint8_t access_size) {
  return Gas{kGasSystemIo, static_cast<uint8_t>(8 * bytes), 0, access_size, port};
}

// A table: header plus a body built by appending structures; finish() sets
// length and checksum.
class Table {
 public:
  Table(const char (&signature)[5], uint8_t revision) {
    SdtHeader h{};
    std::memcpy(h.signature, signature, 4);
    h.revision = revision;
    std::memcpy(h.oem_id, kAcpiOemId, 6);
    std::memcpy(h.oem_table_id, kAcpiOemTableId, 8);
    h.oem_revision = 1;
    std::memcpy(h.creator_id, "NVSR", 4);
    h.creator_revision = 1;
    append(h);
  }
  template <typename T>
  void append(const T& obj) {
    append_bytes(&obj, sizeof(T));
  }
  void append_bytes(const void* p, size_t len) {
    size_t at = bytes_.size();
    bytes_.resize(at + len);
    std::memcpy(bytes_.data() + at, p, len);
  }
  SdtHeader& header() { return *reinterpret_cast<SdtHeader*>(bytes_.data()); }
  const std::vector<uint8_t>& finish() {
    header().length = static_cast<uint32_t>(bytes_.size());
    header().checksum = 0;
    header().checksum = checksum(bytes_.data(), bytes_.size());
    return bytes_;
  }

 private:
  std::vector<uint8_t> bytes_;
};

// Bump allocation of the table area, as an image written to RAM at the end.
class Area {
 public:
  uint64_t place(const void* data, size_t len, size_t align) {
    size_t at = (image_.size() + align - 1) & ~(align - 1);
    if (at + len > kAcpiTablesMaxSize) fail("ACPI tables exceed their {} KiB area", kAcpiTablesMaxSize / layout::kKiB);
    image_.resize(at + len);
    std::memcpy(image_.data() + at, data, len);
    return kRsdpAddress + at;
  }
  uint64_t place(const std::vector<uint8_t>& bytes) { return place(bytes.data(), bytes.size(), kTableAlign); }
  const std::vector<uint8_t>& image() const { return image_; }

  static constexpr size_t kTableAlign = 16;

 private:
  std::vector<uint8_t> image_;
};

std::vector<uint8_t> build_madt(unsigned vcpus) {
  Table t("APIC", 1);  // revision 1: the ACPI 2.0 layout, as QEMU
  t.append(uint32_t{static_cast<uint32_t>(layout::kLapicBase)});
  t.append(kMadtPcatCompat);
  for (unsigned i = 0; i < vcpus; ++i) {
    auto id = static_cast<uint8_t>(i);
    t.append(MadtLocalApic{kMadtLocalApic, sizeof(MadtLocalApic), id, id, kLocalApicEnabled});
  }
  // IOAPIC ID 0, what the ID register of KVM's in-kernel IOAPIC holds after
  // reset and what QEMU's MADT says; since the xAPIC, IOAPIC and local APIC
  // IDs no longer share a bus, and the register has only 4 bits (82093AA
  // §3.2.1), so it could not follow the local APIC IDs past 15 CPUs anyway.
  t.append(MadtIoApic{kMadtIoApic, sizeof(MadtIoApic), kIoapicId, 0,
                      static_cast<uint32_t>(layout::kIoapicBase), 0});
  // The PIT's IRQ0 is wired to IOAPIC pin 2 on PCs (pin 0 is the 8259's INTR).
  t.append(MadtInterruptOverride{kMadtInterruptOverride, sizeof(MadtInterruptOverride), kIsaBus, 0, 2, 0});
  // The SCI is a level-triggered, active-high interrupt, as QEMU's PIIX4 wires it.
  t.append(MadtInterruptOverride{kMadtInterruptOverride, sizeof(MadtInterruptOverride), kIsaBus, layout::kSciIrq,
                                 layout::kSciIrq, kIntiActiveHighLevel});
  // LINT1 of every local APIC is the NMI input (processor UID 0xff: all).
  t.append(MadtLocalApicNmi{kMadtLocalApicNmi, sizeof(MadtLocalApicNmi), 0xff, 0, 1});
  return t.finish();
}

std::vector<uint8_t> build_fadt(const MachineConfig& cfg, uint64_t facs, uint64_t dsdt) {
  Fadt f{};
  f.firmware_ctrl = static_cast<uint32_t>(facs);
  f.dsdt = static_cast<uint32_t>(dsdt);
  f.sci_int = layout::kSciIrq;
  f.smi_cmd = 0;  // always in ACPI mode: no SMI command port
  f.pm1a_evt_blk = layout::kPm1aEvtBlk;
  f.pm1a_cnt_blk = layout::kPm1aCntBlk;
  f.pm_tmr_blk = layout::kPmTmrBlk;
  f.gpe0_blk = layout::kGpe0Blk;
  f.pm1_evt_len = AcpiPm::kPm1EvtLen;
  f.pm1_cnt_len = AcpiPm::kPm1CntLen;
  f.pm_tmr_len = AcpiPm::kPmTmrLen;
  f.gpe0_blk_len = AcpiPm::kGpe0Len;
  // Latencies above 100 / 1000 us say C2 / C3 are not supported (Table 5.9).
  f.p_lvl2_lat = 101;
  f.p_lvl3_lat = 1001;
  f.century = CmosRtc::kCentury;
  f.iapc_boot_arch = kIapcLegacyDevices;
  f.flags = kFadtWbinvd | kFadtProcC1 | kFadtPwrButton | kFadtSlpButton | kFadtTmrValExt | kFadtResetRegSup;
  // Like QEMU: with more than 8 CPUs, logical xAPIC destinations cannot reach all of them.
  if (cfg.vcpus > 8) f.flags |= kFadtForceApicPhysical;
  f.reset_reg = io_register(ResetControl::kResetControlPort, 1, kGasByte);
  f.reset_value = kResetValue;
  f.x_firmware_ctrl = facs;
  f.x_dsdt = dsdt;
  f.x_pm1a_evt_blk = io_register(layout::kPm1aEvtBlk, AcpiPm::kPm1EvtLen, kGasWord);
  f.x_pm1a_cnt_blk = io_register(layout::kPm1aCntBlk, AcpiPm::kPm1CntLen, kGasWord);
  f.x_pm_tmr_blk = io_register(layout::kPmTmrBlk, AcpiPm::kPmTmrLen, kGasDword);
  f.x_gpe0_blk = io_register(layout::kGpe0Blk, AcpiPm::kGpe0Len, kGasByte);

  Table t("FACP", 3);
  // The header is the Table's; append the body after it.
  t.append_bytes(reinterpret_cast<const uint8_t*>(&f) + sizeof(SdtHeader), sizeof(Fadt) - sizeof(SdtHeader));
  return t.finish();
}

}  // namespace

void build_acpi_tables(GuestMemory& mem, const MachineConfig& cfg) {
  if (cfg.vcpus < 1 || cfg.vcpus > layout::kMaxVcpus)
    fail("cannot describe {} vCPUs in the MADT (1 to {} are possible)", cfg.vcpus, layout::kMaxVcpus);

  Area area;
  Rsdp rsdp{};
  area.place(&rsdp, sizeof rsdp, Area::kTableAlign);  // reserved first so it lands at kRsdpAddress

  Facs facs{};
  std::memcpy(facs.signature, "FACS", 4);
  facs.length = sizeof(Facs);
  facs.version = 2;                                         // ACPI 4.0 and later
  uint64_t facs_addr = area.place(&facs, sizeof facs, 64);  // 64-byte aligned (§5.2.10)

  Table dsdt("DSDT", 2);  // revision 2: 64-bit AML integers (§5.2.11.1)
  dsdt.append_bytes(kDsdtAml, sizeof kDsdtAml);
  uint64_t dsdt_addr = area.place(dsdt.finish());

  uint64_t fadt_addr = area.place(build_fadt(cfg, facs_addr, dsdt_addr));
  uint64_t madt_addr = area.place(build_madt(cfg.vcpus));

  Table rsdt("RSDT", 1);  // §5.2.7: 32-bit entries
  Table xsdt("XSDT", 1);  // §5.2.8: 64-bit entries
  for (uint64_t addr : {fadt_addr, madt_addr}) {
    rsdt.append(static_cast<uint32_t>(addr));
    xsdt.append(addr);
  }
  uint64_t rsdt_addr = area.place(rsdt.finish());
  uint64_t xsdt_addr = area.place(xsdt.finish());

  std::memcpy(rsdp.signature, "RSD PTR ", 8);
  std::memcpy(rsdp.oem_id, kAcpiOemId, 6);
  rsdp.revision = 2;  // ACPI 2.0 and later: XSDT address and extended checksum present
  rsdp.rsdt_address = static_cast<uint32_t>(rsdt_addr);
  rsdp.length = sizeof(Rsdp);
  rsdp.xsdt_address = xsdt_addr;
  rsdp.checksum = checksum(&rsdp, 20);
  rsdp.extended_checksum = checksum(&rsdp, sizeof rsdp);

  mem.write(kRsdpAddress, area.image().data(), area.image().size());
  mem.write_obj(kRsdpAddress, rsdp);
}

}  // namespace nv
