#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "storage/batch_ops.h"
#include "storage/memory_file_system.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

// Built with += to sidestep a GCC 12 -Wrestrict false positive on "x" + std::string.
std::string label(const char* prefix, int n) {
  std::string s = prefix;
  s += std::to_string(n);
  return s;
}

using testing::test_record;

struct cleaner : ::testing::Test {
  std::shared_ptr<memory_file_system> fs = std::make_shared<memory_file_system>();
  log_config cfg;
  cleaner() {
    cfg.cleanup_compact = true;
    cfg.cleanup_delete = false;
    cfg.segment_bytes = 600;
    cfg.min_cleanable_dirty_ratio = 0.0;
    cfg.delete_retention_ms = 1000;
  }
  std::shared_ptr<partition_log> open(int64_t recovery_point = INT64_MAX) {
    partition_log::options o;
    o.fs = fs;
    o.dir = "data/c-0";
    o.topic = "c";
    o.config = cfg;
    o.recovery_point = recovery_point;
    return partition_log::open(o).value();
  }
  // Every record readable from the log: offset -> record.
  // Base offsets of the partition's segments, from the files on disk.
  std::vector<int64_t> segment_bases() {
    std::vector<int64_t> out;
    auto names = fs->list_dir("data/c-0");
    EXPECT_TRUE(names);
    if (!names) return out;
    for (auto& n : *names)
      if (n.ends_with(".log")) out.push_back(std::stoll(n.substr(0, 20)));
    return out;
  }
  // Records that compaction should have removed but are still there: an
  // older value of a key with a newer record in a cleaned segment. The last
  // batch of each segment is kept whole by design (segments stay contiguous),
  // and the active segment is neither cleaned nor looked at; with one record
  // per batch those are the records just below each segment base and
  // everything from the last base.
  std::vector<int64_t> stale_survivors(const std::map<int64_t, test_record>& after) {
    auto bases = segment_bases();
    std::set<int64_t> exempt;
    for (int64_t b : bases) exempt.insert(b - 1);
    int64_t active_base = bases.empty() ? 0 : *std::max_element(bases.begin(), bases.end());
    std::map<std::string, int64_t> newest;
    for (auto& [o, rec] : after)  // compaction looks only at sealed segments
      if (rec.key && o < active_base) newest[*rec.key] = o;
    std::vector<int64_t> out;
    for (auto& [o, rec] : after) {
      if (!rec.key || o >= active_base || exempt.contains(o)) continue;
      if (newest[*rec.key] != o) out.push_back(o);
    }
    return out;
  }
  static std::map<int64_t, test_record> contents(partition_log& log) {
    std::map<int64_t, test_record> out;
    int64_t next = log.log_start_offset();
    while (next < log.log_end_offset()) {
      auto r = log.read_copy(next, 1 << 20, INT64_MAX);
      EXPECT_TRUE(r);
      if (!r || r->bytes.empty()) break;
      for (size_t pos = 0; pos < r->bytes.size();) {
        auto info = peek_batch(std::span(r->bytes).subspan(pos));
        EXPECT_TRUE(info);
        std::vector<uint8_t> one(r->bytes.begin() + static_cast<long>(pos),
                                 r->bytes.begin() + static_cast<long>(pos) + info->size);
        EXPECT_TRUE(check_batch(one));
        for (auto& [o, rec] : testing::decode_batch(one)) out[o] = rec;
        pos += static_cast<size_t>(info->size);
      }
      next = r->next_offset;
    }
    return out;
  }
};

