// The transaction admin APIs over the wire against a real `samsa serve`:
// DescribeTransactions (v0), ListTransactions (v0-2: state, producer-id and
// duration filters, the id pattern) and WriteTxnMarkers (v0-2, the KIP-664
// abort of a hanging transaction; v2's transaction version), driven with a hand-made transactional producer
// (InitProducerId, AddPartitionsToTxn, transactional Produce, EndTxn).
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "broker_process.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "record/batch_builder.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::api_key;
using protocol::error_code;
using protocol::to_int;

struct producer_handle {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t epoch = -1;
  int32_t next_sequence = 0;
};

class TxnAdminWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    versions_ = advertised_versions(*client_);
    ASSERT_EQ(create_topic(*client_, topic_, 2), 0);
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  int16_t max_version(api_key key) { return versions_.at(static_cast<int16_t>(key)).second; }

  producer_handle init(const std::string& transactional_id, int32_t timeout_ms = 60000) {
    protocol::init_producer_id_request_data req;
    req.transactional_id = transactional_id;
    req.transaction_timeout_ms = timeout_ms;
    req.producer_id = -1;
    req.producer_epoch = -1;
    auto resp = client_->call<protocol::init_producer_id_response_data>(req, 4);
    EXPECT_EQ(resp.error_code, 0) << "InitProducerId " << transactional_id;
    return {transactional_id, resp.producer_id, resp.producer_epoch, 0};
  }

  void add_partitions(const producer_handle& p, const std::vector<int32_t>& partitions) {
    protocol::add_partitions_to_txn_request_data req;
    req.v3_and_below_transactional_id = p.transactional_id;
    req.v3_and_below_producer_id = p.producer_id;
    req.v3_and_below_producer_epoch = p.epoch;
    auto& t = req.v3_and_below_topics.emplace_back();
    t.name = topic_;
    t.partitions = partitions;
    auto resp = client_->call<protocol::add_partitions_to_txn_response_data>(req, 3);
    for (const auto& tr : resp.results_by_topic_v3_and_below) {
      for (const auto& pr : tr.results_by_partition) {
        EXPECT_EQ(pr.partition_error_code, 0) << "AddPartitionsToTxn " << pr.partition_index;
      }
    }
  }

  // One transactional batch of `values` to `partition`; returns its base offset.
  int64_t produce_txn(producer_handle& p, int32_t partition, const std::vector<std::string>& values) {
    record::batch_options options;
    options.producer_id = p.producer_id;
    options.producer_epoch = p.epoch;
    options.base_sequence = p.next_sequence;
    options.transactional = true;
    record::batch_builder builder(options);
    for (size_t i = 0; i < values.size(); ++i) {
      std::vector<uint8_t> value(values[i].begin(), values[i].end());
      EXPECT_TRUE(builder.append(base_timestamp + static_cast<int64_t>(i), std::nullopt,
                                 std::span<const uint8_t>(value))
                      .ok());
    }
    auto built = builder.build();
    EXPECT_TRUE(built.ok());
    p.next_sequence += static_cast<int32_t>(values.size());
    protocol::produce_request_data req;
    req.transactional_id = p.transactional_id;
    req.acks = -1;
    req.timeout_ms = 10000;
    auto& t = req.topic_data.emplace_back();
    t.name = topic_;
    auto& pd = t.partition_data.emplace_back();
    pd.index = partition;
    pd.records = protocol::records::copy(built.value());
    auto resp = client_->call<protocol::produce_response_data>(req, 8);
    const auto& answer = resp.responses.at(0).partition_responses.at(0);
    EXPECT_EQ(answer.error_code, 0) << "transactional produce to partition " << partition;
    return answer.base_offset;
  }

  void end_txn(const producer_handle& p, bool commit) {
    protocol::end_txn_request_data req;
    req.transactional_id = p.transactional_id;
    req.producer_id = p.producer_id;
    req.producer_epoch = p.epoch;
    req.committed = commit;
    auto resp = client_->call<protocol::end_txn_response_data>(req, 3);
    EXPECT_EQ(resp.error_code, 0) << "EndTxn";
  }

  protocol::describe_transactions_response_data::transaction_state_entry describe(const std::string& id) {
    protocol::describe_transactions_request_data req;
    req.transactional_ids = {id};
    auto resp = client_->call<protocol::describe_transactions_response_data>(req, 0);
    EXPECT_EQ(resp.transaction_states.size(), 1u);
    return resp.transaction_states.at(0);
  }

  protocol::list_transactions_response_data list(int16_t version, std::vector<std::string> states = {},
                                                 std::vector<int64_t> producer_ids = {}, int64_t duration = -1) {
    protocol::list_transactions_request_data req;
    req.state_filters = std::move(states);
    req.producer_id_filters = std::move(producer_ids);
    req.duration_filter = duration;
    return client_->call<protocol::list_transactions_response_data>(req, version);
  }

  static std::set<std::string> ids_of(const protocol::list_transactions_response_data& resp) {
    std::set<std::string> ids;
    for (const auto& t : resp.transaction_states) ids.insert(t.transactional_id);
    return ids;
  }

  // ListOffsets latest at `isolation` (1 = read_committed: the LSO).
  int64_t latest(int32_t partition, int8_t isolation) {
    protocol::list_offsets_request_data req;
    req.replica_id = -1;
    req.isolation_level = isolation;
    auto& t = req.topics.emplace_back();
    t.name = topic_;
    auto& p = t.partitions.emplace_back();
    p.partition_index = partition;
    p.timestamp = -1;
    auto resp = client_->call<protocol::list_offsets_response_data>(req, 5);
    EXPECT_EQ(resp.topics.at(0).partitions.at(0).error_code, 0);
    return resp.topics.at(0).partitions.at(0).offset;
  }

  protocol::write_txn_markers_response_data write_marker(int16_t version, int64_t producer_id, int16_t epoch,
                                                         bool commit, const std::string& topic,
                                                         std::vector<int32_t> partitions,
                                                         int8_t transaction_version = 0) {
    protocol::write_txn_markers_request_data req;
    auto& m = req.markers.emplace_back();
    m.transaction_version = transaction_version;
    m.producer_id = producer_id;
    m.producer_epoch = epoch;
    m.transaction_result = commit;
    m.coordinator_epoch = 0;
    auto& t = m.topics.emplace_back();
    t.name = topic;
    t.partition_indexes = std::move(partitions);
    return client_->call<protocol::write_txn_markers_response_data>(req, version);
  }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
  std::map<int16_t, std::pair<int16_t, int16_t>> versions_;
  std::string topic_ = "txn-admin";
};

