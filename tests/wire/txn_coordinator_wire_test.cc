// The transaction coordinator over the wire against a real `samsa serve`:
// InitProducerId with a transactional id, AddPartitionsToTxn (v0-3 client
// form, v4-5 batched form), AddOffsetsToTxn and EndTxn at every advertised
// version with their error paths; the produce-side check of transactional
// batches (and Produce v12's implicit add); the transaction.version feature;
// abandoned transactions aborted on timeout; state that survives SIGKILL;
// and a crash at each completion step finished after the restart.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "broker_process.h"
#include "group/offsets_codec.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "record/batch_builder.h"
#include "record/control_record.h"
#include "record/split.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::api_key;
using protocol::error_code;
using protocol::to_int;

struct producer {
  int64_t id = -1;
  int16_t epoch = -1;
};

class TxnCoordinatorWire : public ::testing::Test {
 protected:
  explicit TxnCoordinatorWire(std::map<std::string, std::string> settings = {{"transaction.max.timeout.ms", "60000"}})
      : broker_(std::move(settings)) {}

  void SetUp() override {
    broker_.start();
    connect();
    ASSERT_EQ(create_topic(*client_, topic_, 2), 0);
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  void connect() {
    client_ = std::make_unique<wire_client>(broker_.port());
    versions_ = advertised_versions(*client_);
  }

  std::pair<int16_t, int16_t> range(api_key key) { return versions_.at(static_cast<int16_t>(key)); }
  int16_t max_version(api_key key) { return range(key).second; }

  protocol::init_producer_id_response_data init_raw(int16_t version, const std::string& id, int32_t timeout = 30000,
                                                    producer expected = {}) {
    protocol::init_producer_id_request_data req;
    req.transactional_id = id;
    req.transaction_timeout_ms = timeout;
    req.producer_id = expected.id;
    req.producer_epoch = expected.epoch;
    return client_->call<protocol::init_producer_id_response_data>(req, version);
  }

  // InitProducerId, retried while the previous producer's transaction is aborted.
  producer init(const std::string& id, int32_t timeout = 30000, int16_t version = -1) {
    if (version < 0) version = max_version(api_key::init_producer_id);
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto r = init_raw(version, id, timeout);
      if (r.error_code == to_int(error_code::concurrent_transactions)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      EXPECT_EQ(r.error_code, 0) << "InitProducerId '" << id << "'";
      return {r.producer_id, r.producer_epoch};
    }
    ADD_FAILURE() << "InitProducerId kept answering CONCURRENT_TRANSACTIONS";
    return {};
  }

  // AddPartitionsToTxn v0-3: partition -> error code.
  std::map<std::pair<std::string, int32_t>, int16_t> add_partitions(
      int16_t version, const std::string& id, producer p, const std::map<std::string, std::vector<int32_t>>& parts) {
    protocol::add_partitions_to_txn_request_data req;
    req.v3_and_below_transactional_id = id;
    req.v3_and_below_producer_id = p.id;
    req.v3_and_below_producer_epoch = p.epoch;
    for (const auto& [topic, ps] : parts) {
      auto& t = req.v3_and_below_topics.emplace_back();
      t.name = topic;
      t.partitions = ps;
    }
    auto resp = client_->call<protocol::add_partitions_to_txn_response_data>(req, version);
    std::map<std::pair<std::string, int32_t>, int16_t> out;
    for (const auto& t : resp.results_by_topic_v3_and_below) {
      for (const auto& r : t.results_by_partition) out[{t.name, r.partition_index}] = r.partition_error_code;
    }
    return out;
  }
  int16_t add_one(int16_t version, const std::string& id, producer p, int32_t partition) {
    auto r = add_partitions(version, id, p, {{topic_, {partition}}});
    return r.size() == 1 ? r.begin()->second : int16_t{-999};
  }

  int16_t add_offsets(int16_t version, const std::string& id, producer p, const std::string& group) {
    protocol::add_offsets_to_txn_request_data req;
    req.transactional_id = id;
    req.producer_id = p.id;
    req.producer_epoch = p.epoch;
    req.group_id = group;
    return client_->call<protocol::add_offsets_to_txn_response_data>(req, version).error_code;
  }

  protocol::end_txn_response_data end_raw(int16_t version, const std::string& id, producer p, bool commit) {
    protocol::end_txn_request_data req;
    req.transactional_id = id;
    req.producer_id = p.id;
    req.producer_epoch = p.epoch;
    req.committed = commit;
    return client_->call<protocol::end_txn_response_data>(req, version);
  }
  int16_t end(int16_t version, const std::string& id, producer p, bool commit) {
    return end_raw(version, id, p, commit).error_code;
  }

  std::vector<uint8_t> txn_batch(producer p, int32_t sequence, const std::vector<std::string>& values) {
    record::batch_options options;
    options.producer_id = p.id;
    options.producer_epoch = p.epoch;
    options.base_sequence = sequence;
    options.transactional = true;
    record::batch_builder builder(options);
    for (const auto& v : values) {
      std::vector<uint8_t> bytes(v.begin(), v.end());
      EXPECT_TRUE(builder.append(base_timestamp, std::nullopt, std::span<const uint8_t>(bytes)).ok());
    }
    return std::move(builder.build()).value();
  }

  auto produce_txn(int16_t version, int32_t partition, producer p, int32_t sequence,
                   const std::vector<std::string>& values, const std::string& topic = "") {
    return produce_batch(*client_, version, topic.empty() ? topic_ : topic, partition, txn_batch(p, sequence, values));
  }

  int64_t high_watermark(const std::string& topic, int32_t partition) {
    protocol::list_offsets_request_data req;
    req.replica_id = -1;
    req.topics.push_back({});
    req.topics[0].name = topic;
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].partition_index = partition;
    req.topics[0].partitions[0].timestamp = -1;
    return client_->call<protocol::list_offsets_response_data>(req, 5).topics.at(0).partitions.at(0).offset;
  }

