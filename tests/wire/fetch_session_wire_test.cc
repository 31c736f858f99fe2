// Incremental fetch sessions (KIP-227) against a real broker: a full fetch
// opens a session, incremental fetches carry only what changed (new records,
// a moved high watermark), forgotten partitions stay out, epochs are
// checked, a long poll on a session wakes on an append, and the cache's slot
// bound gives a client session 0 rather than growing.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <iostream>
#include <set>

#include "broker_process.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using fetch_request = protocol::fetch_request_data;
using fetch_response = protocol::fetch_response_data;
constexpr int16_t v12 = 12;  // names
constexpr int16_t v13 = 13;  // topic ids
constexpr int16_t produce_version = 9;

int16_t code(protocol::error_code e) { return protocol::to_int(e); }

struct position {
  int32_t partition;
  int64_t offset;
};

fetch_request fetch_of(int32_t session_id, int32_t epoch, const std::string& topic, const std::vector<position>& parts,
                       int32_t max_wait_ms = 0) {
  fetch_request req;
  req.replica_id = -1;
  req.max_wait_ms = max_wait_ms;
  req.min_bytes = 1;
  req.max_bytes = 1 << 20;
  req.session_id = session_id;
  req.session_epoch = epoch;
  if (!parts.empty()) {
    auto& t = req.topics.emplace_back();
    t.topic = topic;
    for (const auto& p : parts) {
      auto& fp = t.partitions.emplace_back();
      fp.partition = p.partition;
      fp.fetch_offset = p.offset;
      fp.partition_max_bytes = 1 << 20;
    }
  }
  return req;
}

// partition -> (high watermark, record bytes) of every partition answered.
std::map<int32_t, std::pair<int64_t, size_t>> answered(const fetch_response& r) {
  std::map<int32_t, std::pair<int64_t, size_t>> out;
  for (const auto& t : r.responses)
    for (const auto& p : t.partitions) out[p.partition_index] = {p.high_watermark, p.records ? p.records->size() : 0};
  return out;
}

class FetchSessionWire : public ::testing::Test {
 protected:
  explicit FetchSessionWire(std::map<std::string, std::string> settings = {}) : broker_(std::move(settings)) {}
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    ASSERT_EQ(create_topic(*client_, topic_, 3), 0);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }
  void produce(int32_t partition, const std::string& value) {
    ASSERT_EQ(produce_batch(*client_, produce_version, topic_, partition, batch_of({value}, 0)).error_code, 0);
  }
  fetch_response call(const fetch_request& req, int16_t version = v12) {
    return client_->call<fetch_response>(req, version);
  }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
  std::string topic_ = "sessions";
};

TEST_F(FetchSessionWire, IncrementalFetchesCarryOnlyWhatChanged) {
  produce(0, "before");
  auto full = call(fetch_of(0, 0, topic_, {{0, 0}, {1, 0}, {2, 0}}));
  ASSERT_EQ(full.error_code, 0);
  ASSERT_NE(full.session_id, 0) << "a full fetch with epoch 0 opens a session when the cache has room";
  EXPECT_EQ(answered(full).size(), 3u) << "the full answer names every partition";
  EXPECT_GT(answered(full)[0].second, 0u);
  const int32_t id = full.session_id;

  // The client moves partition 0 past its record; nothing else changed.
  auto quiet = call(fetch_of(id, 1, topic_, {{0, 1}}));
  ASSERT_EQ(quiet.error_code, 0);
  EXPECT_EQ(quiet.session_id, id);
  EXPECT_TRUE(answered(quiet).empty()) << "nothing new: an incremental answer names no partition";

  produce(2, "news");
  auto news = call(fetch_of(id, 2, topic_, {}));
  ASSERT_EQ(news.error_code, 0);
  auto got = answered(news);
  ASSERT_EQ(got.size(), 1u) << "only the partition with a new record";
  ASSERT_TRUE(got.contains(2));
  EXPECT_EQ(got[2].first, 1);
  EXPECT_GT(got[2].second, 0u);

  // The session remembers partition 2's offset (0) until told otherwise: the
  // same record again, since the client did not move it...
  EXPECT_TRUE(answered(call(fetch_of(id, 3, topic_, {}))).contains(2));
  // ...and nothing once it does.
  EXPECT_TRUE(answered(call(fetch_of(id, 4, topic_, {{2, 1}}))).empty());
}