TEST_F(TxnAdminWire, AdvertisesTheAdminApis) {
  using range = std::pair<int16_t, int16_t>;
  EXPECT_EQ(versions_.at(static_cast<int16_t>(api_key::describe_transactions)), range(0, 0));
  EXPECT_EQ(versions_.at(static_cast<int16_t>(api_key::list_transactions)), range(0, 2));
  EXPECT_EQ(versions_.at(static_cast<int16_t>(api_key::write_txn_markers)), range(0, 2));
}

// ListTransactions v2 (KIP-1152): a pattern the whole id must match; null or
// empty lists every id; one that does not compile is INVALID_REGULAR_EXPRESSION.
TEST_F(TxnAdminWire, ListTransactionsV2FiltersByTransactionalIdPattern) {
  for (const char* id : {"pat-alpha", "pat-beta", "other-pat-gamma"}) ASSERT_GE(init(id).producer_id, 0);
  auto with_pattern = [&](std::optional<std::string> pattern, int16_t version = 2) {
    protocol::list_transactions_request_data req;
    req.duration_filter = -1;
    req.transactional_id_pattern = std::move(pattern);
    return client_->call<protocol::list_transactions_response_data>(req, version);
  };
  const std::set<std::string> all{"pat-alpha", "pat-beta", "other-pat-gamma"};
  EXPECT_EQ(ids_of(with_pattern("pat-.*")), (std::set<std::string>{"pat-alpha", "pat-beta"}));
  EXPECT_EQ(ids_of(with_pattern(".*gamma")), std::set<std::string>{"other-pat-gamma"});
  EXPECT_TRUE(ids_of(with_pattern("pat")).empty()) << "the whole id must match, not a part of it";
  EXPECT_EQ(ids_of(with_pattern(std::nullopt)), all);
  EXPECT_EQ(ids_of(with_pattern("")), all);
  auto bad = with_pattern("pat-(");
  EXPECT_EQ(bad.error_code, to_int(error_code::invalid_regular_expression));
  EXPECT_TRUE(bad.transaction_states.empty());
  // v1 has no pattern on the wire: every id.
  EXPECT_EQ(ids_of(with_pattern("pat-.*", 1)), all);
  // With the other filters: AND.
  EXPECT_TRUE(ids_of([&] {
                protocol::list_transactions_request_data req;
                req.duration_filter = -1;
                req.state_filters = {"Ongoing"};
                req.transactional_id_pattern = "pat-.*";
                return client_->call<protocol::list_transactions_response_data>(req, 2);
              }())
                  .empty());
}

