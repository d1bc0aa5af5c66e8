#include "devices/post_code_port.h"
#include "vmm/bus.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

TEST(PostCodePort, ClaimsPort80AndEdAndSwallowsWrites) {
  Bus io(Bus::Kind::io), mmio(Bus::Kind::mmio);
  PostCodePort post;
  post.attach(io, mmio);
  EXPECT_EQ(io.find(0x80), &post);
  EXPECT_EQ(io.find(0xed), &post);
  EXPECT_EQ(io.find(0x81), nullptr);
  EXPECT_EQ(io.find(0xec), nullptr);
  EXPECT_TRUE(io.write(0x80, 1, 0x55)) << "claimed, so no unassigned-port warning";
  EXPECT_TRUE(io.write(0xed, 1, 0x00));
  uint64_t value = 0;
  EXPECT_TRUE(io.read(0x80, 1, value));
  EXPECT_EQ(value, 0xffu);
}

}  // namespace
}  // namespace nv
