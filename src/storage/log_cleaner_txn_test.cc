// Compaction with transactions: only below the last stable offset, aborted
// records never win over committed ones and are removed, markers stay while
// their transaction has records and then age out with delete.retention.ms.
#include <gtest/gtest.h>

#include <map>

#include "storage/batch_ops.h"
#include "storage/memory_file_system.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

using testing::make_batch;
using testing::make_marker;
using testing::make_producer_batch;
using testing::producer_fields;

constexpr int64_t ts = 10'000;

struct stored {
  bool control = false;
  std::optional<std::string> key, value;
};

struct txn_cleaner : ::testing::Test {
  std::shared_ptr<memory_file_system> fs = std::make_shared<memory_file_system>();
  log_config cfg;
  std::shared_ptr<partition_log> log;
  int filler_n = 0;

  void SetUp() override {
    cfg.cleanup_compact = true;
    cfg.cleanup_delete = false;
    cfg.segment_bytes = 600;
    cfg.min_cleanable_dirty_ratio = 0.0;
    cfg.delete_retention_ms = 1000;
    partition_log::options o;
    o.fs = fs;
    o.dir = "data/c-0";
    o.topic = "c";
    o.config = cfg;
    o.recovery_point = INT64_MAX;
    log = partition_log::open(o).value();
  }
  int64_t put(const std::vector<uint8_t>& b) {
    auto r = log->append(b, 0);
    EXPECT_TRUE(r) << r.err().describe();
    return r ? r->base_offset : -1;
  }
  int64_t plain(const std::string& k, const std::string& v) { return put(make_batch({{k, v, ts}})); }
  int64_t txn(int64_t pid, int32_t seq, const std::string& k, const std::string& v) {
    return put(make_producer_batch({{k, v, ts}}, producer_fields{pid, 0, seq, true}));
  }
  // Records with keys of their own, so later segments seal the earlier ones.
  void filler(int n) {
    for (int i = 0; i < n; ++i) plain("f" + std::to_string(filler_n++), "x");
  }
  std::map<int64_t, stored> contents() {
    std::map<int64_t, stored> out;
    int64_t next = log->log_start_offset();
    while (next < log->log_end_offset()) {
      auto r = log->read_copy(next, 1 << 20, INT64_MAX);
      EXPECT_TRUE(r);
      if (!r || r->bytes.empty()) break;
      for (size_t pos = 0; pos < r->bytes.size();) {
        auto info = peek_batch(std::span(r->bytes).subspan(pos));
        std::vector<uint8_t> one(r->bytes.begin() + static_cast<long>(pos),
                                 r->bytes.begin() + static_cast<long>(pos) + info->size);
        for (auto& [o, rec] : testing::decode_batch(one)) out[o] = {is_control_batch(*info), rec.key, rec.value};
        pos += static_cast<size_t>(info->size);
      }
      next = r->next_offset;
    }
    return out;
  }
};

TEST_F(txn_cleaner, nothing_at_or_past_the_last_stable_offset_is_cleaned) {
  plain("a", "old");             // 0
  filler(10);
  int64_t open_at = txn(1, 0, "b", "in-txn");  // open transaction
  filler(10);
  plain("a", "new");  // supersedes offset 0, but sits past the LSO
  plain("b", "new");
  filler(20);
  ASSERT_EQ(log->last_stable_offset(), open_at);
  ASSERT_TRUE(log->compact(ts + 100'000));
  auto c = contents();
  EXPECT_TRUE(c.contains(0)) << "the newer value is past the LSO: not yet in the key map";
  EXPECT_TRUE(c.contains(open_at));
  put(make_marker(1, 0, true, ts));
  filler(20);
  ASSERT_TRUE(log->compact(ts + 100'000));
  c = contents();
  EXPECT_FALSE(c.contains(0));
  EXPECT_FALSE(c.contains(open_at)) << "committed, then superseded";
}

TEST_F(txn_cleaner, an_aborted_value_never_supersedes_a_committed_one_and_is_removed) {
  int64_t committed = plain("a", "committed");
  filler(3);
  int64_t aborted = txn(1, 0, "a", "aborted");
  filler(3);
  int64_t marker = put(make_marker(1, 0, false, ts));
  filler(30);
  ASSERT_EQ(log->aborted_transactions(0, marker + 1).size(), 1u);
  ASSERT_TRUE(log->compact(ts + 500));  // marker younger than delete.retention.ms
  auto c = contents();
  ASSERT_TRUE(c.contains(committed));
  EXPECT_EQ(c[committed].value, "committed");
  EXPECT_FALSE(c.contains(aborted));
  EXPECT_TRUE(c.contains(marker) && c[marker].control) << "young marker stays";
  EXPECT_EQ(log->aborted_transactions(0, marker + 1).size(), 1u);
  // Later, with more dirty data: the marker of a transaction with no records
  // left is past delete.retention.ms and goes, with its index entry.
  filler(30);
  ASSERT_TRUE(log->compact(ts + 5000));
  c = contents();
  EXPECT_FALSE(c.contains(marker));
  EXPECT_TRUE(c.contains(committed));
  EXPECT_TRUE(log->aborted_transactions(0, marker + 1).empty());
  // Offsets are kept: the log end did not move, markers counted as offsets.
  EXPECT_GT(log->log_end_offset(), marker);
}

TEST_F(txn_cleaner, a_marker_stays_while_its_transaction_has_records) {
  int64_t data = txn(2, 0, "unique", "v");
  filler(3);
  int64_t marker = put(make_marker(2, 0, true, ts));
  filler(30);
  ASSERT_TRUE(log->compact(ts + 100'000));
  auto c = contents();
  EXPECT_TRUE(c.contains(data));
  EXPECT_TRUE(c.contains(marker) && c[marker].control);
}

TEST_F(txn_cleaner, reopen_after_compaction_keeps_the_index_consistent) {
  plain("a", "committed");
  txn(1, 0, "a", "aborted");
  int64_t marker = put(make_marker(1, 0, false, ts));
  txn(3, 0, "keep", "aborted-but-unique");
  int64_t marker2 = put(make_marker(3, 0, false, ts));
  filler(40);
  ASSERT_TRUE(log->compact(ts + 500));
  auto before = log->aborted_transactions(0, log->log_end_offset());
  ASSERT_TRUE(log->close());
  log.reset();
  partition_log::options o;
  o.fs = fs;
  o.dir = "data/c-0";
  o.topic = "c";
  o.config = cfg;
  o.recovery_point = INT64_MAX;
  log = partition_log::open(o).value();
  EXPECT_EQ(log->aborted_transactions(0, log->log_end_offset()), before);
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0].last_offset, marker);
  EXPECT_EQ(before[1].last_offset, marker2);
}

}  // namespace
}  // namespace samsa::storage
