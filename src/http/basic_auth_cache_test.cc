// The HTTP Basic verification cache: a hit only with the same password and
// the same stored credentials, expiry, and its bound.
#include "http/basic_auth_cache.h"

#include <gtest/gtest.h>

namespace samsa::http {
namespace {

using namespace std::chrono_literals;

TEST(BasicAuthCache, HitsOnlyTheSamePasswordAndTheSameStoredCredentials) {
  basic_auth_cache c(8, 600s);
  auto t = basic_auth_cache::clock::now();
  auto alice = security::principal::user("alice");
  EXPECT_FALSE(c.find("alice", "secret", "fp1", t));
  c.put("alice", "secret", "fp1", alice, t);
  auto hit = c.find("alice", "secret", "fp1", t);
  ASSERT_TRUE(hit);
  EXPECT_EQ(*hit, alice);
  EXPECT_FALSE(c.find("alice", "Secret", "fp1", t));
  EXPECT_FALSE(c.find("alicesecret", "", "fp1", t));
  // The user's credentials changed: the entry no longer counts, and is gone.
  EXPECT_FALSE(c.find("alice", "secret", "fp2", t));
  EXPECT_FALSE(c.find("alice", "secret", "fp1", t));
  EXPECT_EQ(c.size(), 0u);
}

TEST(BasicAuthCache, EntriesExpire) {
  basic_auth_cache c(8, 60s);
  auto t = basic_auth_cache::clock::now();
  c.put("bob", "pw", "fp", security::principal::user("bob"), t);
  EXPECT_TRUE(c.find("bob", "pw", "fp", t + 59s));
  EXPECT_FALSE(c.find("bob", "pw", "fp", t + 60s));
}

TEST(BasicAuthCache, HoldsAtMostItsCapacityOldestFirst) {
  basic_auth_cache c(3, 600s);
  auto t = basic_auth_cache::clock::now();
  for (int i = 0; i < 5; ++i)
    c.put("u" + std::to_string(i), "pw", "fp", security::principal::user("u" + std::to_string(i)), t);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_FALSE(c.find("u0", "pw", "fp", t));
  EXPECT_FALSE(c.find("u1", "pw", "fp", t));
  EXPECT_TRUE(c.find("u4", "pw", "fp", t));
  basic_auth_cache none(0, 600s);
  none.put("x", "y", "fp", security::principal::user("x"), t);
  EXPECT_FALSE(none.find("x", "y", "fp", t));
}

}  // namespace
}  // namespace samsa::http