  // The control records (COMMIT = 1, ABORT = 0) in a partition, in order, with their producer epochs.
  std::vector<std::pair<int16_t, int16_t>> markers(const std::string& topic, int32_t partition) {
    protocol::fetch_request_data req;
    req.replica_id = -1;
    req.max_wait_ms = 0;
    req.min_bytes = 1;
    req.max_bytes = 8 << 20;
    req.isolation_level = 0;
    req.topics.push_back({});
    req.topics[0].topic = topic;
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].partition = partition;
    req.topics[0].partitions[0].fetch_offset = 0;
    req.topics[0].partitions[0].partition_max_bytes = 8 << 20;
    auto resp = client_->call<protocol::fetch_response_data>(req, 4);
    std::vector<std::pair<int16_t, int16_t>> out;
    const auto& records = resp.responses.at(0).partitions.at(0).records;
    if (!records) return out;
    auto bytes = records->bytes();
    std::vector<uint8_t> copy(bytes.begin(), bytes.end());
    auto batches = record::split_batches(copy, record::split_mode::lenient);
    EXPECT_TRUE(batches.ok());
    for (const auto& b : *batches) {
      if (!b.header.is_control()) continue;
      auto recs = record::decode_records(b.bytes);
      EXPECT_TRUE(recs.ok());
      auto key = record::decode_control_key(*recs->at(0).key);
      out.emplace_back(key->type, b.header.producer_epoch);
    }
    return out;
  }

  // Markers are written after EndTxn is answered: wait (at most 3 s) for them.
  void wait_for_markers(const std::string& topic, int32_t partition) {
    for (int i = 0; i < 300 && markers(topic, partition).empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
  std::map<int16_t, std::pair<int16_t, int16_t>> versions_;
  std::string topic_ = "txn-data";
};

constexpr int16_t commit_marker = 1;
constexpr int16_t abort_marker = 0;

TEST_F(TxnCoordinatorWire, AdvertisesEveryTransactionalApiAndTheTransactionVersionFeature) {
  EXPECT_EQ(range(api_key::init_producer_id), std::make_pair(int16_t{0}, int16_t{5}));
  EXPECT_EQ(range(api_key::add_partitions_to_txn), std::make_pair(int16_t{0}, int16_t{5}));
  EXPECT_EQ(range(api_key::add_offsets_to_txn), std::make_pair(int16_t{0}, int16_t{4}));
  EXPECT_EQ(range(api_key::end_txn), std::make_pair(int16_t{0}, int16_t{5}));
  protocol::api_versions_request_data req;
  req.client_software_name = "wire";
  req.client_software_version = "1";
  // Other parts declare features too (group.version, share.version): look ours up by name.
  auto find_finalized = [](const protocol::api_versions_response_data& r) {
    for (const auto& f : r.finalized_features) {
      if (f.name == "transaction.version") return &f;
    }
    return static_cast<const protocol::api_versions_response_data::finalized_feature_key*>(nullptr);
  };
  auto find_supported = [](const protocol::api_versions_response_data& r) {
    for (const auto& f : r.supported_features) {
      if (f.name == "transaction.version") return &f;
    }
    return static_cast<const protocol::api_versions_response_data::supported_feature_key*>(nullptr);
  };
  auto resp = client_->call<protocol::api_versions_response_data>(req, 4);
  ASSERT_NE(find_finalized(resp), nullptr);
  EXPECT_EQ(find_finalized(resp)->max_version_level, 2);
  ASSERT_NE(find_supported(resp), nullptr);
  EXPECT_EQ(find_supported(resp)->min_version, 0);
  EXPECT_EQ(find_supported(resp)->max_version, 2);
  // Below v4 Kafka leaves out a supported feature whose minimum is 0
  // (KAFKA-17011); the finalized level is still listed.
  auto v3 = client_->call<protocol::api_versions_response_data>(req, 3);
  EXPECT_EQ(find_supported(v3), nullptr);
  ASSERT_NE(find_finalized(v3), nullptr);
  EXPECT_EQ(find_finalized(v3)->max_version_level, 2);
  EXPECT_GE(resp.finalized_features_epoch, 0);
}

TEST_F(TxnCoordinatorWire, TransactionStateTopicIsCreatedOnFirstUseAndProtected) {
  EXPECT_EQ(high_watermark("__transaction_state", 0), -1);  // not there before a transactional id is used
  producer p = init("protected");
  ASSERT_GE(p.id, 0);
  protocol::metadata_request_data md;
  md.topics = std::vector<protocol::metadata_request_data::metadata_request_topic>(1);
  md.topics->at(0).name = "__transaction_state";
  md.allow_auto_topic_creation = false;
  auto meta = client_->call<protocol::metadata_response_data>(md, 9);
  ASSERT_EQ(meta.topics.size(), 1u);
  EXPECT_EQ(meta.topics[0].error_code, 0);
  EXPECT_TRUE(meta.topics[0].is_internal);
  EXPECT_EQ(meta.topics[0].partitions.size(), 50u);  // transaction.state.log.num.partitions, as Kafka
  auto written = produce_batch(*client_, 9, "__transaction_state", 0, batch_of({"forged"}, 0));
  EXPECT_EQ(written.error_code, to_int(error_code::invalid_topic_exception));
  protocol::delete_topics_request_data del;
  del.topic_names = {"__transaction_state"};
  del.timeout_ms = 5000;
  auto deleted = client_->call<protocol::delete_topics_response_data>(del, 4);
  ASSERT_EQ(deleted.responses.size(), 1u);
  EXPECT_NE(deleted.responses[0].error_code, 0);
}

TEST_F(TxnCoordinatorWire, FindCoordinatorForTransactionalIds) {
  auto [min_v, max_v] = range(api_key::find_coordinator);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("find_coordinator v" + std::to_string(v));
    protocol::find_coordinator_request_data req;
    req.key_type = 1;
    if (v < 4) {
      req.key = "app";
    } else {
      req.coordinator_keys = {"app", "other"};
    }
    if (v == 0) req.key_type = 0;  // v0 has no key type (groups only)
    auto resp = client_->call<protocol::find_coordinator_response_data>(req, v);
    if (v < 4) {
      EXPECT_EQ(resp.error_code, 0);
      EXPECT_EQ(resp.port, broker_.port());
    } else {
      ASSERT_EQ(resp.coordinators.size(), 2u);
      for (const auto& c : resp.coordinators) {
        EXPECT_EQ(c.error_code, 0);
        EXPECT_EQ(c.port, broker_.port());
      }
    }
  }
}

