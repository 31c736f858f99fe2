// TxnOffsetCommit (v0-5) over the wire against a real `samsa serve`: offsets
// committed inside a transaction stay invisible to OffsetFetch, which answers
// UNSTABLE_OFFSET_COMMIT per partition under require_stable (v7+), across a
// crash too; KIP-447's member checks (v3+) and the other error paths.
// EndTxn belongs to the transaction coordinator: the COMMIT/ABORT path is
// covered by group_test (TxnOffsets.*) and broker_unit_test
// (GroupService.TransactionalOffsets...), which write real markers.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "broker_process.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;
using commit_req = protocol::txn_offset_commit_request_data;
using commit_resp = protocol::txn_offset_commit_response_data;

constexpr int16_t max_txn_commit_version = 5;

class TxnOffsetsWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    ASSERT_EQ(create_topic(*client_, topic_, 3), 0);
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  struct producer {
    std::string transactional_id;
    int64_t id = -1;
    int16_t epoch = 0;
  };

  // A transactional producer whose transaction includes `group`. Once the
  // broker serves transactional ids (InitProducerId + AddOffsetsToTxn, the
  // transaction coordinator's work) a real one; until then a made-up id no
  // idempotent producer is handed, since nothing verifies it yet.
  producer producer_for(const std::string& transactional_id, const std::string& group, int n) {
    protocol::init_producer_id_request_data init;
    init.transactional_id = transactional_id;
    init.transaction_timeout_ms = 60000;
    auto made = client_->call<protocol::init_producer_id_response_data>(init, 3);
    if (made.error_code != 0) return {transactional_id, 7'000'000 + n, 0};
    protocol::add_offsets_to_txn_request_data add;
    add.transactional_id = transactional_id;
    add.producer_id = made.producer_id;
    add.producer_epoch = made.producer_epoch;
    add.group_id = group;
    EXPECT_EQ(client_->call<protocol::add_offsets_to_txn_response_data>(add, 3).error_code, 0);
    return {transactional_id, made.producer_id, made.producer_epoch};
  }
  producer producer_for(const std::string& group, int n) { return producer_for("tx-" + group, group, n); }

  commit_req txn_commit(const std::string& group, const producer& by, const std::vector<int32_t>& partitions,
                        int64_t base, std::optional<std::string> metadata = "txn") {
    commit_req r;
    r.transactional_id = by.transactional_id;
    r.group_id = group;
    r.producer_id = by.id;
    r.producer_epoch = by.epoch;
    auto& t = r.topics.emplace_back();
    t.name = topic_;
    for (int32_t p : partitions) {
      auto& part = t.partitions.emplace_back();
      part.partition_index = p;
      part.committed_offset = base + p;
      part.committed_metadata = metadata;
    }
    return r;
  }

  // Every partition's error, in answer order.
  static std::vector<int16_t> errors_of(const commit_resp& resp) {
    std::vector<int16_t> out;
    for (const auto& t : resp.topics)
      for (const auto& p : t.partitions) out.push_back(p.error_code);
    return out;
  }

  std::vector<int16_t> commit(const commit_req& r, int16_t version) {
    return errors_of(client_->call<commit_resp>(r, version));
  }

  struct fetched {
    int32_t partition;
    int64_t offset;
    int16_t error;
    bool operator==(const fetched&) const = default;
  };
  friend std::ostream& operator<<(std::ostream& os, const fetched& f) {
    return os << "{p" << f.partition << " @" << f.offset << " err " << f.error << "}";
  }

  // OffsetFetch of partitions 0-2 of `topic_` at `version` (require_stable from v7).
  std::vector<fetched> fetch(const std::string& group, int16_t version, bool require_stable) {
    protocol::offset_fetch_request_data req;
    req.require_stable = require_stable;
    if (version >= 8) {
      auto& g = req.groups.emplace_back();
      g.group_id = group;
      g.topics = std::vector<protocol::offset_fetch_request_data::offset_fetch_request_group::offset_fetch_request_topics>{
          {.name = topic_, .partition_indexes = {0, 1, 2}}};
    } else {
      req.group_id = group;
      req.topics = std::vector<protocol::offset_fetch_request_data::offset_fetch_request_topic>{{topic_, {0, 1, 2}, {}}};
    }
    auto resp = client_->call<protocol::offset_fetch_response_data>(req, version);
    std::vector<fetched> out;
    if (version >= 8) {
      for (const auto& g : resp.groups) {
        EXPECT_EQ(g.error_code, 0);  // never group-level
        for (const auto& t : g.topics)
          for (const auto& p : t.partitions) out.push_back({p.partition_index, p.committed_offset, p.error_code});
      }
    } else {
      EXPECT_EQ(resp.error_code, 0);
      for (const auto& t : resp.topics)
        for (const auto& p : t.partitions) out.push_back({p.partition_index, p.committed_offset, p.error_code});
    }
    return out;
  }

  // A one-member consumer group formed at JoinGroup v5 (static when
  // `instance` is set); returns (member id, generation).
  std::pair<std::string, int32_t> form_group(const std::string& group, std::optional<std::string> instance) {
    protocol::join_group_request_data join;
    join.group_id = group;
    join.session_timeout_ms = 10000;
    join.rebalance_timeout_ms = 10000;
    join.protocol_type = "consumer";
    join.group_instance_id = instance;
    join.protocols.push_back({"range", consumer_subscription({topic_}), {}});
    auto joined = client_->call<protocol::join_group_response_data>(join, 5);
    if (joined.error_code == to_int(error_code::member_id_required)) {
      join.member_id = joined.member_id;
      joined = client_->call<protocol::join_group_response_data>(join, 5);
    }
    EXPECT_EQ(joined.error_code, 0);
    protocol::sync_group_request_data sync;
    sync.group_id = group;
    sync.generation_id = joined.generation_id;
    sync.member_id = joined.member_id;
    sync.group_instance_id = instance;
    sync.assignments.push_back({joined.member_id, consumer_assignment(topic_, {0, 1, 2}), {}});
    EXPECT_EQ(client_->call<protocol::sync_group_response_data>(sync, 3).error_code, 0);
    return {joined.member_id, joined.generation_id};
  }

  broker_process broker_{{{"group.initial.rebalance.delay.ms", "0"}}};
  std::unique_ptr<wire_client> client_;
  std::string topic_ = "txn-topic";
};

