#include "cpu/legacy_fp_area.h"

#include "cpu/cpu.h"
#include "cpu/x87_state.h"

#include <algorithm>
#include <cstring>

namespace nv {

namespace {
unsigned xmm_count(const VcpuState& s) { return s.mode == CpuMode::long64 ? 16 : 8; }
}  // namespace

void store_x87(const VcpuState& s, uint8_t* area) {
  std::memset(area, 0, 24);
  std::memcpy(area + 0, &s.fcw, 2);
  std::memcpy(area + 2, &s.fsw, 2);
  area[4] = s.ftw;
  for (unsigned k = 0; k < 8; ++k) {  // ST(k), in stack order
    std::memset(area + 32 + 16 * k, 0, 16);
    std::memcpy(area + 32 + 16 * k, s.st[x87::phys(s, k)], 10);
  }
}

void load_x87(VcpuState& s, const uint8_t* area) {
  std::memcpy(&s.fcw, area + 0, 2);
  std::memcpy(&s.fsw, area + 2, 2);
  s.ftw = area[4];
  for (unsigned k = 0; k < 8; ++k) std::memcpy(s.st[x87::phys(s, k)], area + 32 + 16 * k, 10);
}

void store_sse(const VcpuState& s, uint8_t* area) {
  std::memcpy(area + 24, &s.mxcsr, 4);
  uint32_t mask = kMxcsrMask;
  std::memcpy(area + 28, &mask, 4);
  for (unsigned r = 0; r < xmm_count(s); ++r) std::memcpy(area + 160 + 16 * r, s.xmm[r], 16);
}

void load_xmm(VcpuState& s, const uint8_t* area) {
  for (unsigned r = 0; r < xmm_count(s); ++r) std::memcpy(s.xmm[r], area + 160 + 16 * r, 16);
}

uint32_t area_mxcsr(const uint8_t* area) {
  uint32_t v;
  std::memcpy(&v, area + 24, 4);
  return v;
}

void read_linear_area(Cpu& c, uint64_t lin, uint8_t* buf, unsigned size) {
  AccessType a = c.data_access(AccessKind::read);
  for (unsigned k = 0; k < size; k += 8) {
    uint64_t q = c.read_linear(lin + k, 8, a);
    std::memcpy(buf + k, &q, 8);
  }
}

void write_linear_area(Cpu& c, uint64_t lin, const uint8_t* buf, unsigned size) {
  AccessType a = c.data_access(AccessKind::write);
  for (uint64_t page = lin & ~0xfffull; page < lin + size; page += 0x1000) c.translate(std::max(page, lin), a);
  for (unsigned k = 0; k < size; k += 8) {
    uint64_t q;
    std::memcpy(&q, buf + k, 8);
    c.write_linear(lin + k, 8, q, a);
  }
}

}  // namespace nv