TEST_F(TxnCoordinatorWire, InitProducerIdAtEveryVersion) {
  auto [min_v, max_v] = range(api_key::init_producer_id);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("init_producer_id v" + std::to_string(v));
    std::string id = "init-v" + std::to_string(v);
    auto first = init_raw(v, id);
    ASSERT_EQ(first.error_code, 0);
    EXPECT_GE(first.producer_id, 0);
    EXPECT_EQ(first.producer_epoch, 0);
    auto second = init_raw(v, id);
    EXPECT_EQ(second.error_code, 0);
    EXPECT_EQ(second.producer_id, first.producer_id);  // same id, epoch bumped
    EXPECT_EQ(second.producer_epoch, 1);
    // transaction.max.timeout.ms is 60 s here.
    EXPECT_EQ(init_raw(v, id, 60001).error_code, to_int(error_code::invalid_transaction_timeout));
    EXPECT_EQ(init_raw(v, id, 0).error_code, to_int(error_code::invalid_transaction_timeout));
    EXPECT_EQ(init_raw(v, "").error_code, to_int(error_code::invalid_request));
    if (v >= 3) {
      // KIP-360: the producer names the epoch it holds; a stale one is fenced.
      auto fenced = init_raw(v, id, 30000, {first.producer_id, 7});
      EXPECT_EQ(fenced.error_code, to_int(v >= 4 ? error_code::producer_fenced : error_code::invalid_producer_epoch));
      auto kept = init_raw(v, id, 30000, {second.producer_id, second.producer_epoch});
      EXPECT_EQ(kept.error_code, 0);
      EXPECT_EQ(kept.producer_epoch, 2);
    }
  }
}

