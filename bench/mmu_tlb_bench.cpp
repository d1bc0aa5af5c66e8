// MMU costs the EmuEngine pays per memory access: a software-TLB hit, a full
// 4-level walk (a TLB miss), and a role reset (a CR0/CR4 write, seed 004).
#include <benchmark/benchmark.h>

#include "mmu/mmu.h"
#include "mmu/page_walker.h"
#include "vmm/guest_memory.h"

namespace nv {
namespace {

constexpr uint64_t kP = 1, kRW = 2, kUS = 4;
constexpr uint64_t kPml4 = 0x1000, kPdpt = 0x2000, kPd = 0x3000, kPt = 0x4000, kData = 0x100000;
constexpr unsigned kPages = 512;  // one page table: gva 0..2 MiB -> gpa 1 MiB..3 MiB
constexpr AccessType kRead = AccessType::explicit_access(AccessKind::read, 3, false);

PagingState four_level_state() {
  PagingState s;
  s.cr0 = cr0::kPG | cr0::kWP | 1;
  s.cr4 = cr4::kPAE;
  s.efer = efer::kLME | efer::kLMA | efer::kNXE;
  s.cr3 = kPml4;
  s.maxphyaddr = 40;
  return s;
}

void build_tables(GuestMemory& mem) {
  mem.write_obj<uint64_t>(kPml4, kPdpt | kP | kRW | kUS);
  mem.write_obj<uint64_t>(kPdpt, kPd | kP | kRW | kUS);
  mem.write_obj<uint64_t>(kPd, kPt | kP | kRW | kUS);
  for (uint64_t i = 0; i < kPages; ++i) mem.write_obj<uint64_t>(kPt + 8 * i, (kData + 4096 * i) | kP | kRW | kUS);
}

void BM_TlbHitTranslate(benchmark::State& state) {
  GuestMemory mem(16 << 20);
  build_tables(mem);
  Mmu mmu(mem);
  mmu.set_paging_state(four_level_state());
  for (uint64_t i = 0; i < kPages; ++i) mmu.translate(i * 4096, kRead);  // fill
  uint64_t gva = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(mmu.translate(gva, kRead).host);
    gva = (gva + 4096 + 8) & (kPages * 4096 - 1);
  }
  if (mmu.tlb().counters().hits < state.iterations()) state.SkipWithError("TLB missed");
}
BENCHMARK(BM_TlbHitTranslate);

void BM_FullFourLevelWalk(benchmark::State& state) {
  GuestMemory mem(16 << 20);
  build_tables(mem);
  PageWalker walker(mem, nullptr);
  PagingRole role;
  role.set(four_level_state());
  uint64_t gva = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(walker.translate(gva, kRead, role).translation.gpa);
    gva = (gva + 4096) & (kPages * 4096 - 1);
  }
}
BENCHMARK(BM_FullFourLevelWalk);

void BM_TlbMissWalkAndFill(benchmark::State& state) {
  GuestMemory mem(16 << 20);
  build_tables(mem);
  Mmu mmu(mem);
  mmu.set_paging_state(four_level_state());
  for (auto _ : state) {
    mmu.invlpg(0x5000);
    benchmark::DoNotOptimize(mmu.translate(0x5000, kRead).host);
  }
}
BENCHMARK(BM_TlbMissWalkAndFill);

void BM_RoleReset(benchmark::State& state) {
  GuestMemory mem(16 << 20);
  Mmu mmu(mem);
  PagingState s = four_level_state();
  for (auto _ : state) {
    s.cr0 ^= cr0::kWP;
    benchmark::DoNotOptimize(mmu.set_paging_state(s));
  }
}
BENCHMARK(BM_RoleReset);

}  // namespace
}  // namespace nv
