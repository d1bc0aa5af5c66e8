// Warn-once bookkeeping (util/log.h): once per (kind, address), and bounded
// per kind so that a guest touching ever new addresses cannot grow it.
#include "util/log.h"

#include <gtest/gtest.h>

namespace nv {
namespace {

TEST(Log, FirstOccurrenceIsOncePerKindAndAddress) {
  EXPECT_TRUE(first_occurrence("log-test-a", 1));
  EXPECT_FALSE(first_occurrence("log-test-a", 1));
  EXPECT_TRUE(first_occurrence("log-test-b", 1)) << "kinds are separate";
  EXPECT_TRUE(first_occurrence("log-test-a", 2));
}

TEST(Log, EachKindRemembersABoundedNumberOfAddresses) {
  int reported = 0;
  for (uint64_t a = 0; a < 100000; ++a) reported += first_occurrence("log-test-flood", a);
  EXPECT_EQ(reported, 64);
  EXPECT_FALSE(first_occurrence("log-test-flood", 5)) << "the ones reported stay reported";
  EXPECT_TRUE(first_occurrence("log-test-other", 5)) << "other kinds go on";
}

}  // namespace
}  // namespace nv