TEST_F(TxnCoordinatorWire, AddPartitionsClientVersionsAndEndTxnEveryVersion) {
  auto [min_v, max_v] = range(api_key::end_txn);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("end_txn v" + std::to_string(v) + ", add_partitions v" + std::to_string(std::min<int>(v, 3)));
    const int16_t add_v = static_cast<int16_t>(std::min<int>(v, 3));
    const std::string id = "end-v" + std::to_string(v);
    const bool commit = v % 2 == 0;
    producer p = init(id);
    int64_t hw0 = high_watermark(topic_, 0);
    int64_t hw1 = high_watermark(topic_, 1);

    // Error paths first.
    // Nothing open (v5 may abort an empty transaction, so ask it to commit).
    EXPECT_EQ(end(v, id, p, v >= 5 || commit), to_int(error_code::invalid_txn_state));
    EXPECT_EQ(end(v, "nobody", p, commit), to_int(error_code::invalid_producer_id_mapping));
    EXPECT_EQ(add_one(add_v, "nobody", p, 0), to_int(error_code::invalid_producer_id_mapping));
    EXPECT_EQ(add_one(add_v, id, {p.id + 1000, p.epoch}, 0), to_int(error_code::invalid_producer_id_mapping));
    auto stale = producer{p.id, static_cast<int16_t>(p.epoch + 3)};
    EXPECT_EQ(add_one(add_v, id, stale, 0),
              to_int(add_v >= 2 ? error_code::producer_fenced : error_code::invalid_producer_epoch));
    auto mixed = add_partitions(add_v, id, p, {{topic_, {0}}, {"no-such-topic", {0}}});
    EXPECT_EQ((mixed[{topic_, 0}]), to_int(error_code::operation_not_attempted));
    EXPECT_EQ((mixed[{"no-such-topic", 0}]), to_int(error_code::unknown_topic_or_partition));
    EXPECT_EQ(add_one(add_v, id, p, 7), to_int(error_code::unknown_topic_or_partition));

    // Not in the transaction yet: the batch is refused.
    const int16_t produce_v = max_version(api_key::produce) >= 11 ? 11 : max_version(api_key::produce);
    EXPECT_EQ(produce_txn(10, 0, p, 0, {"early"}).error_code, to_int(error_code::invalid_txn_state));
    EXPECT_EQ(produce_txn(produce_v, 0, p, 0, {"early"}).error_code, to_int(error_code::transaction_abortable));

    auto added = add_partitions(add_v, id, p, {{topic_, {0, 1}}});
    ASSERT_EQ(added.size(), 2u);
    for (const auto& [tp, code] : added) EXPECT_EQ(code, 0);
    EXPECT_EQ(add_one(add_v, id, p, 0), 0);  // again: nothing new
    ASSERT_EQ(produce_txn(9, 0, p, 0, {"a", "b"}).error_code, 0);
    ASSERT_EQ(produce_txn(11, 1, p, 0, {"c"}).error_code, 0);
    EXPECT_EQ(produce_txn(11, 1, stale, 0, {"x"}).error_code, to_int(error_code::invalid_producer_epoch));

    EXPECT_EQ(end(v, id, stale, commit),
              to_int(v >= 2 ? error_code::producer_fenced : error_code::invalid_producer_epoch));
    auto ended = end_raw(v, id, p, commit);
    ASSERT_EQ(ended.error_code, 0);
    int16_t marker_epoch = p.epoch;
    if (v >= 5) {
      // Transactions v2: the epoch moves on with every transaction.
      EXPECT_EQ(ended.producer_id, p.id);
      EXPECT_EQ(ended.producer_epoch, p.epoch + 1);
      marker_epoch = ended.producer_epoch;
    }
    // The markers land on both partitions (wait for the completion).
    for (int i = 0; i < 200 && high_watermark(topic_, 1) < hw1 + 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(high_watermark(topic_, 0), hw0 + 3);
    EXPECT_EQ(high_watermark(topic_, 1), hw1 + 2);
    auto m0 = markers(topic_, 0);
    ASSERT_FALSE(m0.empty());
    EXPECT_EQ(m0.back().first, commit ? commit_marker : abort_marker);
    EXPECT_EQ(m0.back().second, marker_epoch);
    EXPECT_EQ(markers(topic_, 1).back().first, commit ? commit_marker : abort_marker);

    // After the end: a retry of the same end is fine (v1), the other end is not.
    if (v < 5) {
      int16_t retried = 0;
      for (int i = 0; i < 100; ++i) {
        retried = end(v, id, p, commit);
        if (retried != to_int(error_code::concurrent_transactions)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      EXPECT_EQ(retried, 0);
      EXPECT_EQ(end(v, id, p, !commit), to_int(error_code::invalid_txn_state));
      // The partition left the transaction with its end.
      EXPECT_EQ(produce_txn(10, 0, p, 2, {"late"}).error_code, to_int(error_code::invalid_txn_state));
    } else {
      auto retried = end_raw(v, id, p, commit);  // the old epoch: the answer it lost
      for (int i = 0; i < 100 && retried.error_code == to_int(error_code::concurrent_transactions); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        retried = end_raw(v, id, p, commit);
      }
      EXPECT_EQ(retried.error_code, 0);
      EXPECT_EQ(retried.producer_epoch, ended.producer_epoch);
    }
  }
}

TEST_F(TxnCoordinatorWire, BatchedAddPartitionsV4AndV5VerifyAndAdd) {
  producer p = init("batched");
  for (int16_t v = 4; v <= max_version(api_key::add_partitions_to_txn); ++v) {
    SCOPED_TRACE("add_partitions_to_txn v" + std::to_string(v));
    protocol::add_partitions_to_txn_request_data req;
    auto& t = req.transactions.emplace_back();
    t.transactional_id = "batched";
    t.producer_id = p.id;
    t.producer_epoch = p.epoch;
    t.verify_only = true;
    auto& topic = t.topics.emplace_back();
    topic.name = topic_;
    topic.partitions = {v == 4 ? 0 : 1};
    auto verified = client_->call<protocol::add_partitions_to_txn_response_data>(req, v);
    EXPECT_EQ(verified.error_code, 0);
    ASSERT_EQ(verified.results_by_transaction.size(), 1u);
    EXPECT_EQ(verified.results_by_transaction[0].topic_results.at(0).results_by_partition.at(0).partition_error_code,
              to_int(v >= 5 ? error_code::transaction_abortable : error_code::invalid_txn_state));
    req.transactions[0].verify_only = false;
    auto added = client_->call<protocol::add_partitions_to_txn_response_data>(req, v);
    EXPECT_EQ(added.results_by_transaction[0].topic_results.at(0).results_by_partition.at(0).partition_error_code, 0);
    req.transactions[0].verify_only = true;
    auto again = client_->call<protocol::add_partitions_to_txn_response_data>(req, v);
    EXPECT_EQ(again.results_by_transaction[0].topic_results.at(0).results_by_partition.at(0).partition_error_code, 0);
  }
}

TEST_F(TxnCoordinatorWire, AddOffsetsToTxnAtEveryVersionMarksTheGroupsOffsetsPartition) {
  auto [min_v, max_v] = range(api_key::add_offsets_to_txn);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("add_offsets_to_txn v" + std::to_string(v));
    const std::string id = "offsets-v" + std::to_string(v);
    const std::string group = "group-v" + std::to_string(v);
    producer p = init(id);
    EXPECT_EQ(add_offsets(v, "nobody", p, group), to_int(error_code::invalid_producer_id_mapping));
    producer stale{p.id, static_cast<int16_t>(p.epoch + 1)};
    EXPECT_EQ(add_offsets(v, id, stale, group),
              to_int(v >= 2 ? error_code::producer_fenced : error_code::invalid_producer_epoch));
    EXPECT_EQ(add_offsets(v, id, p, ""), to_int(error_code::invalid_group_id));
    ASSERT_EQ(add_offsets(v, id, p, group), 0);
    int32_t partition = group::offsets_partition_for(group, 50);
    size_t before = markers("__consumer_offsets", partition).size();
    ASSERT_EQ(end(3, id, p, true), 0);
    // The markers are written after EndTxn is answered: wait up to 10 s (the
    // full suite runs two tests at once on a shared machine).
    std::vector<std::pair<int16_t, int16_t>> m;
    for (int i = 0; i < 1000 && m.size() <= before; ++i) {
      m = markers("__consumer_offsets", partition);
      if (m.size() <= before) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(m.size(), before + 1) << "__consumer_offsets partition " << partition;
    EXPECT_EQ(m.back().first, commit_marker);
  }
}

// TxnOffsetCommit is the group coordinator's API; what the transaction
// coordinator decides is whether the group is in the producer's transaction
// (the verifier it installs in group_service), per version.
TEST_F(TxnCoordinatorWire, TxnOffsetCommitIsVerifiedAgainstTheTransaction) {
  auto commit_offsets = [&](int16_t version, const std::string& id, producer p, const std::string& group) {
    protocol::txn_offset_commit_request_data req;
    req.transactional_id = id;
    req.group_id = group;
    req.producer_id = p.id;
    req.producer_epoch = p.epoch;
    auto& t = req.topics.emplace_back();
    t.name = topic_;
    auto& part = t.partitions.emplace_back();
    part.partition_index = 0;
    part.committed_offset = 5;
    auto resp = client_->call<protocol::txn_offset_commit_response_data>(req, version);
    return resp.topics.at(0).partitions.at(0).error_code;
  };
  for (int16_t v = 0; v <= 5; ++v) {
    SCOPED_TRACE("txn_offset_commit v" + std::to_string(v));
    const std::string id = "eos-v" + std::to_string(v);
    const std::string group = "eos-group-v" + std::to_string(v);
    producer p = init(id);
    int32_t partition = group::offsets_partition_for(group, 50);
    size_t before = high_watermark("__consumer_offsets", 0) < 0 ? 0 : markers("__consumer_offsets", partition).size();
    if (v < 5) {
      EXPECT_EQ(commit_offsets(v, id, p, group),
                to_int(v >= 4 ? error_code::transaction_abortable : error_code::invalid_txn_state));
      EXPECT_EQ(commit_offsets(v, id, {p.id, static_cast<int16_t>(p.epoch + 1)}, group),
                to_int(error_code::invalid_producer_epoch));
      ASSERT_EQ(add_offsets(3, id, p, group), 0);
    }
    // v5 (transactions v2) adds the group to the transaction itself.
    EXPECT_EQ(commit_offsets(v, id, p, group), 0);
    ASSERT_EQ(end(3, id, p, true), 0);
    // The markers are written after EndTxn is answered: wait up to 10 s (the
    // full suite runs two tests at once on a shared machine).
    std::vector<std::pair<int16_t, int16_t>> m;
    for (int i = 0; i < 1000 && m.size() <= before; ++i) {
      m = markers("__consumer_offsets", partition);
      if (m.size() <= before) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(m.size(), before + 1) << "__consumer_offsets partition " << partition;
    EXPECT_EQ(m.back().first, commit_marker);
  }
}

TEST_F(TxnCoordinatorWire, NewProducerFencesTheOldOneAndAbortsItsTransaction) {
  producer old = init("fence");
  ASSERT_EQ(add_one(3, "fence", old, 0), 0);
  ASSERT_EQ(produce_txn(11, 0, old, 0, {"doomed"}).error_code, 0);
  // The first answer is CONCURRENT_TRANSACTIONS while the old transaction aborts.
  auto first = init_raw(max_version(api_key::init_producer_id), "fence");
  EXPECT_EQ(first.error_code, to_int(error_code::concurrent_transactions));
  producer fresh = init("fence");
  EXPECT_EQ(fresh.id, old.id);
  EXPECT_EQ(fresh.epoch, old.epoch + 2);  // one bump to fence, one for the new producer
  auto m = markers(topic_, 0);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], std::make_pair(abort_marker, static_cast<int16_t>(old.epoch + 1)));
  EXPECT_EQ(end(3, "fence", old, true), to_int(error_code::producer_fenced));
  EXPECT_EQ(end(1, "fence", old, true), to_int(error_code::invalid_producer_epoch));
  EXPECT_EQ(add_one(3, "fence", old, 1), to_int(error_code::producer_fenced));
  EXPECT_EQ(produce_txn(11, 0, old, 1, {"zombie"}).error_code, to_int(error_code::invalid_producer_epoch));
}

TEST_F(TxnCoordinatorWire, ProduceV12AddsThePartitionImplicitly) {
  if (max_version(api_key::produce) < 12) GTEST_SKIP() << "Produce v12 not advertised";
  producer p = init("implicit");
  EXPECT_EQ(produce_txn(11, 1, p, 0, {"no"}).error_code, to_int(error_code::transaction_abortable));
  ASSERT_EQ(produce_txn(12, 1, p, 0, {"yes"}).error_code, 0);
  ASSERT_EQ(produce_txn(11, 1, p, 1, {"also"}).error_code, 0);  // it is in the transaction now
  auto ended = end_raw(5, "implicit", p, true);
  ASSERT_EQ(ended.error_code, 0);
  wait_for_markers(topic_, 1);
  auto m = markers(topic_, 1);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], std::make_pair(commit_marker, ended.producer_epoch));
  // A producer id no transactional id holds.
  EXPECT_EQ(produce_txn(12, 1, {p.id + 5000, 0}, 0, {"who"}).error_code, to_int(error_code::invalid_txn_state));
}

