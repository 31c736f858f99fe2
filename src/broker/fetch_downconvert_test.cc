// Fetch v0-3's read of a partition (fetch_downconvert.h) against a real
// partition log in memory: bounded chunks, the room, the first message that
// may overflow it, committed data only.
#include "broker/fetch_downconvert.h"

#include <gtest/gtest.h>

#include "record/legacy_message.h"
#include "storage/memory_file_system.h"
#include "storage/test_batches.h"

namespace samsa::broker {
namespace {

using storage::testing::make_batch;
using storage::testing::make_marker;
using storage::testing::make_producer_batch;
using storage::testing::producer_fields;

class FetchDownconvert : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::partition_log::options opts;
    opts.fs = std::make_shared<storage::memory_file_system>();
    opts.dir = "d/t-0";
    opts.recovery_point = INT64_MAX;
    auto opened = storage::partition_log::open(opts);
    ASSERT_TRUE(opened);
    log_ = std::move(*opened);
  }
  void put(const std::vector<uint8_t>& b) { ASSERT_TRUE(log_->append(b, 0)); }

  std::vector<std::pair<int64_t, std::string>> values(const down_converted_read& r) {
    std::vector<std::pair<int64_t, std::string>> out;
    auto parsed = record::legacy::parse_message_set(r.bytes, record::legacy::trailing_bytes::refuse);
    EXPECT_TRUE(parsed.ok());
    for (const auto& m : parsed->messages) out.emplace_back(m.offset, std::string(m.value->begin(), m.value->end()));
    return out;
  }

  std::shared_ptr<storage::partition_log> log_;
};

TEST_F(FetchDownconvert, SmallChunksReadOnUntilTheRoomIsFull) {
  for (int i = 0; i < 20; ++i) put(make_batch({{"k", "value-" + std::to_string(i), 0}}));
  auto whole = read_down_converted(*log_, 0, 20, 1, SIZE_MAX, true);
  ASSERT_EQ(whole.error, protocol::error_code::none);
  ASSERT_EQ(values(whole).size(), 20u);
  // 1-byte chunks: one batch per log read, same answer.
  auto chunked = read_down_converted(*log_, 0, 20, 1, SIZE_MAX, true, 1);
  EXPECT_EQ(chunked.bytes, whole.bytes);
  EXPECT_EQ(chunked.next_offset, 20);
  // A room of 5 messages and a bit: 5 whole messages, next read at 5.
  const size_t one = whole.bytes.size() / 20;
  auto part = read_down_converted(*log_, 0, 20, 1, one * 5 + one / 2, false, 1);
  EXPECT_EQ(values(part).size(), 5u);
  EXPECT_EQ(part.next_offset, 5);
  // No room, but first in the answer: one message goes out anyway.
  auto first = read_down_converted(*log_, 7, 20, 0, 1, true);
  ASSERT_EQ(values(first).size(), 1u);
  EXPECT_EQ(values(first)[0].first, 7);
}

TEST_F(FetchDownconvert, OpenTransactionHoldsTheReadAtItsStart) {
  put(make_batch({{"k", "before", 0}}));                                       // 0
  put(make_producer_batch({{"k", "open", 0}}, producer_fields{5, 0, 0, true}));  // 1
  put(make_batch({{"k", "after", 0}}));                                        // 2
  const auto offsets = log_->offsets();
  ASSERT_EQ(offsets.last_stable_offset, 1);
  auto r = read_down_converted(*log_, 0, offsets.last_stable_offset, 1, SIZE_MAX, true);
  EXPECT_EQ(values(r), (std::vector<std::pair<int64_t, std::string>>{{0, "before"}}));
  // At the LSO: nothing yet, and no error; past the end: out of range.
  auto at_lso = read_down_converted(*log_, 1, offsets.last_stable_offset, 1, SIZE_MAX, true);
  EXPECT_EQ(at_lso.error, protocol::error_code::none);
  EXPECT_TRUE(at_lso.bytes.empty());
  EXPECT_EQ(read_down_converted(*log_, 9, 1, 1, SIZE_MAX, true).error, protocol::error_code::offset_out_of_range);
  // The commit marker releases it; the marker itself is never delivered.
  put(make_marker(5, 0, true));  // 3
  auto after = read_down_converted(*log_, 0, log_->offsets().last_stable_offset, 1, SIZE_MAX, true);
  EXPECT_EQ(values(after),
            (std::vector<std::pair<int64_t, std::string>>{{0, "before"}, {1, "open"}, {2, "after"}}));
  EXPECT_EQ(after.next_offset, 4);
}

}  // namespace
}  // namespace samsa::broker
