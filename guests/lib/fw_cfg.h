// QEMU fw_cfg, legacy I/O port interface (docs/specs/fw_cfg.rst in QEMU): a 16-bit
// selector at 0x510 and a byte-wide data port at 0x511.
#pragma once

#include <stdint.h>

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_MAX_CPUS 0x0f

// Selects `key` and reads `len` bytes from its start.
void fw_cfg_read(uint16_t key, void *buf, unsigned len);
// Little-endian integer items.
uint64_t fw_cfg_read_u64(uint16_t key);
uint32_t fw_cfg_read_u32(uint16_t key);
uint16_t fw_cfg_read_u16(uint16_t key);