TEST_F(TxnAdminWire, UnknownIdsAndStatesOnAnEmptyBroker) {
  auto unknown = describe("never-used");
  EXPECT_EQ(unknown.error_code, to_int(error_code::transactional_id_not_found));
  EXPECT_EQ(unknown.transactional_id, "never-used");
  for (int16_t v = 0; v <= max_version(api_key::list_transactions); ++v) {
    auto resp = list(v, {"Ongoing", "Sleeping"});
    EXPECT_EQ(resp.error_code, 0) << "v" << v;
    EXPECT_TRUE(resp.transaction_states.empty()) << "v" << v;
    EXPECT_EQ(resp.unknown_state_filters, std::vector<std::string>{"Sleeping"}) << "v" << v;
  }
}

TEST_F(TxnAdminWire, DescribeAndListFollowATransaction) {
  producer_handle a = init("admin-a", 45000);
  producer_handle b = init("admin-b");
  ASSERT_GE(a.producer_id, 0);
  ASSERT_NE(a.producer_id, b.producer_id);

  // Before any transaction: both ids exist and are Empty.
  auto empty = describe("admin-a");
  EXPECT_EQ(empty.error_code, 0);
  EXPECT_EQ(empty.transaction_state, "Empty");
  EXPECT_EQ(empty.transaction_timeout_ms, 45000);
  EXPECT_EQ(ids_of(list(0, {"Empty"})), (std::set<std::string>{"admin-a", "admin-b"}));

  auto before = std::chrono::system_clock::now();
  add_partitions(a, {0, 1});
  produce_txn(a, 0, {"a0"});
  produce_txn(a, 1, {"a1"});

  auto ongoing = describe("admin-a");
  EXPECT_EQ(ongoing.error_code, 0);
  EXPECT_EQ(ongoing.transaction_state, "Ongoing");
  EXPECT_EQ(ongoing.producer_id, a.producer_id);
  EXPECT_EQ(ongoing.producer_epoch, a.epoch);
  EXPECT_EQ(ongoing.transaction_timeout_ms, 45000);
  int64_t before_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(before.time_since_epoch()).count();
  EXPECT_GE(ongoing.transaction_start_time_ms, before_ms - 1000);
  ASSERT_EQ(ongoing.topics.size(), 1u);
  EXPECT_EQ(ongoing.topics[0].topic, topic_);
  EXPECT_EQ(std::set<int32_t>(ongoing.topics[0].partitions.begin(), ongoing.topics[0].partitions.end()),
            (std::set<int32_t>{0, 1}));

  // Filters: state, producer id, both (AND), duration (v1 only).
  EXPECT_EQ(ids_of(list(0, {"Ongoing"})), std::set<std::string>{"admin-a"});
  EXPECT_EQ(ids_of(list(0, {"Ongoing", "Empty"})), (std::set<std::string>{"admin-a", "admin-b"}));
  auto only_unknown = list(0, {"Sleeping"});
  EXPECT_TRUE(only_unknown.transaction_states.empty()) << "an unknown state matches nothing";
  EXPECT_EQ(only_unknown.unknown_state_filters, std::vector<std::string>{"Sleeping"});
  EXPECT_EQ(ids_of(list(0, {}, {b.producer_id})), std::set<std::string>{"admin-b"});
  EXPECT_TRUE(ids_of(list(0, {"Ongoing"}, {b.producer_id})).empty());
  EXPECT_EQ(ids_of(list(0)), (std::set<std::string>{"admin-a", "admin-b"}));
  auto listed = list(0, {"Ongoing"});
  ASSERT_EQ(listed.transaction_states.size(), 1u);
  EXPECT_EQ(listed.transaction_states[0].producer_id, a.producer_id);
  EXPECT_EQ(listed.transaction_states[0].transaction_state, "Ongoing");
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(ids_of(list(1, {}, {}, 10)), std::set<std::string>{"admin-a"});  // b never started one
  EXPECT_TRUE(ids_of(list(1, {}, {}, 3600 * 1000)).empty());
  // v0 has no duration field: the same request at v0 lists both.
  EXPECT_EQ(ids_of(list(0, {}, {}, 3600 * 1000)).size(), 2u);

  end_txn(a, true);
  // The coordinator completes the commit (markers, then CompleteCommit).
  std::string state;
  for (int i = 0; i < 100; ++i) {
    state = describe("admin-a").transaction_state;
    if (state == "CompleteCommit") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(state, "CompleteCommit");
  EXPECT_EQ(ids_of(list(0, {"CompleteCommit"})), std::set<std::string>{"admin-a"});
  EXPECT_TRUE(ids_of(list(0, {"Ongoing"})).empty());
}

TEST_F(TxnAdminWire, WriteTxnMarkersRefusesAnOlderEpoch) {
  producer_handle old = init("epoch-owner");
  producer_handle current = init("epoch-owner");  // the same id again: the epoch is bumped
  ASSERT_EQ(current.producer_id, old.producer_id);
  ASSERT_GT(current.epoch, old.epoch);
  add_partitions(current, {0});
  int64_t first = produce_txn(current, 0, {"owned"});
  for (int16_t version = 0; version <= max_version(api_key::write_txn_markers); ++version) {
    auto stale = write_marker(version, old.producer_id, old.epoch, false, topic_, {0});
    EXPECT_EQ(stale.markers.at(0).topics.at(0).partitions.at(0).error_code,
              to_int(error_code::invalid_producer_epoch))
        << "v" << version;
  }
  EXPECT_EQ(latest(0, 1), first) << "the refused markers ended nothing";
  // The coordinator's own log (created by InitProducerId) takes no markers.
  auto internal = write_marker(1, current.producer_id, current.epoch, false, "__transaction_state", {0});
  EXPECT_EQ(internal.markers.at(0).topics.at(0).partitions.at(0).error_code,
            to_int(error_code::invalid_topic_exception));
  auto fresh = write_marker(1, current.producer_id, current.epoch, false, topic_, {0});
  EXPECT_EQ(fresh.markers.at(0).topics.at(0).partitions.at(0).error_code, 0);
  EXPECT_EQ(latest(0, 1), latest(0, 0));
}

// WriteTxnMarkers v2 (KIP-1228): a marker of a transaction-version-2
// transaction must carry a newer epoch than the producer's (the coordinator
// bumps it to end every transaction), unless it retries a marker already
// written; a legacy one (0 or 1) may carry the same epoch.
TEST_F(TxnAdminWire, WriteTxnMarkersV2ChecksTheEpochByTransactionVersion) {
  auto error_of = [](const protocol::write_txn_markers_response_data& r) {
    return r.markers.at(0).topics.at(0).partitions.at(0).error_code;
  };
  const int16_t invalid_epoch = to_int(error_code::invalid_producer_epoch);
  producer_handle p = init("tv2");
  add_partitions(p, {0});
  int64_t first = produce_txn(p, 0, {"open"});
  const auto e = p.epoch;
  // The transaction's own epoch, as a TV2 marker: refused, the transaction stays open.
  EXPECT_EQ(error_of(write_marker(2, p.producer_id, e, true, topic_, {0}, 2)), invalid_epoch);
  EXPECT_EQ(latest(0, 1), first);
  // The same epoch as a legacy marker at v2, or at v1 (no transaction version): accepted.
  producer_handle q = init("tv0");
  add_partitions(q, {1});
  int64_t q_first = produce_txn(q, 1, {"legacy"});
  EXPECT_EQ(error_of(write_marker(2, q.producer_id, q.epoch, true, topic_, {1}, 0)), 0);
  EXPECT_EQ(latest(1, 1), q_first + 2) << "the marker ended the transaction";
  // The bumped epoch ends it; retrying that marker succeeds again.
  const auto bumped = static_cast<int16_t>(e + 1);
  EXPECT_EQ(error_of(write_marker(2, p.producer_id, bumped, true, topic_, {0}, 2)), 0);
  EXPECT_EQ(latest(0, 1), first + 2);
  EXPECT_EQ(error_of(write_marker(2, p.producer_id, bumped, true, topic_, {0}, 2)), 0) << "a retry";
  // An epoch older than the partition now knows: refused whatever the version.
  EXPECT_EQ(error_of(write_marker(2, p.producer_id, e, true, topic_, {0}, 2)), invalid_epoch);
  EXPECT_EQ(error_of(write_marker(2, p.producer_id, e, true, topic_, {0}, 0)), invalid_epoch);
  EXPECT_EQ(error_of(write_marker(1, p.producer_id, e, true, topic_, {0})), invalid_epoch);
  // Below v2 the field is not on the wire: a "TV2" marker at v1 is legacy.
  producer_handle r = init("tv-at-v1");
  add_partitions(r, {1});
  produce_txn(r, 1, {"v1"});
  EXPECT_EQ(error_of(write_marker(1, r.producer_id, r.epoch, false, topic_, {1}, 2)), 0);
}

// KIP-664: a transaction whose coordinator never ends it holds the LSO back;
// an ABORT marker written with WriteTxnMarkers releases it.
TEST_F(TxnAdminWire, WriteTxnMarkersAbortsAHangingTransaction) {
  for (int16_t version = 0; version <= max_version(api_key::write_txn_markers); ++version) {
    SCOPED_TRACE("WriteTxnMarkers v" + std::to_string(version));
    producer_handle p = init("hanging-" + std::to_string(version));
    add_partitions(p, {0});
    int64_t first = produce_txn(p, 0, {"x", "y"});
    int64_t end = latest(0, 0);
    EXPECT_EQ(end, first + 2);
    EXPECT_EQ(latest(0, 1), first) << "the open transaction holds the LSO at its first offset";

    auto resp = write_marker(version, p.producer_id, p.epoch, false, topic_, {0});
    ASSERT_EQ(resp.markers.size(), 1u);
    EXPECT_EQ(resp.markers[0].producer_id, p.producer_id);
    ASSERT_EQ(resp.markers[0].topics.size(), 1u);
    EXPECT_EQ(resp.markers[0].topics[0].name, topic_);
    ASSERT_EQ(resp.markers[0].topics[0].partitions.size(), 1u);
    EXPECT_EQ(resp.markers[0].topics[0].partitions[0].partition_index, 0);
    EXPECT_EQ(resp.markers[0].topics[0].partitions[0].error_code, 0);

    EXPECT_EQ(latest(0, 0), end + 1) << "the marker takes one offset";
    EXPECT_EQ(latest(0, 1), end + 1) << "no open transaction: the LSO is the high watermark";

    // read_committed Fetch reports the aborted transaction from its first offset.
    protocol::fetch_request_data fetch;
    fetch.isolation_level = 1;
    fetch.max_wait_ms = 0;
    auto& ft = fetch.topics.emplace_back();
    ft.topic = topic_;
    auto& fp = ft.partitions.emplace_back();
    fp.partition = 0;
    fp.fetch_offset = first;
    fp.partition_max_bytes = 1 << 20;
    auto fetched = client_->call<protocol::fetch_response_data>(fetch, 11);
    const auto& part = fetched.responses.at(0).partitions.at(0);
    EXPECT_EQ(part.last_stable_offset, end + 1);
    ASSERT_TRUE(part.aborted_transactions.has_value());
    bool listed = false;
    for (const auto& a : *part.aborted_transactions) {
      if (a.producer_id == p.producer_id && a.first_offset == first) listed = true;
    }
    EXPECT_TRUE(listed) << "the aborted transaction is in the read_committed answer";
  }
}

TEST_F(TxnAdminWire, WriteTxnMarkersAnswersPerPartition) {
  for (int16_t version = 0; version <= max_version(api_key::write_txn_markers); ++version) {
    SCOPED_TRACE("WriteTxnMarkers v" + std::to_string(version));
    // Several markers and partitions in one request, answered in order.
    protocol::write_txn_markers_request_data req;
    for (int64_t pid : {7001, 7002}) {
      auto& m = req.markers.emplace_back();
      m.producer_id = pid;
      m.producer_epoch = 0;
      m.transaction_result = pid == 7001;
      auto& t = m.topics.emplace_back();
      t.name = topic_;
      t.partition_indexes = {1, 5};  // partition 5 does not exist
      auto& missing = m.topics.emplace_back();
      missing.name = "no-such-topic";
      missing.partition_indexes = {0};
    }
    int64_t end_before = latest(1, 0);
    auto resp = client_->call<protocol::write_txn_markers_response_data>(req, version);
    ASSERT_EQ(resp.markers.size(), 2u);
    for (size_t m = 0; m < 2; ++m) {
      EXPECT_EQ(resp.markers[m].producer_id, req.markers[m].producer_id);
      ASSERT_EQ(resp.markers[m].topics.size(), 2u);
      const auto& t = resp.markers[m].topics[0];
      ASSERT_EQ(t.partitions.size(), 2u);
      EXPECT_EQ(t.partitions[0].partition_index, 1);
      EXPECT_EQ(t.partitions[0].error_code, 0);
      EXPECT_EQ(t.partitions[1].partition_index, 5);
      EXPECT_EQ(t.partitions[1].error_code, to_int(error_code::unknown_topic_or_partition));
      EXPECT_EQ(resp.markers[m].topics[1].name, "no-such-topic");
      EXPECT_EQ(resp.markers[m].topics[1].partitions.at(0).error_code,
                to_int(error_code::unknown_topic_or_partition));
    }
    // A marker without a transaction is still written (as Kafka does): two markers, two offsets.
    EXPECT_EQ(latest(1, 0), end_before + 2);

    auto bad = write_marker(version, -1, 0, false, topic_, {0});
    EXPECT_EQ(bad.markers.at(0).topics.at(0).partitions.at(0).error_code, to_int(error_code::invalid_request));
  }
}

}  // namespace
}  // namespace samsa::wire_test