TEST_F(FetchSessionWire, EpochsAndUnknownSessionsAreRefused) {
  auto full = call(fetch_of(0, 0, topic_, {{0, 0}, {1, 0}}));
  ASSERT_NE(full.session_id, 0);
  auto stale = call(fetch_of(full.session_id, 5, topic_, {}));
  EXPECT_EQ(stale.error_code, code(protocol::error_code::invalid_fetch_session_epoch));
  EXPECT_TRUE(stale.responses.empty());
  auto unknown = call(fetch_of(full.session_id ^ 0x5a5a5a, 1, topic_, {}));
  EXPECT_EQ(unknown.error_code, code(protocol::error_code::fetch_session_id_not_found));
  // The session survived the refusals: epoch 1 is still the one it expects.
  EXPECT_EQ(call(fetch_of(full.session_id, 1, topic_, {})).error_code, 0);
  // A session opened by names is not continued by ids.
  EXPECT_EQ(call(fetch_of(full.session_id, 2, topic_, {}), v13).error_code,
            code(protocol::error_code::fetch_session_topic_id_error));
}

TEST_F(FetchSessionWire, FinalEpochClosesTheSessionAndNothingOpensAnother) {
  auto full = call(fetch_of(0, 0, topic_, {{0, 0}}));
  ASSERT_NE(full.session_id, 0);
  auto closing = call(fetch_of(full.session_id, -1, topic_, {{0, 0}}));
  EXPECT_EQ(closing.error_code, 0);
  EXPECT_EQ(closing.session_id, 0) << "epoch -1: a sessionless full fetch";
  EXPECT_EQ(answered(closing).size(), 1u);
  EXPECT_EQ(call(fetch_of(full.session_id, 1, topic_, {})).error_code,
            code(protocol::error_code::fetch_session_id_not_found));
}

TEST_F(FetchSessionWire, ForgottenPartitionsStayOutAndAnEmptySessionCloses) {
  auto full = call(fetch_of(0, 0, topic_, {{0, 0}, {1, 0}}));
  const int32_t id = full.session_id;
  ASSERT_NE(id, 0);
  auto forget = fetch_of(id, 1, topic_, {});
  forget.forgotten_topics_data.push_back({topic_, {}, {1}});
  ASSERT_EQ(call(forget).error_code, 0);
  produce(1, "unseen");
  produce(0, "seen");
  auto got = answered(call(fetch_of(id, 2, topic_, {})));
  EXPECT_EQ(got.size(), 1u);
  EXPECT_TRUE(got.contains(0)) << "partition 0 is still in the session";
  // Forgetting the last one ends the session.
  auto last = fetch_of(id, 3, topic_, {});
  last.forgotten_topics_data.push_back({topic_, {}, {0}});
  auto ended = call(last);
  EXPECT_EQ(ended.error_code, 0);
  EXPECT_EQ(ended.session_id, 0);
  EXPECT_EQ(call(fetch_of(id, 4, topic_, {})).error_code, code(protocol::error_code::fetch_session_id_not_found));
}

TEST_F(FetchSessionWire, SessionsByTopicIdWork) {
  auto topic_id = topic_id_of(*client_, topic_);
  auto by_id = [&](int32_t session, int32_t epoch, std::vector<position> parts) {
    fetch_request req = fetch_of(session, epoch, "", parts);
    if (!req.topics.empty()) {
      req.topics[0].topic.clear();
      req.topics[0].topic_id = topic_id;
    }
    return call(req, v13);
  };
  auto full = by_id(0, 0, {{0, 0}, {1, 0}});
  ASSERT_NE(full.session_id, 0);
  produce(1, "x");
  auto next = by_id(full.session_id, 1, {});
  ASSERT_EQ(next.error_code, 0);
  ASSERT_EQ(next.responses.size(), 1u);
  EXPECT_EQ(next.responses[0].topic_id, topic_id);
  EXPECT_EQ(answered(next).size(), 1u);
  EXPECT_TRUE(answered(next).contains(1));
}