TEST_F(TxnCoordinatorWire, OngoingTransactionSurvivesSigkill) {
  producer p = init("durable");
  ASSERT_EQ(add_one(3, "durable", p, 0), 0);
  ASSERT_EQ(produce_txn(11, 0, p, 0, {"kept"}).error_code, 0);
  client_.reset();
  broker_.kill_hard();
  broker_.start();
  connect();
  ASSERT_EQ(produce_txn(11, 0, p, 1, {"more"}).error_code, 0);  // still in the transaction
  ASSERT_EQ(end(3, "durable", p, true), 0);
  wait_for_markers(topic_, 0);
  EXPECT_EQ(markers(topic_, 0), (std::vector<std::pair<int16_t, int16_t>>{{commit_marker, p.epoch}}));
  producer next = init("durable");
  EXPECT_EQ(next.id, p.id);
  EXPECT_EQ(next.epoch, p.epoch + 1);
}

TEST_F(TxnCoordinatorWire, AbandonedTransactionIsAbortedAfterItsTimeout) {
  producer p = init("abandoned", 1000);
  ASSERT_EQ(add_one(3, "abandoned", p, 0), 0);
  ASSERT_EQ(produce_txn(11, 0, p, 0, {"forgotten"}).error_code, 0);
  auto started = std::chrono::steady_clock::now();
  std::vector<std::pair<int16_t, int16_t>> m;
  while (m.empty() && std::chrono::steady_clock::now() - started < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    m = markers(topic_, 0);
  }
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], std::make_pair(abort_marker, static_cast<int16_t>(p.epoch + 1)));  // fenced, as Kafka
  EXPECT_GE(took, std::chrono::milliseconds(800));
  EXPECT_EQ(end(3, "abandoned", p, true), to_int(error_code::producer_fenced));
  EXPECT_EQ(produce_txn(11, 0, p, 1, {"late"}).error_code, to_int(error_code::invalid_producer_epoch));
}

