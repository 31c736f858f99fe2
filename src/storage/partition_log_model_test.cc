// Model-based randomized test: random appends, reads, flushes, rolls,
// retention, DeleteRecords, timestamp lookups and simulated power losses
// against a simple in-memory model of the log. Fixed seeds in CI; a longer run:
//   SAMSA_MODEL_SEEDS=200 SAMSA_MODEL_OPS=20000 storage_model_test
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>

#include "storage/batch_ops.h"
#include "storage/errc.h"
#include "storage/memory_file_system.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

int env_int(const char* name, int def) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : def;
}

struct model_batch {
  std::vector<uint8_t> bytes;
  int64_t last_offset;
  int64_t timestamp;
};

class model_run {
 public:
  explicit model_run(uint64_t seed) : rng_(seed) {
    cfg_.segment_bytes = 1500 + static_cast<int64_t>(rng_() % 3000);
    cfg_.index_interval_bytes = 100 + static_cast<int64_t>(rng_() % 400);
    cfg_.retention_ms = -1;
    reopen(INT64_MAX);
  }

  void reopen(int64_t recovery_point) {
    log_.reset();
    partition_log::options o;
    o.fs = fs_;
    o.dir = "data/model-0";
    o.topic = "model";
    o.config = cfg_;
    o.recovery_point = recovery_point;
    auto r = partition_log::open(o);
    ASSERT_TRUE(r) << r.err().describe();
    log_ = *r;
  }

  void check_offsets() {
    ASSERT_EQ(log_->log_end_offset(), end_);
    ASSERT_EQ(log_->log_start_offset(), start_);
  }

  void append() {
    int count = 1 + static_cast<int>(rng_() % 5);
    int64_t ts = 1000 + static_cast<int64_t>(rng_() % 100000);
    auto b = testing::make_filler_batch(count, 5 + rng_() % 400, ts, rng_());
    auto r = log_->append(b, 0);
    ASSERT_TRUE(r) << r.err().describe();
    ASSERT_EQ(r->base_offset, end_);
    set_base_offset(b, end_);
    set_partition_leader_epoch(b, partition_log::leader_epoch);
    batches_[end_] = {b, r->last_offset, ts};
    end_ = r->last_offset + 1;
  }

  // The model batch holding `offset`.
  const model_batch* holding(int64_t offset) const {
    auto it = batches_.upper_bound(offset);
    if (it == batches_.begin()) return nullptr;
    --it;
    return offset <= it->second.last_offset ? &it->second : nullptr;
  }

  void read() {
    int64_t offset = start_ - 2 + static_cast<int64_t>(rng_() % static_cast<uint64_t>(end_ - start_ + 5));
    auto r = log_->read_copy(offset, static_cast<int32_t>(rng_() % 3000), INT64_MAX);
    if (offset < start_ || offset > end_) {
      ASSERT_FALSE(r) << "offset " << offset << " should be out of range";
      ASSERT_TRUE(is(r.err(), errc::offset_out_of_range));
      return;
    }
    ASSERT_TRUE(r) << r.err().describe();
    if (offset == end_) {
      ASSERT_TRUE(r->bytes.empty());
      return;
    }
    const model_batch* want = holding(offset);
    ASSERT_NE(want, nullptr);
    ASSERT_GE(r->bytes.size(), want->bytes.size());
    ASSERT_TRUE(std::equal(want->bytes.begin(), want->bytes.end(), r->bytes.begin())) << "offset " << offset;
    // Everything returned is whole model batches in order.
    size_t pos = 0;
    int64_t expect_base = -1;
    while (pos < r->bytes.size()) {
      auto info = peek_batch(std::span(r->bytes).subspan(pos));
      ASSERT_TRUE(info);
      if (expect_base >= 0) {
        ASSERT_EQ(info->base_offset, expect_base);
      }
      auto it = batches_.find(info->base_offset);
      ASSERT_NE(it, batches_.end());
      ASSERT_TRUE(std::equal(it->second.bytes.begin(), it->second.bytes.end(), r->bytes.begin() + long(pos)));
      expect_base = info->last_offset() + 1;
      pos += static_cast<size_t>(info->size);
    }
    ASSERT_EQ(r->next_offset, expect_base);
  }