TEST_F(cleaner, keeps_newest_per_key_and_offsets) {
  auto log = open();
  // keys k0..k4 written 4 times each, 2 records per batch, some compressed.
  int64_t ts = 10'000;
  for (int round = 0; round < 4; ++round) {
    for (int k = 0; k < 5; k += 1) {
      std::vector<test_record> recs = {{label("k", k), label("v", round), ts}};
      ASSERT_TRUE(log->append(testing::make_batch(recs, round % 2 == 0 ? 0 : 1), 0));
    }
  }
  // Tombstone for k0 (old enough to drop) and a fresh value for k1 in the active segment.
  ASSERT_TRUE(log->append(testing::make_batch({{"k0", std::nullopt, ts}}), 0));
  ASSERT_TRUE(log->append(testing::make_batch({{"z", "filler", ts}}, 0), 0));
  auto before = contents(*log);
  ASSERT_GT(log->segment_count(), 3u);
  auto removed = log->compact(ts + 500);  // tombstone not yet past delete.retention.ms
  ASSERT_TRUE(removed) << removed.err().describe();
  EXPECT_GT(*removed, 0);
  auto after = contents(*log);
  EXPECT_LT(after.size(), before.size());
  // Every surviving record is unchanged and at its original offset.
  for (auto& [o, rec] : after) {
    ASSERT_TRUE(before.contains(o));
    EXPECT_EQ(before[o].key, rec.key);
    EXPECT_EQ(before[o].value, rec.value);
  }
  // For each key, the newest value survives.
  std::map<std::string, std::pair<int64_t, test_record>> newest;
  for (auto& [o, rec] : before) newest[*rec.key] = {o, rec};
  for (auto& [key, pr] : newest) {
    ASSERT_TRUE(after.contains(pr.first)) << key;
  }
  // And the older values are really gone.
  EXPECT_EQ(stale_survivors(after), std::vector<int64_t>{});
  // Appends and reads continue; the log reopens with the compacted segments.
  ASSERT_TRUE(log->append(testing::make_batch({{"k2", "later", ts}}), 0));
  ASSERT_TRUE(log->close());
  auto end = log->log_end_offset();
  log.reset();
  auto again = open(-1);
  EXPECT_EQ(again->log_end_offset(), end);
  auto reopened = contents(*again);
  EXPECT_EQ(reopened.size(), after.size() + 1);

  // Later, the tombstone for k0 is past delete.retention.ms: k0 disappears
  // once the tombstone's segment is sealed.
  log_config c = again->config();
  c.segment_ms = 1;
  again->update_config(c);
  ASSERT_TRUE(again->roll_if_due(ts + 1'000'000'000));
  ASSERT_TRUE(again->compact(ts + 1'000'000));
  for (auto& [o, rec] : contents(*again)) EXPECT_NE(rec.key, std::optional<std::string>("k0"));
}

TEST_F(cleaner, more_keys_than_the_dedupe_buffer_are_cleaned_in_passes) {
  cfg.segment_bytes = 4096;
  auto log = open();
  // 1,500 distinct keys written three times: far more than a 16 KiB buffer holds.
  constexpr int keys = 1500;
  for (int round = 0; round < 3; ++round)
    for (int k = 0; k < keys; ++k)
      ASSERT_TRUE(log->append(testing::make_batch({{label("key-", k), label("v", round), 10}}), 0));
  ASSERT_TRUE(log->append(testing::make_batch({{"z", "filler", 10}}), 0));
  auto before = contents(*log);
  constexpr int64_t buffer = 16 << 10;
  auto removed = log->compact(1000, buffer);
  ASSERT_TRUE(removed) << removed.err().describe();
  auto stats = log->last_compaction();
  std::printf("dedupe buffer %lld bytes: %d passes, peak key map %lld bytes, %zu -> %zu records\n",
              static_cast<long long>(buffer), stats.passes, static_cast<long long>(stats.peak_map_bytes),
              before.size(), contents(*log).size());
  EXPECT_LE(stats.peak_map_bytes, buffer) << "the key map outgrew log.cleaner.dedupe.buffer.size";
  EXPECT_GT(stats.passes, 1);
  auto after = contents(*log);
  // Newest value of every key kept, at its offset; older ones gone.
  std::map<std::string, int64_t> newest;
  for (auto& [o, rec] : before) newest[*rec.key] = o;
  for (auto& [key, o] : newest) {
    ASSERT_TRUE(after.contains(o)) << key;
    EXPECT_EQ(after.at(o).value, before.at(o).value) << key;
  }
  EXPECT_EQ(stale_survivors(after), std::vector<int64_t>{});
  EXPECT_LT(after.size(), before.size() / 2);
  // Nothing left to do: a second run removes nothing.
  auto again = log->compact(1000, buffer);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
}

TEST_F(cleaner, interrupted_swap_is_completed_on_open) {
  auto log = open();
  for (int i = 0; i < 12; ++i)
    ASSERT_TRUE(log->append(testing::make_batch({{label("k", i % 3), std::to_string(i), 1}}), 0));
  ASSERT_TRUE(log->compact(100));
  auto expect = contents(*log);
  ASSERT_TRUE(log->close());
  log.reset();
  // Simulate a crash between the commit point and the final rename: the
  // compacted segment sits in a .swap next to an old-looking .log.
  auto cleaned = fs->lookup("data/c-0/00000000000000000000.log");
  ASSERT_TRUE(cleaned);
  auto swap = fs->open("data/c-0/00000000000000000000.log.swap", open_mode::create_truncate).value();
  ASSERT_TRUE(swap->append(cleaned->data));
  ASSERT_TRUE(swap->sync());
  cleaned->data.resize(cleaned->data.size() / 2);  // garbage in the .log being replaced
  ASSERT_TRUE(fs->create_dirs("data/c-0/.cleaner"));
  auto again = open(-1);
  EXPECT_FALSE(fs->exists("data/c-0/00000000000000000000.log.swap"));
  EXPECT_FALSE(fs->exists("data/c-0/.cleaner"));
  EXPECT_EQ(contents(*again).size(), expect.size());
}

}  // namespace
}  // namespace samsa::storage
