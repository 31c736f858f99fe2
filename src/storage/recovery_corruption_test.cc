// Randomized corruption: flip bytes and truncate at random positions in the
// tail segment and in the indexes, then reopen. Recovery must always end in a
// valid log that keeps every batch before the damage, byte for byte.
#include <gtest/gtest.h>

#include <random>

#include "storage/batch_ops.h"
#include "storage/memory_file_system.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

std::shared_ptr<partition_log> open_log(std::shared_ptr<memory_file_system> fs, int64_t recovery_point) {
  partition_log::options o;
  o.fs = std::move(fs);
  o.dir = "data/damaged-0";
  o.topic = "damaged";
  o.config.segment_bytes = 3000;
  o.config.index_interval_bytes = 150;
  o.recovery_point = recovery_point;
  auto r = partition_log::open(o);
  EXPECT_TRUE(r) << r.err().describe();
  return r ? *r : nullptr;
}

TEST(recovery_corruption, random_damage_is_cut_cleanly) {
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    auto fs = std::make_shared<memory_file_system>();
    std::vector<std::pair<int64_t, std::vector<uint8_t>>> stored;  // base offset -> bytes
    {
      auto log = open_log(fs, INT64_MAX);
      for (int i = 0; i < 40; ++i) {
        auto b = testing::make_filler_batch(1 + static_cast<int>(rng() % 3), 20 + rng() % 200, 1000 + i, rng());
        auto r = log->append_in_place(b, 0);
        ASSERT_TRUE(r);
        stored.emplace_back(r->base_offset, b);
      }
      ASSERT_TRUE(log->close());
    }
    // The tail segment is the one with the highest base offset.
    std::string tail;
    auto names = fs->list_dir("data/damaged-0");
    ASSERT_TRUE(names);
    for (auto& n : *names)
      if (n.ends_with(".log") && n > tail) tail = n;
    std::string stem = "data/damaged-0/" + tail.substr(0, 20);
    int kind = static_cast<int>(rng() % 4);
    const char* suffix = kind < 2 ? ".log" : (kind == 2 ? ".index" : ".timeindex");
    auto node = fs->lookup(stem + suffix);
    ASSERT_TRUE(node);
    if (node->data.empty()) continue;
    size_t at = rng() % node->data.size();
    bool truncate = rng() % 2 == 0;
    if (truncate) {
      node->data.resize(at);
    } else {
      node->data[at] ^= static_cast<uint8_t>(1 + rng() % 255);
    }
    node->synced = node->data;
    // Log damage is found by the unclean-start scan; index damage must be
    // caught even on a clean start.
    auto log = open_log(fs, kind < 2 ? -1 : INT64_MAX);
    ASSERT_TRUE(log);
    int64_t tail_base = std::stoll(tail.substr(0, 20));
    int64_t end = log->log_end_offset();
    // Where each batch of the damaged segment ends in it: those wholly
    // before the damaged byte must survive as well.
    int64_t tail_pos = 0;
    for (auto& [base, bytes] : stored) {
      bool before_damage = base < tail_base || kind >= 2;
      if (base >= tail_base) {
        tail_pos += static_cast<int64_t>(bytes.size());
        if (tail_pos <= static_cast<int64_t>(at)) before_damage = true;
      }
      if (!before_damage) continue;
      auto r = log->read_copy(base, 1, INT64_MAX);
      ASSERT_TRUE(r) << r.err().describe();
      ASSERT_EQ(r->bytes, bytes) << "offset " << base;
    }
    // Whatever is left is whole, valid batches with increasing offsets.
    int64_t next = log->log_start_offset();
    while (next < end) {
      auto r = log->read_copy(next, 1 << 20, INT64_MAX);
      ASSERT_TRUE(r) << r.err().describe();
      ASSERT_FALSE(r->bytes.empty());
      for (size_t pos = 0; pos < r->bytes.size();) {
        auto info = peek_batch(std::span(r->bytes).subspan(pos));
        ASSERT_TRUE(info);
        ASSERT_GE(info->base_offset, next);
        ASSERT_TRUE(check_batch(std::span(r->bytes).subspan(pos, static_cast<size_t>(info->size))));
        next = info->last_offset() + 1;
        pos += static_cast<size_t>(info->size);
      }
    }
    // And it accepts appends again.
    ASSERT_TRUE(log->append(testing::make_filler_batch(1, 10, 1, 1), 0));
  }
}

}  // namespace
}  // namespace samsa::storage
