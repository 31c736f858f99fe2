#include "http/partition_records.h"

#include <gtest/gtest.h>

#include "storage/errc.h"
#include "storage/memory_file_system.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

namespace samsa::http {
namespace {

using storage::testing::make_batch;
using storage::testing::make_marker;
using storage::testing::make_producer_batch;

struct records_walk : ::testing::Test {
  std::shared_ptr<storage::partition_log> log;

  void SetUp() override {
    storage::partition_log::options o;
    o.fs = std::make_shared<storage::memory_file_system>();
    o.dir = "data/t-0";
    o.topic = "t";
    o.recovery_point = INT64_MAX;
    o.now_ms = 1000;
    auto r = storage::partition_log::open(o);
    ASSERT_TRUE(r) << r.err().describe();
    log = *r;
  }

  void append(const std::vector<uint8_t>& batch) {
    auto r = log->append(batch, 2000);
    ASSERT_TRUE(r) << r.err().describe();
  }

  // Offsets 0-2 (k0..k2), a transactional record at 3, its COMMIT marker at
  // 4, then 5-6 (k5, k6).
  void fill() {
    append(make_batch({{"k0", "v0", 10}, {"k1", "v1", 11}, {"k2", "v2", 12}}));
    storage::testing::producer_fields p{.producer_id = 9, .epoch = 0, .base_sequence = 0, .transactional = true};
    append(make_producer_batch({{"k3", "v3", 13}}, p));
    append(make_marker(9, 0, true, 14));
    append(make_batch({{"k5", "v5", 15}, {"k6", std::nullopt, 16}}));
  }

  static std::vector<int64_t> offsets(partition_records& walk, int64_t may_read = INT64_MAX) {
    std::vector<int64_t> out;
    for (;;) {
      auto r = walk.next(may_read);
      EXPECT_TRUE(r) << r.err().describe();
      if (!r || !*r) break;
      out.push_back((*r)->offset);
    }
    return out;
  }
};

TEST_F(records_walk, every_record_in_order_skipping_the_marker) {
  fill();
  partition_records walk(*log, 0);
  EXPECT_EQ(offsets(walk), (std::vector<int64_t>{0, 1, 2, 3, 5, 6}));
  EXPECT_TRUE(walk.at_end());
  EXPECT_EQ(walk.position(), 7);
  EXPECT_EQ(walk.high_watermark(), 7);
}

TEST_F(records_walk, records_carry_key_value_timestamp_and_tombstones) {
  fill();
  partition_records walk(*log, 5);
  auto first = walk.next(INT64_MAX);
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->key, "k5");
  EXPECT_EQ((*first)->value, "v5");
  EXPECT_EQ((*first)->timestamp, 15);
  auto second = walk.next(INT64_MAX);
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->key, "k6");
  EXPECT_FALSE((*second)->value.has_value());
}

TEST_F(records_walk, starts_inside_a_batch_and_after_a_marker) {
  fill();
  partition_records mid(*log, 1);
  EXPECT_EQ(offsets(mid), (std::vector<int64_t>{1, 2, 3, 5, 6}));
  partition_records at_marker(*log, 4);
  EXPECT_EQ(offsets(at_marker), (std::vector<int64_t>{5, 6}));
}

TEST_F(records_walk, a_spent_budget_stops_before_reading_and_resumes) {
  fill();
  partition_records walk(*log, 0);
  // Nothing may be read: no record, and not the end.
  auto none = walk.next(0);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_FALSE(walk.at_end());
  EXPECT_EQ(walk.bytes_read(), 0);
  // One byte allows one read (of one whole batch at least); the records in
  // hand are returned without another read.
  auto first = walk.next(1);
  ASSERT_TRUE(first && *first);
  int64_t after_one_read = walk.bytes_read();
  EXPECT_GT(after_one_read, 0);
  EXPECT_EQ(offsets(walk, 0).size(), 2u);  // 1 and 2, from the chunk in hand
  EXPECT_EQ(walk.bytes_read(), after_one_read);
  EXPECT_FALSE(walk.at_end());
  EXPECT_EQ(walk.position(), 3);
  EXPECT_EQ(offsets(walk), (std::vector<int64_t>{3, 5, 6}));
}

TEST_F(records_walk, follows_a_growing_log) {
  append(make_batch({{"a", "1", 1}}));
  partition_records walk(*log, 0);
  EXPECT_EQ(offsets(walk), (std::vector<int64_t>{0}));
  EXPECT_TRUE(walk.at_end());
  append(make_batch({{"b", "2", 2}, {"c", "3", 3}}));
  EXPECT_EQ(offsets(walk), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(walk.high_watermark(), 3);
}

TEST_F(records_walk, below_the_log_start_is_out_of_range) {
  fill();
  auto moved = log->delete_records_before(2);
  ASSERT_TRUE(moved) << moved.err().describe();
  partition_records walk(*log, 0);
  auto r = walk.next(INT64_MAX);
  ASSERT_FALSE(r);
  EXPECT_TRUE(storage::is(r.err(), storage::errc::offset_out_of_range)) << r.err().describe();
}

}  // namespace
}  // namespace samsa::http
