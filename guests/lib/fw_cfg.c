#include "fw_cfg.h"

#include "io.h"

void fw_cfg_read(uint16_t key, void *buf, unsigned len) {
  outw(FW_CFG_PORT_SEL, key);
  uint8_t *p = buf;
  for (unsigned i = 0; i < len; i++) p[i] = inb(FW_CFG_PORT_DATA);
}

static uint64_t read_le(uint16_t key, unsigned len) {
  uint8_t b[8] = {0};
  fw_cfg_read(key, b, len);
  uint64_t v = 0;
  for (unsigned i = len; i-- > 0;) v = (v << 8) | b[i];
  return v;
}

uint64_t fw_cfg_read_u64(uint16_t key) { return read_le(key, 8); }
uint32_t fw_cfg_read_u32(uint16_t key) { return (uint32_t)read_le(key, 4); }
uint16_t fw_cfg_read_u16(uint16_t key) { return (uint16_t)read_le(key, 2); }