TEST_F(FetchSessionWire, AParkedIncrementalFetchWakesOnAnAppend) {
  auto full = call(fetch_of(0, 0, topic_, {{0, 0}, {1, 0}, {2, 0}}));
  ASSERT_NE(full.session_id, 0);
  wire_client consumer(broker_.port());
  // The deadline (25 s) is far beyond the wait below: only the wake-up can answer in time.
  auto parked = std::async(std::launch::async, [&] {
    return consumer.call<fetch_response>(fetch_of(full.session_id, 1, topic_, {}, 25000), v12);
  });
  EXPECT_EQ(parked.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "nothing new: the incremental fetch must park";
  produce(1, "wake");
  ASSERT_EQ(parked.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "the append did not wake the parked session fetch";
  auto got = answered(parked.get());
  EXPECT_EQ(got.size(), 1u);
  EXPECT_TRUE(got.contains(1));
}

class FetchSessionBoundWire : public FetchSessionWire {
 protected:
  FetchSessionBoundWire()
      : FetchSessionWire({{"max.incremental.fetch.session.cache.slots", "1"},
                          {"min.incremental.fetch.session.eviction.ms", "600000"}}) {}
};

TEST_F(FetchSessionBoundWire, AFullCacheAnswersSessionZeroAndTheOwnerKeepsItsSession) {
  auto first = call(fetch_of(0, 0, topic_, {{0, 0}, {1, 0}}));
  ASSERT_NE(first.session_id, 0);
  wire_client other(broker_.port());
  auto second = other.call<fetch_response>(fetch_of(0, 0, topic_, {{0, 0}}), v12);
  EXPECT_EQ(second.error_code, 0);
  EXPECT_EQ(second.session_id, 0) << "one slot, taken by a larger session: a sessionless answer";
  EXPECT_EQ(answered(second).size(), 1u) << "the full answer is served all the same";
  EXPECT_EQ(call(fetch_of(first.session_id, 1, topic_, {})).error_code, 0);
  // A larger newcomer takes the slot of the smaller session.
  auto larger = other.call<fetch_response>(fetch_of(0, 0, topic_, {{0, 0}, {1, 0}, {2, 0}}), v12);
  EXPECT_NE(larger.session_id, 0);
  EXPECT_EQ(call(fetch_of(first.session_id, 2, topic_, {})).error_code,
            code(protocol::error_code::fetch_session_id_not_found));
}

class FetchSessionPartitionBoundWire : public FetchSessionWire {
 protected:
  FetchSessionPartitionBoundWire() : FetchSessionWire({{"fetch.session.cache.max.partitions", "2"}}) {}
};

TEST_F(FetchSessionPartitionBoundWire, GrowingPastThePartitionBoundClosesTheSession) {
  auto full = call(fetch_of(0, 0, topic_, {{0, 0}, {1, 0}}));
  ASSERT_NE(full.session_id, 0);
  auto grow = call(fetch_of(full.session_id, 1, topic_, {{2, 0}}));
  EXPECT_EQ(grow.error_code, code(protocol::error_code::fetch_session_id_not_found))
      << "a third partition passes the bound: the client must start again with a full fetch";
  auto again = call(fetch_of(0, 0, topic_, {{0, 0}, {1, 0}, {2, 0}}));
  EXPECT_EQ(again.error_code, 0);
  EXPECT_EQ(again.session_id, 0) << "three partitions never fit a bound of two";
  EXPECT_EQ(answered(again).size(), 3u);
}

}  // namespace
}  // namespace samsa::wire_test
