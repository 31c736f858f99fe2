#include "broker/fetch_sessions.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>

namespace samsa::broker {
namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::vector<session_partition> partitions_of(const std::string& topic, int32_t count) {
  std::vector<session_partition> out;
  for (int32_t p = 0; p < count; ++p) out.push_back({{topic, {}, p}, {0, 1 << 20, -1, -1, -1}, {}});
  return out;
}

TEST(FetchSessions, EpochsCountFromOneAndWrapPastTheLargest) {
  EXPECT_EQ(next_session_epoch(initial_session_epoch), 1);
  EXPECT_EQ(next_session_epoch(41), 42);
  EXPECT_EQ(next_session_epoch(std::numeric_limits<int32_t>::max()), 1);
  EXPECT_EQ(next_session_epoch(final_session_epoch), final_session_epoch);
  fetch_session_cache cache({}, 7);
  int32_t id = cache.create(false, "User:a", partitions_of("t", 2), clock::now());
  ASSERT_GT(id, 0);
  EXPECT_EQ(cache.find(id)->expected_epoch(), 1);
}

TEST(FetchSessions, IdsAreNonZeroAndDistinct) {
  fetch_session_cache cache({.slots = 100}, 1);
  std::set<int32_t> ids;
  for (int i = 0; i < 100; ++i) {
    int32_t id = cache.create(false, "o", partitions_of("t", 1), clock::now());
    ASSERT_GT(id, 0);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 100u);
}

TEST(FetchSessions, NoSessionWhenOffOrEmpty) {
  fetch_session_cache off({.slots = 0}, 1);
  EXPECT_EQ(off.create(false, "o", partitions_of("t", 3), clock::now()), 0);
  fetch_session_cache cache({}, 1);
  EXPECT_EQ(cache.create(false, "o", {}, clock::now()), 0);
}

TEST(FetchSessions, FullCacheEvictsAnIdleSessionFirst) {
  fetch_session_cache cache({.slots = 2, .max_partitions = 1000, .idle_eviction = 1000ms}, 1);
  auto t0 = clock::now();
  int32_t big = cache.create(false, "o", partitions_of("t", 50), t0);
  int32_t idle = cache.create(false, "o", partitions_of("t", 5), t0);
  cache.find(big)->touch(t0 + 1500ms);
  // Full, nothing idle long enough yet and the newcomer is the smallest: none.
  EXPECT_EQ(cache.create(false, "o", partitions_of("t", 1), t0 + 500ms), 0);
  // `idle` has not been used for 2 s: it goes, even for a smaller newcomer.
  int32_t fresh = cache.create(false, "o", partitions_of("t", 1), t0 + 2000ms);
  ASSERT_GT(fresh, 0);
  EXPECT_EQ(cache.find(idle), nullptr);
  EXPECT_NE(cache.find(big), nullptr);
  EXPECT_EQ(cache.evictions(), 1u);
  EXPECT_EQ(cache.partitions(), 51);
}

TEST(FetchSessions, FullCacheGivesTheSmallestSessionsPlaceToALargerOne) {
  fetch_session_cache cache({.slots = 2, .max_partitions = 1000, .idle_eviction = 60000ms}, 1);
  auto now = clock::now();
  int32_t small = cache.create(false, "o", partitions_of("t", 3), now);
  int32_t medium = cache.create(false, "o", partitions_of("t", 10), now);
  // Same size as the smallest: not worth the swap.
  EXPECT_EQ(cache.create(false, "o", partitions_of("t", 3), now), 0);
  int32_t large = cache.create(false, "o", partitions_of("t", 20), now);
  ASSERT_GT(large, 0);
  EXPECT_EQ(cache.find(small), nullptr);
  EXPECT_NE(cache.find(medium), nullptr);
  EXPECT_EQ(cache.sessions(), 2u);
}

TEST(FetchSessions, ThePartitionBoundHoldsForNewAndGrowingSessions) {
  fetch_session_cache cache({.slots = 10, .max_partitions = 10, .idle_eviction = 60000ms}, 1);
  auto now = clock::now();
  EXPECT_EQ(cache.create(false, "o", partitions_of("t", 11), now), 0) << "larger than the whole bound";
  int32_t a = cache.create(false, "o", partitions_of("a", 6), now);
  ASSERT_GT(a, 0);
  fetch_session& s = *cache.find(a);
  // Updating known partitions and adding up to the bound is fine...
  std::vector<std::pair<session_partition_key, session_partition_request>> named;
  named.push_back({{"a", {}, 0}, {5, 100, -1, -1, -1}});
  for (int32_t p = 0; p < 4; ++p) named.push_back({{"b", {}, p}, {}});
  ASSERT_TRUE(cache.update(s, named, {}));
  EXPECT_EQ(cache.partitions(), 10);
  EXPECT_EQ(s.find({"a", {}, 0})->request.fetch_offset, 5);
  // ...one more is not, and changes nothing.
  EXPECT_FALSE(cache.update(s, {{{"c", {}, 0}, {}}}, {}));
  EXPECT_EQ(s.size(), 10u);
  // Forgetting makes room again; the count follows.
  ASSERT_TRUE(cache.update(s, {}, {{"b", {}, 0}, {"b", {}, 1}, {"nope", {}, 9}}));
  EXPECT_EQ(cache.partitions(), 8);
  cache.remove(a);
  EXPECT_EQ(cache.partitions(), 0);
}

TEST(FetchSessions, PartitionsAnsweredWithRecordsMoveToTheBack) {
  fetch_session_cache cache({}, 1);
  int32_t id = cache.create(false, "o", partitions_of("t", 3), clock::now());
  fetch_session& s = *cache.find(id);
  s.answered({"t", {}, 0}, {10, 10, 0}, true);
  s.answered({"t", {}, 1}, {4, 4, 0}, false);
  std::vector<int32_t> order;
  for (const auto& p : s.partitions()) order.push_back(p.key.partition);
  EXPECT_EQ(order, (std::vector<int32_t>{1, 2, 0}));
  EXPECT_EQ(s.find({"t", {}, 0})->answered.high_watermark, 10);
  EXPECT_EQ(s.find({"t", {}, 2})->answered.high_watermark, -1) << "never answered";
  s.answered({"gone", {}, 0}, {1, 1, 1}, true);  // no-op
  EXPECT_EQ(s.size(), 3u);
}

TEST(FetchSessions, KeysByIdAndByNameAreDistinct) {
  fetch_session_cache cache({}, 1);
  auto id = protocol::uuid::random();
  std::vector<session_partition> parts = {{{"", id, 0}, {}, {}}, {{"t", {}, 0}, {}, {}}};
  int32_t sid = cache.create(true, "o", parts, clock::now());
  EXPECT_EQ(cache.find(sid)->size(), 2u);
  EXPECT_TRUE(cache.find(sid)->uses_topic_ids());
}

}  // namespace
}  // namespace samsa::broker