TEST_F(TxnOffsetsWire, AdvertisedVersions) {
  auto versions = advertised_versions(*client_);
  ASSERT_TRUE(versions.count(28));
  EXPECT_EQ(versions[28], (std::pair<int16_t, int16_t>{0, max_txn_commit_version}));
}

// At every version: accepted, invisible to OffsetFetch, and UNSTABLE_OFFSET_COMMIT
// for exactly the pending partitions when require_stable is set (v7, v8, v9).
TEST_F(TxnOffsetsWire, PendingOffsetsAreInvisibleAndUnstableAtEveryVersion) {
  const std::vector<int16_t> none2{0, 0};
  for (int16_t v = 0; v <= max_txn_commit_version; ++v) {
    SCOPED_TRACE("txn_offset_commit v" + std::to_string(v));
    const std::string group = "txn-v" + std::to_string(v);
    EXPECT_EQ(commit(txn_commit(group, producer_for(group, v), {0, 1}, 100), v), none2);
    for (int16_t fv : {1, 6, 7, 8, 9}) {
      SCOPED_TRACE("offset_fetch v" + std::to_string(fv));
      EXPECT_EQ(fetch(group, fv, false), (std::vector<fetched>{{0, -1, 0}, {1, -1, 0}, {2, -1, 0}}));
    }
    for (int16_t fv : {7, 8, 9}) {
      SCOPED_TRACE("offset_fetch require_stable v" + std::to_string(fv));
      const int16_t unstable = to_int(error_code::unstable_offset_commit);
      EXPECT_EQ(fetch(group, fv, true), (std::vector<fetched>{{0, -1, unstable}, {1, -1, unstable}, {2, -1, 0}}));
    }
  }
}

// The write is durable before the answer: after a SIGKILL the offsets are
// still pending (no marker was written), not lost and not committed.
TEST_F(TxnOffsetsWire, PendingOffsetsSurviveACrashStillPending) {
  ASSERT_EQ(commit(txn_commit("crash", producer_for("crash", 50), {1}, 10), 3), (std::vector<int16_t>{0}));
  protocol::offset_commit_request_data plain;
  plain.group_id = "crash";
  plain.generation_id_or_member_epoch = -1;
  auto& t = plain.topics.emplace_back();
  t.name = topic_;
  t.partitions.push_back({2, 77, -1, -1, std::string("plain"), {}});
  ASSERT_EQ(client_->call<protocol::offset_commit_response_data>(plain, 8).topics.at(0).partitions.at(0).error_code,
            0);
  broker_.kill_hard();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  const int16_t unstable = to_int(error_code::unstable_offset_commit);
  EXPECT_EQ(fetch("crash", 9, true), (std::vector<fetched>{{0, -1, 0}, {1, -1, unstable}, {2, 77, 0}}));
  EXPECT_EQ(fetch("crash", 9, false), (std::vector<fetched>{{0, -1, 0}, {1, -1, 0}, {2, 77, 0}}));
}