  void lookup_time() {
    int64_t ts = 900 + static_cast<int64_t>(rng_() % 101000);
    std::optional<int64_t> want;
    for (auto& [base, b] : batches_) {
      if (b.last_offset < start_ || b.timestamp < ts) continue;
      want = std::max(base, start_);
      break;
    }
    auto got = log_->offset_for_timestamp(ts);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->has_value(), want.has_value()) << "ts " << ts;
    if (want) {
      ASSERT_EQ((*got)->offset, *want);
    }
  }

  void delete_records() {
    int64_t to = start_ + static_cast<int64_t>(rng_() % static_cast<uint64_t>(end_ - start_ + 1));
    auto r = log_->delete_records_before(to);
    ASSERT_TRUE(r);
    start_ = std::max(start_, to);
    ASSERT_EQ(*r, start_);
    trim_model();
  }

  void retention() {
    cfg_.retention_bytes = static_cast<int64_t>(rng_() % 20000);
    log_->update_config(cfg_);
    ASSERT_TRUE(log_->enforce_retention(0));
    int64_t s = log_->log_start_offset();
    ASSERT_GE(s, start_);
    ASSERT_LE(s, end_);
    if (s > start_) {
      ASSERT_TRUE(batches_.contains(s) || s == end_) << "retention cut inside a batch";
    }
    start_ = s;
    trim_model();
    cfg_.retention_bytes = -1;
    log_->update_config(cfg_);
  }

  void trim_model() {
    while (!batches_.empty() && batches_.begin()->second.last_offset < start_) batches_.erase(batches_.begin());
  }

  void power_loss() {
    int64_t flushed = log_->flushed_offset();
    log_.reset();
    fs_->drop_unsynced();
    reopen(rng_() % 2 ? -1 : flushed);
    int64_t leo = log_->log_end_offset();
    ASSERT_GE(leo, flushed);
    ASSERT_LE(leo, end_);
    ASSERT_TRUE(leo == start_ || leo <= start_ || batches_.contains(leo) || leo == end_)
        << "recovered end " << leo << " is inside a batch";
    while (!batches_.empty() && batches_.rbegin()->first >= leo) batches_.erase(std::prev(batches_.end()));
    end_ = leo;
    start_ = std::min(start_, leo);
    if (log_->log_start_offset() != start_) {
      // All of the log below the DeleteRecords point may be gone with its segments.
      ASSERT_GE(log_->log_start_offset(), start_);
      start_ = log_->log_start_offset();
      trim_model();
    }
  }

  void step() {
    int op = static_cast<int>(rng_() % 100);
    if (op < 40) {
      append();
    } else if (op < 65) {
      read();
    } else if (op < 72) {
      lookup_time();
    } else if (op < 80) {
      ASSERT_TRUE(log_->flush());
    } else if (op < 84) {
      delete_records();
    } else if (op < 88) {
      retention();
    } else if (op < 93) {
      power_loss();
    } else if (op < 96) {
      ASSERT_TRUE(log_->close());
      reopen(INT64_MAX);
    } else {
      ASSERT_TRUE(log_->roll_if_due(INT64_MAX / 2));
    }
    check_offsets();
  }

 private:
  std::mt19937_64 rng_;
  std::shared_ptr<memory_file_system> fs_ = std::make_shared<memory_file_system>();
  log_config cfg_;
  std::shared_ptr<partition_log> log_;
  std::map<int64_t, model_batch> batches_;
  int64_t start_ = 0;
  int64_t end_ = 0;
};

TEST(partition_log_model, random_operations_match_model) {
  int seeds = env_int("SAMSA_MODEL_SEEDS", 8);
  int ops = env_int("SAMSA_MODEL_OPS", 1500);
  for (int seed = 1; seed <= seeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    model_run run(static_cast<uint64_t>(seed));
    for (int i = 0; i < ops; ++i) {
      run.step();
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace samsa::storage