// While the markers of an ended transaction are being written, the id
// answers CONCURRENT_TRANSACTIONS (test builds hold the markers while the
// file named by SAMSA_TEST_TXN_HOLD_MARKERS exists).
TEST_F(TxnCoordinatorWire, CompletingTransactionAnswersConcurrentTransactions) {
  const std::string hold = broker_.data_dir() + "/../hold-markers";
  client_.reset();
  broker_.stop_gracefully();
  ::setenv("SAMSA_TEST_TXN_HOLD_MARKERS", hold.c_str(), 1);
  broker_.start();
  ::unsetenv("SAMSA_TEST_TXN_HOLD_MARKERS");
  connect();
  producer p = init("busy");
  ASSERT_EQ(add_one(3, "busy", p, 0), 0);
  ASSERT_EQ(produce_txn(11, 0, p, 0, {"a"}).error_code, 0);
  { std::ofstream(hold) << "hold"; }
  ASSERT_EQ(end(3, "busy", p, true), 0);  // answered once PrepareCommit is durable
  const int16_t concurrent = to_int(error_code::concurrent_transactions);
  for (int16_t v = 0; v <= max_version(api_key::end_txn); ++v) {
    EXPECT_EQ(end(v, "busy", p, true), concurrent) << "v" << v;
  }
  EXPECT_EQ(end(3, "busy", p, false), to_int(error_code::invalid_txn_state));
  for (int16_t v = 0; v <= 3; ++v) EXPECT_EQ(add_one(v, "busy", p, 1), concurrent) << "v" << v;
  for (int16_t v = 0; v <= max_version(api_key::add_offsets_to_txn); ++v) {
    EXPECT_EQ(add_offsets(v, "busy", p, "busy-group"), concurrent) << "v" << v;
  }
  EXPECT_EQ(init_raw(max_version(api_key::init_producer_id), "busy").error_code, concurrent);
  // A producer cannot take CONCURRENT_TRANSACTIONS from Produce: NOT_ENOUGH_REPLICAS, retriable, as Kafka.
  EXPECT_EQ(produce_txn(11, 0, p, 1, {"b"}).error_code, to_int(error_code::not_enough_replicas));
  EXPECT_TRUE(markers(topic_, 0).empty());
  std::remove(hold.c_str());
  wait_for_markers(topic_, 0);
  EXPECT_EQ(markers(topic_, 0), (std::vector<std::pair<int16_t, int16_t>>{{commit_marker, p.epoch}}));
  int16_t retried = concurrent;
  for (int i = 0; i < 100 && retried == concurrent; ++i) {
    retried = end(3, "busy", p, true);
    if (retried == concurrent) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(retried, 0);
}

class TxnExpiryWire : public TxnCoordinatorWire {
 protected:
  TxnExpiryWire() : TxnCoordinatorWire({{"transactional.id.expiration.ms", "1000"}}) {}
};

TEST_F(TxnExpiryWire, IdleTransactionalIdExpires) {
  producer first = init("idle");
  producer again = init("idle");
  ASSERT_EQ(again.id, first.id);  // still known: same producer id, next epoch
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // Expired (tombstoned): the id starts afresh with a new producer id, and
  // the old producer id no longer maps to it.
  EXPECT_EQ(add_one(3, "idle", again, 0), to_int(error_code::invalid_producer_id_mapping));
  producer fresh = init("idle");
  EXPECT_NE(fresh.id, first.id);
  EXPECT_EQ(fresh.epoch, 0);
  // And the tombstone survives a restart.
  client_.reset();
  broker_.kill_hard();
  broker_.start();
  connect();
  EXPECT_EQ(add_one(3, "idle", fresh, 0), 0);
  EXPECT_EQ(end(3, "idle", fresh, false), 0);
}

// A crash between the completion steps, at SAMSA_TEST_TXN_CRASH_AT (test
// builds only): after the restart the transaction ends as it was decided.
class TxnCrashWire : public TxnCoordinatorWire,
                     public ::testing::WithParamInterface<std::pair<const char*, bool>> {};

TEST_P(TxnCrashWire, RestartFinishesTheTransaction) {
  const auto [step, commit] = GetParam();
  producer p = init("crashy");
  ASSERT_EQ(add_one(3, "crashy", p, 0), 0);
  ASSERT_EQ(add_one(3, "crashy", p, 1), 0);
  ASSERT_EQ(produce_txn(11, 0, p, 0, {"a"}).error_code, 0);
  ASSERT_EQ(produce_txn(11, 1, p, 0, {"b"}).error_code, 0);

  client_.reset();
  broker_.stop_gracefully();
  ::setenv("SAMSA_TEST_TXN_CRASH_AT", step, 1);
  broker_.start();
  ::unsetenv("SAMSA_TEST_TXN_CRASH_AT");
  connect();
  try {
    (void)end_raw(3, "crashy", p, commit);  // the answer may or may not make it out
  } catch (const std::exception&) {
  }
  // The broker kills itself at the step: it becomes a zombie we have not reaped yet.
  bool died = false;
  for (int i = 0; i < 500 && !died; ++i) {
    std::ifstream stat("/proc/" + std::to_string(broker_.pid()) + "/stat");
    std::string pid_field, name, state;
    stat >> pid_field >> name >> state;
    died = state == "Z";
    if (!died) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(died) << "the broker did not crash at " << step;
  client_.reset();
  broker_.kill_hard();  // reaps it
  broker_.start();
  connect();
  const int16_t expected = commit ? commit_marker : abort_marker;
  for (int32_t partition : {0, 1}) {
    std::vector<std::pair<int16_t, int16_t>> m;
    for (int i = 0; i < 200 && m.empty(); ++i) {
      m = markers(topic_, partition);
      if (m.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_FALSE(m.empty()) << "partition " << partition;
    for (const auto& marker : m) EXPECT_EQ(marker.first, expected) << "partition " << partition;
  }
  // Complete: the id takes a new producer epoch at once (no CONCURRENT_TRANSACTIONS left).
  auto next = init_raw(max_version(api_key::init_producer_id), "crashy");
  for (int i = 0; i < 100 && next.error_code == to_int(error_code::concurrent_transactions); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    next = init_raw(max_version(api_key::init_producer_id), "crashy");
  }
  EXPECT_EQ(next.error_code, 0);
  EXPECT_EQ(next.producer_epoch, p.epoch + 1);
  EXPECT_EQ(end(3, "crashy", p, commit), to_int(error_code::producer_fenced));
}

INSTANTIATE_TEST_SUITE_P(Steps, TxnCrashWire,
                         ::testing::Values(std::make_pair("prepare_written", true),
                                           std::make_pair("markers_written", true),
                                           std::make_pair("prepare_written", false),
                                           std::make_pair("markers_written", false)));

}  // namespace
}  // namespace samsa::wire_test
