#include "broker/fetch_bounds.h"

#include <gtest/gtest.h>

#include "storage/memory_file_system.h"
#include "storage/test_batches.h"

namespace samsa::broker {
namespace {

using storage::testing::make_batch;
using storage::testing::make_marker;
using storage::testing::make_producer_batch;
using storage::testing::producer_fields;

TEST(FetchBounds, ReadCommittedStopsAtTheLastStableOffset) {
  storage::stable_offsets o{10, 4, 0};
  auto b = read_committed_limit(read_committed, 11, o);
  EXPECT_EQ(b.max_offset_exclusive, 4);
  EXPECT_EQ(b.last_stable_offset, 4);
  EXPECT_EQ(b.high_watermark, 10);
  EXPECT_TRUE(b.wants_aborted);
}

TEST(FetchBounds, ReadUncommittedReadsToTheHighWatermarkAndStillReportsTheLso) {
  storage::stable_offsets o{10, 4, 0};
  auto b = read_committed_limit(read_uncommitted, 11, o);
  EXPECT_EQ(b.max_offset_exclusive, 10);
  EXPECT_EQ(b.last_stable_offset, 4);
  EXPECT_FALSE(b.wants_aborted);
  // Fetch v0-3 has no isolation level at all.
  EXPECT_EQ(read_committed_limit(read_committed, 3, o).max_offset_exclusive, 10);
}

TEST(FetchBounds, AbortedTransactionsOfWhatWasRead) {
  auto fs = std::make_shared<storage::memory_file_system>();
  storage::partition_log::options opts;
  opts.fs = fs;
  opts.dir = "d/t-0";
  opts.recovery_point = INT64_MAX;
  auto log = storage::partition_log::open(opts);
  ASSERT_TRUE(log);
  auto put = [&](const std::vector<uint8_t>& b) { ASSERT_TRUE((*log)->append(b, 0)); };
  put(make_producer_batch({{"k", "a", 0}}, producer_fields{3, 0, 0, true}));  // 0
  put(make_batch({{"k", "plain", 0}}));                                       // 1
  put(make_marker(3, 0, false));                                              // 2: abort [0, 2]
  put(make_producer_batch({{"k", "b", 0}}, producer_fields{4, 0, 0, true}));  // 3: open
  auto b = read_committed_limit(read_committed, 11, (*log)->offsets());
  EXPECT_EQ(b.max_offset_exclusive, 3);
  auto r = (*log)->read_copy(0, 1 << 20, b.max_offset_exclusive);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->next_offset, 3);  // nothing of the open transaction
  auto aborted = aborted_for_read(**log, 0, r->next_offset);
  ASSERT_EQ(aborted.size(), 1u);
  EXPECT_EQ(aborted[0].producer_id, 3);
  EXPECT_EQ(aborted[0].first_offset, 0);
  EXPECT_TRUE(aborted_for_read(**log, 3, 3).empty());  // nothing read, nothing listed
}

}  // namespace
}  // namespace samsa::broker
