// fw_cfg items against the values given on the command line ("cpus=N mem=MiB").
#include "guest.h"

int main(void) {
  char signature[5] = {0};
  fw_cfg_read(FW_CFG_SIGNATURE, signature, 4);
  reportf(memcmp(signature, "QEMU", 4) == 0, "signature \"%s\" is \"QEMU\"", signature);

  uint32_t id = fw_cfg_read_u32(FW_CFG_ID);
  reportf(id & 1, "ID 0x%x has the traditional interface bit", id);

  uint64_t cpus, mem_mib;
  if (!report("command line has cpus=N mem=MiB", cmdline_uint("cpus", &cpus) && cmdline_uint("mem", &mem_mib)))
    return report_summary();

  uint16_t nb_cpus = fw_cfg_read_u16(FW_CFG_NB_CPUS);
  reportf(nb_cpus == cpus, "NB_CPUS %u matches -smp %lu", nb_cpus, cpus);
  uint16_t max_cpus = fw_cfg_read_u16(FW_CFG_MAX_CPUS);
  reportf(max_cpus >= nb_cpus, "MAX_CPUS %u >= NB_CPUS", max_cpus);
  uint64_t ram = fw_cfg_read_u64(FW_CFG_RAM_SIZE);
  reportf(ram == mem_mib << 20, "RAM_SIZE %lu bytes matches -m %lu", ram, mem_mib);

  // Re-selecting an item restarts it at offset 0 (the data port reads sequentially).
  char again[5] = {0};
  fw_cfg_read(FW_CFG_SIGNATURE, again, 4);
  report("re-selecting the signature reads it from the start", memcmp(again, "QEMU", 4) == 0);
  return report_summary();
}
