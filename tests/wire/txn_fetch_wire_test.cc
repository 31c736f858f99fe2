// read_committed over the wire against a real `samsa serve` process: Fetch
// with isolation_level 1 stops at the last stable offset and lists the
// aborted transactions of what it returns, ListOffsets latest answers the
// LSO under read_committed, DescribeProducers shows the open transaction's
// start, and a read_committed fetch parked at the LSO wakes when EndTxn's
// marker moves it (and not with data past the LSO before that).
//
// Most tests drive a real transaction: InitProducerId with a transactional
// id, AddPartitionsToTxn, a transactional Produce, EndTxn. So they need the
// transaction coordinator (InitProducerId with a transactional id, and
// Produce accepting transactional batches of a partition in the
// transaction); without it the first step fails with a message saying so.
// The last one needs no coordinator: a TxnOffsetCommit writes a
// transactional batch to __consumer_offsets, whose LSO it must hold back.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <iostream>
#include <map>
#include <thread>

#include "broker_process.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "record/batch_builder.h"
#include "record/split.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::api_key;

// Versions whose semantics the test relies on: transactions v1 (explicit
// AddPartitionsToTxn, no per-transaction epoch bump at EndTxn).
constexpr int16_t init_version = 4;
constexpr int16_t add_partitions_version = 3;
constexpr int16_t end_txn_version = 3;
constexpr int16_t produce_version = 9;
constexpr int16_t fetch_version = 12;
constexpr int16_t list_offsets_version = 5;

using values = std::vector<std::pair<int64_t, std::string>>;

// Data records only (control batches are the consumer's to drop; so are a
// listed aborted transaction's records, which this test checks apart).
values data_in(const std::optional<protocol::records>& records) {
  values out;
  if (!records) throw std::runtime_error("records is null");
  auto batches = record::split_batches(records->bytes(), record::split_mode::lenient);
  if (!batches.ok()) throw std::runtime_error("fetched records do not split: " + batches.err().describe());
  for (const auto& batch : batches.value()) {
    if (batch.header.is_control()) continue;
    auto decoded = record::decode_records(batch.bytes);
    if (!decoded.ok()) throw std::runtime_error("fetched batch does not decode: " + decoded.err().describe());
    for (const auto& r : decoded.value())
      out.emplace_back(r.offset, r.value ? std::string(r.value->begin(), r.value->end()) : "<null>");
  }
  return out;
}

std::vector<uint8_t> txn_batch(const std::vector<std::string>& vals, int64_t pid, int16_t epoch, int32_t seq) {
  record::batch_options o;
  o.producer_id = pid;
  o.producer_epoch = epoch;
  o.base_sequence = seq;
  o.transactional = true;
  record::batch_builder b(o);
  for (size_t i = 0; i < vals.size(); ++i) {
    std::vector<uint8_t> v(vals[i].begin(), vals[i].end());
    if (!b.append(base_timestamp + static_cast<int64_t>(i), std::nullopt, std::span<const uint8_t>(v)).ok())
      throw std::runtime_error("batch_builder failed");
  }
  auto built = b.build();
  if (!built.ok()) throw std::runtime_error("batch_builder: " + built.err().describe());
  return std::move(built).value();
}

class TxnFetchWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    ASSERT_EQ(create_topic(*client_, topic_, 1), 0);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  // InitProducerId + AddPartitionsToTxn for partition 0.
  void begin(wire_client& c, const std::string& txn_id) {
    protocol::init_producer_id_request_data init;
    init.transactional_id = txn_id;
    init.transaction_timeout_ms = 60000;
    auto ir = c.call<protocol::init_producer_id_response_data>(init, init_version);
    ASSERT_EQ(ir.error_code, 0) << "InitProducerId with a transactional id failed (error " << ir.error_code
                                << "): this test needs the transaction coordinator";
    pid_ = ir.producer_id;
    epoch_ = ir.producer_epoch;
    protocol::add_partitions_to_txn_request_data add;
    add.v3_and_below_transactional_id = txn_id;
    add.v3_and_below_producer_id = pid_;
    add.v3_and_below_producer_epoch = epoch_;
    add.v3_and_below_topics.push_back({topic_, {0}});
    auto ar = c.call<protocol::add_partitions_to_txn_response_data>(add, add_partitions_version);
    ASSERT_EQ(ar.results_by_topic_v3_and_below.size(), 1u);
    ASSERT_EQ(ar.results_by_topic_v3_and_below[0].results_by_partition.at(0).partition_error_code, 0);
  }
  void end(wire_client& c, const std::string& txn_id, bool commit) {
    protocol::end_txn_request_data req;
    req.transactional_id = txn_id;
    req.producer_id = pid_;
    req.producer_epoch = epoch_;
    req.committed = commit;
    ASSERT_EQ(c.call<protocol::end_txn_response_data>(req, end_txn_version).error_code, 0);
  }

  protocol::fetch_response_data::fetchable_topic_response::partition_data fetch(wire_client& c, int8_t isolation,
                                                                                int64_t offset,
                                                                                int32_t max_wait_ms = 0) {
    protocol::fetch_request_data req;
    req.replica_id = -1;
    req.max_wait_ms = max_wait_ms;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    req.isolation_level = isolation;
    req.session_id = 0;
    req.session_epoch = -1;
    req.topics.push_back({});
    req.topics[0].topic = topic_;
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].partition = 0;
    req.topics[0].partitions[0].fetch_offset = offset;
    req.topics[0].partitions[0].partition_max_bytes = 1 << 20;
    return c.call<protocol::fetch_response_data>(req, fetch_version).responses.at(0).partitions.at(0);
  }

  int64_t latest(int8_t isolation, int64_t timestamp = -1) {
    protocol::list_offsets_request_data req;
    req.replica_id = -1;
    req.isolation_level = isolation;
    req.topics.push_back({});
    req.topics[0].name = topic_;
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].partition_index = 0;
    req.topics[0].partitions[0].timestamp = timestamp;
    return client_->call<protocol::list_offsets_response_data>(req, list_offsets_version)
        .topics.at(0)
        .partitions.at(0)
        .offset;
  }

  int64_t txn_start_in_describe() {
    protocol::describe_producers_request_data req;
    req.topics.push_back({});
    req.topics[0].name = topic_;
    req.topics[0].partition_indexes = {0};
    auto resp = client_->call<protocol::describe_producers_response_data>(req, 0);
    for (const auto& p : resp.topics.at(0).partitions.at(0).active_producers)
      if (p.producer_id == pid_) return p.current_txn_start_offset;
    return -2;  // not listed
  }

  void produce_plain(const std::string& value) {
    ASSERT_EQ(produce_batch(*client_, produce_version, topic_, 0, batch_of({value}, 0)).error_code, 0);
  }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
  std::string topic_ = "txn-fetch";
  int64_t pid_ = -1;
  int16_t epoch_ = -1;
};

