#include "util/error.h"
#include "vmm/guest_memory.h"
#include "vmm/memory_layout.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

TEST(GuestMemory, SmallRamIsOneSlotAtZero) {
  GuestMemory mem(16 * layout::kMiB);
  ASSERT_EQ(mem.slots().size(), 1u);
  EXPECT_EQ(mem.slots()[0].gpa, 0u);
  EXPECT_EQ(mem.slots()[0].size, 16 * layout::kMiB);
  EXPECT_EQ(mem.below_4g_end(), 16 * layout::kMiB);
}

TEST(GuestMemory, RamBeyondThePciHoleMovesAbove4G) {
  // MAP_NORESERVE: the test touches only a few pages of the 4 GiB.
  GuestMemory mem(4 * layout::kGiB);
  ASSERT_EQ(mem.slots().size(), 2u);
  EXPECT_EQ(mem.below_4g_end(), layout::kBelow4gRamLimit);
  EXPECT_EQ(mem.slots()[1].gpa, layout::kAbove4gBase);
  EXPECT_EQ(mem.slots()[1].size, 4 * layout::kGiB - layout::kBelow4gRamLimit);
  EXPECT_FALSE(mem.is_ram(layout::kBelow4gRamLimit, 1)) << "the PCI hole is not RAM";
  EXPECT_TRUE(mem.is_ram(layout::kAbove4gBase, 4096));
  mem.write_obj<uint32_t>(layout::kAbove4gBase, 0xdeadbeef);
  // The high slot continues the host mapping right after the low one.
  EXPECT_EQ(*reinterpret_cast<uint32_t*>(mem.host_base() + layout::kBelow4gRamLimit), 0xdeadbeefu);
}

TEST(GuestMemory, HostPointerRejectsRangesLeavingRam) {
  GuestMemory mem(1 * layout::kMiB);
  EXPECT_NE(mem.host_ptr(layout::kMiB - 4, 4), nullptr);
  EXPECT_EQ(mem.host_ptr(layout::kMiB - 4, 5), nullptr);
  EXPECT_EQ(mem.host_ptr(layout::kMiB, 0), mem.host_base() + layout::kMiB) << "empty range at the end";
  EXPECT_EQ(mem.host_ptr(~0ull - 2, 8), nullptr) << "wrap-around";
}

TEST(GuestMemory, CopiesOutsideRamThrowWithTheRange) {
  GuestMemory mem(1 * layout::kMiB);
  uint8_t buf[8] = {};
  try {
    mem.read(layout::kMiB - 4, buf, sizeof buf);
    FAIL() << "expected nv::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("0xffffc"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mem.write(layout::kMiB, buf, 1), Error);
}

TEST(GuestMemory, EmptyCopiesTakeNullBuffers) {
  GuestMemory mem(1 * layout::kMiB);
  EXPECT_NO_THROW(mem.write(0x1000, nullptr, 0));
  EXPECT_NO_THROW(mem.read(0x1000, nullptr, 0));
}

TEST(GuestMemory, ClearZeroesRam) {
  GuestMemory mem(1 * layout::kMiB);
  mem.fill(0x1000, 0xab, 64);
  EXPECT_EQ(mem.read_obj<uint8_t>(0x1020), 0xab);
  mem.clear();
  EXPECT_EQ(mem.read_obj<uint8_t>(0x1020), 0);
}

TEST(GuestMemory, BadSizesAreRejected) {
  EXPECT_THROW(GuestMemory(0), Error);
  EXPECT_THROW(GuestMemory(4097), Error);
  EXPECT_THROW(GuestMemory(1ull << 50), Error) << "more than the host has";
}

}  // namespace
}  // namespace nv
