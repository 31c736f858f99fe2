#include "proxy/codec_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace samsa::proxy {
namespace {

// Nothing here talks to a registry: the cache only makes and keeps codecs.
constexpr const char* url = "http://127.0.0.1:9";

TEST(CodecCache, OneCodecPerAuthorizationIsKept) {
  codec_cache cache(url, 4, std::chrono::minutes(1), 1 << 20);
  auto a = cache.get("Basic YTph");
  EXPECT_EQ(cache.get("Basic YTph"), a);
  auto none = cache.get("");
  EXPECT_NE(none, a);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(CodecCache, HoldsAtMostItsBoundTheOldestGoingFirst) {
  codec_cache cache(url, 4, std::chrono::minutes(1), 1 << 20);
  auto first = cache.get("caller-0");
  for (int i = 1; i < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // distinct ages
    cache.get("caller-" + std::to_string(i));
    EXPECT_LE(cache.size(), 4u);
  }
  EXPECT_EQ(cache.size(), 4u);
  // caller-0 went long ago: asked again, it gets a new codec; the one its
  // earlier user still holds stays usable.
  EXPECT_NE(cache.get("caller-0"), first);
  std::lock_guard lock(first->mu);
  EXPECT_EQ(cache.size(), 4u);
}

TEST(CodecCache, ACodecPastItsLifetimeIsMadeAgain) {
  codec_cache cache(url, 4, std::chrono::milliseconds(20), 1 << 20);
  auto a = cache.get("caller");
  EXPECT_EQ(cache.get("caller"), a);
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  EXPECT_NE(cache.get("caller"), a);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(CodecCache, ThreadsShareOneCodecPerAuthorization) {
  codec_cache cache(url, 8, std::chrono::minutes(1), 1 << 20);
  std::vector<std::thread> threads;
  std::vector<std::set<const void*>> seen(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&cache, &seen, t] {
      for (int i = 0; i < 500; ++i) {
        auto s = cache.get("caller-" + std::to_string(i % 3));
        std::lock_guard lock(s->mu);
        seen[t].insert(s.get());
      }
    });
  for (auto& t : threads) t.join();
  std::set<const void*> all;
  for (const auto& s : seen) all.insert(s.begin(), s.end());
  EXPECT_EQ(all.size(), 3u);
  EXPECT_EQ(cache.size(), 3u);
}

}  // namespace
}  // namespace samsa::proxy