TEST_F(TxnFetchWire, ReadCommittedStopsAtTheLsoAndWakesWhenAnAbortMovesIt) {
  produce_plain("before");  // 0
  wire_client producer(broker_.port(), "txn-producer");
  ASSERT_NO_FATAL_FAILURE(begin(producer, "tx-abort"));
  auto sent = produce_batch(producer, produce_version, topic_, 0, txn_batch({"t1", "t2"}, pid_, epoch_, 0));
  ASSERT_EQ(sent.error_code, 0) << "transactional produce refused: needs the transaction coordinator";
  ASSERT_EQ(sent.base_offset, 1);  // 1, 2
  produce_plain("after");  // 3

  auto committed = fetch(*client_, 1, 0);
  EXPECT_EQ(committed.error_code, 0);
  EXPECT_EQ(committed.high_watermark, 4);
  EXPECT_EQ(committed.last_stable_offset, 1);
  EXPECT_EQ(data_in(committed.records), (values{{0, "before"}}));
  ASSERT_TRUE(committed.aborted_transactions.has_value());
  EXPECT_TRUE(committed.aborted_transactions->empty());
  auto uncommitted = fetch(*client_, 0, 0);
  EXPECT_EQ(uncommitted.last_stable_offset, 1);
  EXPECT_EQ(data_in(uncommitted.records), (values{{0, "before"}, {1, "t1"}, {2, "t2"}, {3, "after"}}));
  EXPECT_EQ(latest(1), 1);
  EXPECT_EQ(latest(0), 4);
  // By time: "t2" (timestamp base + 1) is the first match, past the LSO.
  EXPECT_EQ(latest(0, base_timestamp + 1), 2);
  EXPECT_EQ(latest(1, base_timestamp + 1), -1);
  EXPECT_EQ(txn_start_in_describe(), 1);

  // Parked at the LSO: an append past it must not answer the fetch.
  wire_client consumer(broker_.port(), "rc-consumer");
  auto parked_at = std::chrono::steady_clock::now();
  auto waiting = std::async(std::launch::async, [&] { return fetch(consumer, 1, 1, 25000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  produce_plain("past-the-lso");  // 4
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout)
      << "a read_committed fetch answered before the LSO moved";
  ASSERT_NO_FATAL_FAILURE(end(producer, "tx-abort", false));  // marker at 5
  auto woken = waiting.get();
  EXPECT_LT(std::chrono::steady_clock::now() - parked_at, std::chrono::seconds(10))
      << "the parked read_committed fetch was not woken by the marker";
  EXPECT_EQ(woken.last_stable_offset, 6);
  ASSERT_TRUE(woken.aborted_transactions.has_value());
  ASSERT_EQ(woken.aborted_transactions->size(), 1u);
  EXPECT_EQ((*woken.aborted_transactions)[0].producer_id, pid_);
  EXPECT_EQ((*woken.aborted_transactions)[0].first_offset, 1);
  // The records come (the consumer drops the aborted ones by the list above).
  EXPECT_EQ(data_in(woken.records), (values{{1, "t1"}, {2, "t2"}, {3, "after"}, {4, "past-the-lso"}}));
  EXPECT_EQ(latest(1), 6);
  EXPECT_EQ(txn_start_in_describe(), -1);
  // From inside the transaction's range (its marker is at 5) it is listed;
  // from past its marker it is not.
  auto inside = fetch(*client_, 1, 3);
  ASSERT_TRUE(inside.aborted_transactions.has_value());
  EXPECT_EQ(inside.aborted_transactions->size(), 1u);
  produce_plain("later");  // 6
  auto past = fetch(*client_, 1, 6);
  EXPECT_EQ(data_in(past.records), (values{{6, "later"}}));
  ASSERT_TRUE(past.aborted_transactions.has_value());
  EXPECT_TRUE(past.aborted_transactions->empty());
}

TEST_F(TxnFetchWire, CommittedTransactionIsReadWithNoAbortedList) {
  wire_client producer(broker_.port(), "txn-producer");
  ASSERT_NO_FATAL_FAILURE(begin(producer, "tx-commit"));
  ASSERT_EQ(produce_batch(producer, produce_version, topic_, 0, txn_batch({"c1"}, pid_, epoch_, 0)).error_code, 0);
  EXPECT_EQ(fetch(*client_, 1, 0).last_stable_offset, 0);
  ASSERT_NO_FATAL_FAILURE(end(producer, "tx-commit", true));  // marker at 1
  auto got = fetch(*client_, 1, 0);
  EXPECT_EQ(got.last_stable_offset, 2);
  EXPECT_EQ(data_in(got.records), (values{{0, "c1"}}));
  ASSERT_TRUE(got.aborted_transactions.has_value());
  EXPECT_TRUE(got.aborted_transactions->empty());
}

// The transaction state of the partition survives a SIGKILL of the broker:
// an open transaction still holds the LSO back after the restart.
TEST_F(TxnFetchWire, OpenTransactionStillHoldsTheLsoAfterSigkill) {
  produce_plain("before");
  wire_client producer(broker_.port(), "txn-producer");
  ASSERT_NO_FATAL_FAILURE(begin(producer, "tx-crash"));
  ASSERT_EQ(produce_batch(producer, produce_version, topic_, 0, txn_batch({"open"}, pid_, epoch_, 0), -1).error_code,
            0);
  broker_.kill_hard();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  auto got = fetch(*client_, 1, 0);
  EXPECT_EQ(got.high_watermark, 2);
  EXPECT_EQ(got.last_stable_offset, 1);
  EXPECT_EQ(data_in(got.records), (values{{0, "before"}}));
}

// A pending transactional offset commit is an open transaction on its
// __consumer_offsets partition: that partition's LSO stops at it (ListOffsets,
// Fetch read_committed), DescribeProducers shows where it started, and all of
// it survives a SIGKILL (replayed from the log and the producer snapshots).
TEST_F(TxnFetchWire, PendingTxnOffsetCommitHoldsItsOffsetsPartitionsLso) {
  const std::string group = "lso-group";
  // With the coordinator: a real producer in a transaction with the group;
  // without: a made-up id (TxnOffsetCommit verifies nothing then).
  int64_t pid = 8'000'001;
  int16_t epoch = 0;
  protocol::init_producer_id_request_data init;
  init.transactional_id = "tx-lso";
  init.transaction_timeout_ms = 60000;
  auto made = client_->call<protocol::init_producer_id_response_data>(init, 3);
  if (made.error_code == 0) {
    pid = made.producer_id;
    epoch = made.producer_epoch;
    protocol::add_offsets_to_txn_request_data add;
    add.transactional_id = "tx-lso";
    add.producer_id = pid;
    add.producer_epoch = epoch;
    add.group_id = group;
    ASSERT_EQ(client_->call<protocol::add_offsets_to_txn_response_data>(add, 3).error_code, 0);
  }
  protocol::txn_offset_commit_request_data commit;
  commit.transactional_id = "tx-lso";
  commit.group_id = group;
  commit.producer_id = pid;
  commit.producer_epoch = epoch;
  auto& t = commit.topics.emplace_back();
  t.name = topic_;
  auto& part = t.partitions.emplace_back();
  part.partition_index = 0;
  part.committed_offset = 5;
  auto answer = client_->call<protocol::txn_offset_commit_response_data>(commit, 3);
  ASSERT_EQ(answer.topics.at(0).partitions.at(0).error_code, 0);

  // Which __consumer_offsets partition took it: the one whose LSO lags.
  protocol::metadata_request_data md;
  md.topics.emplace();
  md.topics->push_back({});
  md.topics->back().name = "__consumer_offsets";
  auto meta = client_->call<protocol::metadata_response_data>(md, 9);
  ASSERT_EQ(meta.topics.size(), 1u);
  const auto partitions = static_cast<int32_t>(meta.topics[0].partitions.size());
  ASSERT_GT(partitions, 0);
  auto offsets_of = [&](int8_t isolation) {
    protocol::list_offsets_request_data req;
    req.replica_id = -1;
    req.isolation_level = isolation;
    req.topics.push_back({});
    req.topics[0].name = "__consumer_offsets";
    for (int32_t p = 0; p < partitions; ++p) {
      req.topics[0].partitions.push_back({});
      req.topics[0].partitions.back().partition_index = p;
      req.topics[0].partitions.back().timestamp = -1;
    }
    std::map<int32_t, int64_t> out;
    const auto resp = client_->call<protocol::list_offsets_response_data>(req, list_offsets_version);
    for (const auto& p : resp.topics.at(0).partitions) {
      EXPECT_EQ(p.error_code, 0);
      out[p.partition_index] = p.offset;
    }
    return out;
  };
  auto check = [&](const char* when) {
    SCOPED_TRACE(when);
    auto hw = offsets_of(0);
    auto lso = offsets_of(1);
    std::vector<int32_t> held;
    for (auto [p, end] : hw)
      if (lso[p] < end) held.push_back(p);
    ASSERT_EQ(held.size(), 1u) << "exactly the group's offsets partition is held back";
    const int32_t p = held[0];
    protocol::fetch_request_data req;
    req.replica_id = -1;
    req.max_bytes = 1 << 20;
    req.isolation_level = 1;
    req.session_epoch = -1;
    req.topics.push_back({});
    req.topics[0].topic = "__consumer_offsets";
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].partition = p;
    req.topics[0].partitions[0].partition_max_bytes = 1 << 20;
    auto f = client_->call<protocol::fetch_response_data>(req, fetch_version).responses.at(0).partitions.at(0);
    EXPECT_EQ(f.error_code, 0);
    EXPECT_EQ(f.high_watermark, hw[p]);
    EXPECT_EQ(f.last_stable_offset, lso[p]);
    // Nothing at or past the LSO comes back.
    auto batches = record::split_batches(f.records->bytes(), record::split_mode::lenient);
    ASSERT_TRUE(batches.ok());
    for (const auto& b : batches.value()) EXPECT_LT(b.header.base_offset + b.header.last_offset_delta, lso[p]);
    protocol::describe_producers_request_data d;
    d.topics.push_back({});
    d.topics[0].name = "__consumer_offsets";
    d.topics[0].partition_indexes = {p};
    auto described = client_->call<protocol::describe_producers_response_data>(d, 0);
    int64_t start = -2;
    for (const auto& s : described.topics.at(0).partitions.at(0).active_producers)
      if (s.producer_id == pid) start = s.current_txn_start_offset;
    EXPECT_EQ(start, lso[p]) << "DescribeProducers: the open transaction starts at the LSO";
  };
  ASSERT_NO_FATAL_FAILURE(check("before the crash"));
  broker_.kill_hard();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  ASSERT_NO_FATAL_FAILURE(check("after a SIGKILL"));
}

}  // namespace
}  // namespace samsa::wire_test