// A plain OffsetCommit to a partition with a pending transactional offset is
// accepted and visible at once (Kafka keeps whichever is later in the log
// when the transaction commits); the partition stays unstable meanwhile.
TEST_F(TxnOffsetsWire, PlainCommitBesidePendingOffsetsIsAccepted) {
  ASSERT_EQ(commit(txn_commit("mixed", producer_for("mixed", 60), {0}, 10), 4), (std::vector<int16_t>{0}));
  protocol::offset_commit_request_data plain;
  plain.group_id = "mixed";
  plain.generation_id_or_member_epoch = -1;
  auto& t = plain.topics.emplace_back();
  t.name = topic_;
  t.partitions.push_back({0, 55, -1, -1, std::string(""), {}});
  ASSERT_EQ(client_->call<protocol::offset_commit_response_data>(plain, 8).topics.at(0).partitions.at(0).error_code,
            0);
  EXPECT_EQ(fetch("mixed", 7, false).at(0), (fetched{0, 55, 0}));
  EXPECT_EQ(fetch("mixed", 7, true).at(0), (fetched{0, -1, to_int(error_code::unstable_offset_commit)}));
}

TEST_F(TxnOffsetsWire, ErrorPathsAtEveryVersion) {
  for (int16_t v = 0; v <= max_txn_commit_version; ++v) {
    SCOPED_TRACE("txn_offset_commit v" + std::to_string(v));
    const std::string group = "errors-v" + std::to_string(v);
    const auto by = producer_for(group, 100 + v);
    // Unknown topic and unknown partition, beside a good partition.
    auto r = txn_commit(group, by, {0, 7}, 1);
    auto& ghost = r.topics.emplace_back();
    ghost.name = "no-such-topic";
    ghost.partitions.push_back({0, 5, -1, std::nullopt, {}});
    const int16_t unknown = to_int(error_code::unknown_topic_or_partition);
    EXPECT_EQ(commit(r, v), (std::vector<int16_t>{0, unknown, unknown}));
    // An empty group id is invalid for TxnOffsetCommit (unlike OffsetCommit).
    EXPECT_EQ(commit(txn_commit("", by, {0}, 1), v),
              (std::vector<int16_t>{to_int(error_code::invalid_group_id)}));
    // Metadata past offset.metadata.max.bytes (4096), per partition; null is fine.
    auto big = txn_commit(group, by, {1}, 1, std::string(4097, 'x'));
    EXPECT_EQ(commit(big, v), (std::vector<int16_t>{to_int(error_code::offset_metadata_too_large)}));
    EXPECT_EQ(commit(txn_commit(group, by, {2}, 1, std::nullopt), v), (std::vector<int16_t>{0}));
  }
}

// KIP-447: v3+ carry the consumer's group metadata, checked like OffsetCommit's.
TEST_F(TxnOffsetsWire, MemberChecksFromVersion3) {
  auto [member, generation] = form_group("eos", std::nullopt);
  for (int16_t v = 0; v <= max_txn_commit_version; ++v) {
    SCOPED_TRACE("txn_offset_commit v" + std::to_string(v));
    auto r = txn_commit("eos", producer_for("tx-eos-" + std::to_string(v), "eos", 200 + v), {0}, 1);
    // Without group metadata (all that v0-2 can send) a Stable group accepts it.
    EXPECT_EQ(commit(r, v), (std::vector<int16_t>{0}));
    if (v < 3) continue;
    r.member_id = member;
    r.generation_id = generation;
    EXPECT_EQ(commit(r, v), (std::vector<int16_t>{0}));
    r.generation_id = generation + 1;
    EXPECT_EQ(commit(r, v), (std::vector<int16_t>{to_int(error_code::illegal_generation)}));
    r.generation_id = generation;
    r.member_id = "someone-else";
    EXPECT_EQ(commit(r, v), (std::vector<int16_t>{to_int(error_code::unknown_member_id)}));
    // A generation for a group that does not exist is stale.
    const std::string missing = "no-such-group-" + std::to_string(v);
    auto gone = txn_commit(missing, producer_for(missing, 250 + v), {0}, 1);
    gone.member_id = member;
    gone.generation_id = 1;
    EXPECT_EQ(commit(gone, v), (std::vector<int16_t>{to_int(error_code::illegal_generation)}));
  }
}

TEST_F(TxnOffsetsWire, FencedStaticInstanceFromVersion3) {
  auto [old_member, generation] = form_group("static", std::string("instance-1"));
  auto r = txn_commit("static", producer_for("static", 300), {0}, 1);
  r.member_id = old_member;
  r.generation_id = generation;
  r.group_instance_id = "instance-1";
  EXPECT_EQ(commit(r, 3), (std::vector<int16_t>{0}));
  // The instance restarts and rejoins: its old member id is fenced.
  auto [new_member, new_generation] = form_group("static", std::string("instance-1"));
  ASSERT_NE(new_member, old_member);
  for (int16_t v = 3; v <= max_txn_commit_version; ++v) {
    SCOPED_TRACE("txn_offset_commit v" + std::to_string(v));
    r.generation_id = new_generation;
    EXPECT_EQ(commit(r, v), (std::vector<int16_t>{to_int(error_code::fenced_instance_id)}));
    auto unknown = r;
    unknown.group_instance_id = "instance-unknown";
    EXPECT_EQ(commit(unknown, v), (std::vector<int16_t>{to_int(error_code::unknown_member_id)}));
  }
}

}  // namespace
}  // namespace samsa::wire_test
