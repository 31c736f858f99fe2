#include "broker/connection_limits.h"

#include <gtest/gtest.h>

namespace samsa::broker {
namespace {

TEST(RequestMemory, RefusesPastTheLimitButNeverStarvesALoneRequest) {
  request_memory memory(100);
  EXPECT_TRUE(memory.try_acquire(60));
  EXPECT_FALSE(memory.try_acquire(50));
  EXPECT_TRUE(memory.try_acquire(40));
  memory.release(60);
  memory.release(40);
  EXPECT_EQ(memory.in_use(), 0);
  // Bigger than the whole budget: runs when nothing else is held.
  EXPECT_TRUE(memory.try_acquire(500));
  EXPECT_FALSE(memory.try_acquire(1));
  memory.release(500);
}

TEST(ConnectionAdmission, BoundsTotalAndPerAddress) {
  auto admission = std::make_shared<connection_admission>(3, 2);
  std::string why;
  auto a1 = admission->admit("10.0.0.1", why);
  auto a2 = admission->admit("10.0.0.1", why);
  ASSERT_TRUE(a1 && a2);
  EXPECT_EQ(admission->admit("10.0.0.1", why), nullptr);
  EXPECT_NE(why.find("max.connections.per.ip=2"), std::string::npos) << why;
  auto b1 = admission->admit("10.0.0.2", why);
  ASSERT_TRUE(b1);
  EXPECT_EQ(admission->admit("10.0.0.3", why), nullptr);
  EXPECT_NE(why.find("max.connections=3"), std::string::npos) << why;
  a1.reset();
  EXPECT_EQ(admission->open(), 2);
  EXPECT_NE(admission->admit("10.0.0.3", why), nullptr);
}

}  // namespace
}  // namespace samsa::broker
