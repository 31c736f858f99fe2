// Hostile Produce requests against a real `samsa serve` process: decompression
// bombs listed many times in one request, batches smuggled after a first plain
// one, client-written control and transactional batches, and a producer that
// claims a partition leader epoch of its own.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <fstream>
#include <map>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "broker_process.h"
#include "hostile_client.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "record/batch_builder.h"
#include "record/batch_header.h"
#include "record/split.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::api_key;
using protocol::error_code;
using protocol::to_int;
using partition_answer = protocol::produce_response_data::topic_produce_response::partition_produce_response;

// One batch of `values` (timestamps near now, so CreateTime limits pass).
std::vector<uint8_t> build(record::batch_options options, const std::vector<std::string>& values) {
  record::batch_builder builder(options);
  for (size_t i = 0; i < values.size(); ++i) {
    std::vector<uint8_t> value(values[i].begin(), values[i].end());
    auto added = builder.append(base_timestamp + static_cast<int64_t>(i), std::nullopt,
                                std::span<const uint8_t>(value));
    if (!added.ok()) throw std::runtime_error(added.err().describe());
  }
  auto built = builder.build();
  if (!built.ok()) throw std::runtime_error(built.err().describe());
  return std::move(built).value();
}

// A batch of one record whose value is `inflated` zero bytes, compressed with
// `codec`: a few KB on the wire, tens of MiB once decompressed.
std::vector<uint8_t> zero_filled_batch(record::compression_type codec, size_t inflated) {
  record::batch_options options;
  options.compression = codec;
  record::batch_builder builder(options);
  std::vector<uint8_t> value(inflated, 0);
  auto added = builder.append(base_timestamp, std::nullopt, std::span<const uint8_t>(value));
  if (!added.ok()) throw std::runtime_error(added.err().describe());
  auto built = builder.build();
  if (!built.ok()) throw std::runtime_error(built.err().describe());
  return std::move(built).value();
}

// One Produce (acks=1) listing partition 0 of `topic` `times` times, each with `records`.
protocol::produce_request_data listed_produce(const std::string& topic, const std::vector<uint8_t>& records,
                                              int times = 1) {
  protocol::produce_request_data req;
  req.acks = 1;
  req.timeout_ms = 30000;
  auto& t = req.topic_data.emplace_back();
  t.name = topic;
  for (int i = 0; i < times; ++i) {
    auto& p = t.partition_data.emplace_back();
    p.index = 0;
    p.records = protocol::records::copy(records);
  }
  return req;
}

std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// CPU seconds (user + system) the process has used so far, from /proc.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // fields 3..13
  long utime = 0, stime = 0;
  fields >> utime >> stime;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

class ProduceHardeningWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    ASSERT_EQ(create_topic(*client_, topic_, 1), 0);
  }

  void TearDown() override {
    // Whatever the case sent, the broker still answers others and let go of
    // what it decompressed (the budget allows 64 MiB per request; 23-26 MB measured after the bombs).
    expect_broker_healthy(broker_.port(), broker_.pid(), 128 * 1024);
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  // One Produce (acks=1) listing partition 0 `times` times with `records`.
  std::vector<partition_answer> produce_listed(const std::vector<uint8_t>& records, int times, int16_t version = 9) {
    auto resp = client_->call<protocol::produce_response_data>(listed_produce(topic_, records, times), version);
    if (resp.responses.size() != 1) throw std::runtime_error("Produce answered an unexpected shape");
    return resp.responses[0].partition_responses;
  }

  partition_answer produce_one(const std::vector<uint8_t>& records) { return produce_listed(records, 1).at(0); }

  protocol::fetch_response_data fetch(int64_t offset) {
    protocol::fetch_request_data req;
    req.replica_id = -1;
    req.max_wait_ms = 0;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    req.session_id = 0;
    req.session_epoch = -1;
    req.topics.push_back({});
    req.topics[0].topic = topic_;
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].partition = 0;
    req.topics[0].partitions[0].fetch_offset = offset;
    req.topics[0].partitions[0].partition_max_bytes = 1 << 20;
    return client_->call<protocol::fetch_response_data>(req, 11);
  }

  int64_t high_watermark() { return fetch(0).responses.at(0).partitions.at(0).high_watermark; }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
  std::string topic_ = "hardened";
};

// Finding 1: a 2 KB batch inflating to 60 MiB, listed 20 times in one
// request, used to cost the broker 1.2 GB of decompression. The request's
// decompression budget lets the first listing through and refuses the rest.
void expect_bomb_refused(const std::vector<partition_answer>& answers) {
  ASSERT_EQ(answers.size(), 20u);
  int accepted = 0;
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].error_code == 0) {
      ++accepted;
      continue;
    }
    SCOPED_TRACE("listing " + std::to_string(i));
    EXPECT_EQ(answers[i].error_code, to_int(error_code::invalid_record));
    // Produce v8+ carries the message (the zstd case uses v3, as the reproducer did).
    if (answers[i].error_message) {
      EXPECT_NE(answers[i].error_message->find("decompression budget"), std::string::npos)
          << *answers[i].error_message;
    }
  }
  EXPECT_LE(accepted, 1) << "the budget must stop the bomb after at most one 60 MiB listing";
}

TEST_F(ProduceHardeningWire, ZstdBombListedTwentyTimesIsRefusedPastTheBudget) {
  auto bomb = zero_filled_batch(record::compression_type::zstd, size_t{60} << 20);
  ASSERT_LT(bomb.size(), 8u * 1024);
  double cpu_before = cpu_seconds(broker_.pid());
  auto started = std::chrono::steady_clock::now();
  auto answers = produce_listed(bomb, 20, 3);
  auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  double cpu = cpu_seconds(broker_.pid()) - cpu_before;
  std::cout << "zstd bomb: request of " << bomb.size() * 20 << " bytes, broker CPU " << cpu << " s, answered in "
            << elapsed << " s\n";
  expect_bomb_refused(answers);
}

TEST_F(ProduceHardeningWire, GzipBombListedTwentyTimesIsRefusedPastTheBudget) {
  auto bomb = zero_filled_batch(record::compression_type::gzip, size_t{60} << 20);
  auto answers = produce_listed(bomb, 20);
  expect_bomb_refused(answers);
  ASSERT_TRUE(answers.back().error_message.has_value());  // v9 carries it
}

// What a heavily compressing producer legitimately sends stays accepted:
// twenty 3 MiB batches (60 MiB decompressed in all) in one request.
TEST_F(ProduceHardeningWire, LargeCompressedBatchesWithinTheBudgetPass) {
  for (auto codec : {record::compression_type::zstd, record::compression_type::lz4}) {
    auto batch = zero_filled_batch(codec, size_t{3} << 20);
    for (const auto& answer : produce_listed(batch, 20)) EXPECT_EQ(answer.error_code, 0) << answer.error_message.value_or("");
  }
  EXPECT_EQ(high_watermark(), 40);
}

// Finding 7: a Produce v3+ partition carries exactly one batch, so nothing can
// ride behind a first plain batch.
TEST_F(ProduceHardeningWire, SecondBatchInOnePartitionIsRefused) {
  auto plain = build({}, {"a"});
  record::batch_options control;
  control.control = true;
  control.producer_id = 5;
  control.producer_epoch = 0;
  record::batch_options transactional;
  transactional.transactional = true;
  transactional.producer_id = 6;
  transactional.producer_epoch = 0;
  transactional.base_sequence = 0;
  record::batch_options foreign;
  foreign.producer_id = 7;
  foreign.producer_epoch = 0;
  foreign.base_sequence = 42;
  for (const auto& second : {build({}, {"b"}), build(control, {"c"}), build(transactional, {"t"}),
                             build(foreign, {"f"})}) {
    auto answer = produce_one(concat(plain, second));
    EXPECT_EQ(answer.error_code, to_int(error_code::invalid_record)) << answer.error_message.value_or("");
    EXPECT_NE(answer.error_message.value_or("").find("exactly one"), std::string::npos)
        << answer.error_message.value_or("");
  }
  EXPECT_EQ(high_watermark(), 0);
}

TEST_F(ProduceHardeningWire, ClientWrittenControlBatchIsRefused) {
  record::batch_options control;
  control.control = true;
  auto answer = produce_one(build(control, {"c"}));
  EXPECT_EQ(answer.error_code, to_int(error_code::invalid_record)) << answer.error_message.value_or("");
  EXPECT_NE(answer.error_message.value_or("").find("control"), std::string::npos);
  EXPECT_EQ(high_watermark(), 0);
}

// Kafka (KIP-890) answers a transactional write to a partition that is not in
// an ongoing transaction with INVALID_TXN_STATE; producer 6 holds no
// transactional id here (txn_coordinator_wire_test.cc covers the rest).
TEST_F(ProduceHardeningWire, TransactionalBatchOfAProducerWithoutTransactionIsRefused) {
  record::batch_options transactional;
  transactional.transactional = true;
  transactional.producer_id = 6;
  transactional.producer_epoch = 0;
  transactional.base_sequence = 0;
  auto answer = produce_one(build(transactional, {"t"}));
  EXPECT_EQ(answer.error_code, to_int(error_code::invalid_txn_state)) << answer.error_message.value_or("");
  EXPECT_EQ(high_watermark(), 0);
}

// Finding 8: the stored partitionLeaderEpoch is the broker's (0: one broker,
// no leader changes), whatever the producer wrote there.
TEST_F(ProduceHardeningWire, StoredLeaderEpochIsTheBrokers) {
  record::batch_options claims;
  claims.partition_leader_epoch = 7;
  for (auto codec : {record::compression_type::none, record::compression_type::zstd}) {
    claims.compression = codec;
    ASSERT_EQ(produce_one(build(claims, {"x", "y"})).error_code, 0);
  }
  auto fetched = fetch(0);
  const auto& records = fetched.responses.at(0).partitions.at(0).records;
  ASSERT_TRUE(records.has_value());
  auto batches = record::split_batches(records->bytes(), record::split_mode::strict);
  ASSERT_TRUE(batches.ok()) << batches.err().describe();
  ASSERT_EQ(batches->size(), 2u);
  for (const auto& b : *batches) {
    EXPECT_EQ(b.header.partition_leader_epoch, 0);
    // The CRC still holds (the epoch lies outside the range it covers).
    EXPECT_EQ(record::compute_crc(b.bytes), b.header.crc);
  }
}

}  // namespace
}  // namespace samsa::wire_test

namespace samsa::wire_test {
namespace {

// Starts `broker` with `env` naming a latch file that exists (the held work
// waits while it does); returns the file's path, to remove to let it go.
std::string start_with_latch(broker_process& broker, const char* env, const std::string& what) {
  std::string latch = ::testing::TempDir() + "samsa-" + what + "-latch-" + std::to_string(::getpid());
  { std::ofstream(latch) << "held\n"; }
  ::setenv(env, latch.c_str(), 1);
  broker.start();
  ::unsetenv(env);
  return latch;
}

// Finding 1 and 15: a bomb's validation runs on the worker pool. Held there
// on the test latch, it holds no network or handler thread: a bystander's
// ApiVersions, Metadata and a small produce are all answered while the
// bomb's own answer waits; opening the latch lets the bomb be refused.
TEST(ProduceValidationLatch, ABombHeldInValidationHoldsNoThread) {
  broker_process broker;
  std::string latch = start_with_latch(broker, "SAMSA_TEST_HOLD_VALIDATION", "validation");
  wire_client admin(broker.port());
  ASSERT_EQ(create_topic(admin, "held", 1), 0);

  auto bomb = zero_filled_batch(record::compression_type::zstd, size_t{60} << 20);
  protocol::produce_request_data req = listed_produce("held", bomb, 20);
  wire_client bomber(broker.port());
  int32_t bomb_id = bomber.send(req, 9);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // it reaches validation

  expect_bystander_answered(broker.port());
  wire_client bystander(broker.port(), "bystander");
  EXPECT_EQ(produce_batch(bystander, 9, "held", 0, build({}, {"small"})).error_code, 0);
  EXPECT_FALSE(bomber.answer_waiting()) << "the bomb was answered although its validation was held";

  std::remove(latch.c_str());
  auto answered = bomber.receive<protocol::produce_response_data>(protocol::produce_request_data::api_key, 9, bomb_id);
  ASSERT_EQ(answered.responses.size(), 1u);
  int refused = 0;
  for (const auto& p : answered.responses[0].partition_responses) {
    refused += p.error_code == to_int(error_code::invalid_record);
  }
  EXPECT_GE(refused, 19);
  if (HasFailure()) std::cerr << broker.log_tail() << "\n";
}

// A topic's new configs are recorded in the metadata log (an append and an
// fsync) on the worker pool: on the handler thread, a slow disk, or another
// change holding the store, held every connection for seconds (seen by
// scripts/wire_fuzz.py). Held on the test latch, an IncrementalAlterConfigs
// waits while a bystander is answered; two changes queued behind each other
// both land, the second on top of the first.
TEST(TopicConfigLatch, AConfigChangeHeldInItsWriteHoldsNoThread) {
  broker_process broker;
  std::string latch = start_with_latch(broker, "SAMSA_TEST_HOLD_TOPIC_CONFIG", "topic-config");
  wire_client admin(broker.port());
  ASSERT_EQ(create_topic(admin, "configured", 1), 0);

  auto change = [](const std::string& name, const std::string& value) {
    protocol::incremental_alter_configs_request_data req;
    auto& r = req.resources.emplace_back();
    r.resource_type = 2;  // topic
    r.resource_name = "configured";
    auto& c = r.configs.emplace_back();
    c.name = name;
    c.config_operation = 0;  // SET
    c.value = value;
    return req;
  };
  wire_client first(broker.port()), second(broker.port());
  int32_t first_id = first.send(change("retention.ms", "86400000"), 1);
  int32_t second_id = second.send(change("cleanup.policy", "compact"), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the first reaches its write

  expect_bystander_answered(broker.port());
  EXPECT_FALSE(first.answer_waiting()) << "the config change was answered although its write was held";
  EXPECT_FALSE(second.answer_waiting());

  std::remove(latch.c_str());
  auto api = protocol::incremental_alter_configs_request_data::api_key;
  EXPECT_EQ(first.receive<protocol::incremental_alter_configs_response_data>(api, 1, first_id)
                .responses.at(0).error_code, 0);
  EXPECT_EQ(second.receive<protocol::incremental_alter_configs_response_data>(api, 1, second_id)
                .responses.at(0).error_code, 0);
  protocol::describe_configs_request_data describe;
  auto& res = describe.resources.emplace_back();
  res.resource_type = 2;
  res.resource_name = "configured";
  res.configuration_keys = std::nullopt;  // all of them
  std::map<std::string, std::string> set;
  auto described = admin.call<protocol::describe_configs_response_data>(describe, 4);
  for (const auto& c : described.results.at(0).configs) {
    if (c.value && (c.name == "retention.ms" || c.name == "cleanup.policy")) set[c.name] = *c.value;
  }
  EXPECT_EQ(set["retention.ms"], "86400000");
  EXPECT_EQ(set["cleanup.policy"], "compact");
  if (HasFailure()) std::cerr << broker.log_tail() << "\n";
}

// Finding 15: DeleteRecords moves a log start and makes it durable (an
// fsync) on the worker pool. Held there on the test latch, it holds no
// network or handler thread: a bystander is answered and produces to the
// same partition while the trim's own answer waits.
TEST(DeleteRecordsLatch, ATrimHeldInItsSyncHoldsNoThread) {
  broker_process broker;
  std::string latch = start_with_latch(broker, "SAMSA_TEST_HOLD_DELETE_RECORDS", "delete-records");
  wire_client admin(broker.port());
  ASSERT_EQ(create_topic(admin, "trimmed", 1), 0);
  ASSERT_EQ(produce_batch(admin, 9, "trimmed", 0, build({}, {"a", "b", "c"})).error_code, 0);

  protocol::delete_records_request_data trim;
  auto& t = trim.topics.emplace_back();
  t.name = "trimmed";
  auto& p = t.partitions.emplace_back();
  p.partition_index = 0;
  p.offset = 2;
  trim.timeout_ms = 30000;
  wire_client trimmer(broker.port());
  int32_t trim_id = trimmer.send(trim, 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // it reaches the worker

  expect_bystander_answered(broker.port());
  wire_client bystander(broker.port(), "bystander");
  auto appended = produce_batch(bystander, 9, "trimmed", 0, build({}, {"d"}));
  EXPECT_EQ(appended.error_code, 0);
  EXPECT_EQ(appended.base_offset, 3);
  EXPECT_FALSE(trimmer.answer_waiting()) << "the trim was answered although its sync was held";

  std::remove(latch.c_str());
  auto answered = trimmer.receive<protocol::delete_records_response_data>(
      protocol::delete_records_request_data::api_key, 2, trim_id);
  EXPECT_EQ(answered.topics.at(0).partitions.at(0).error_code, 0);
  EXPECT_EQ(answered.topics.at(0).partitions.at(0).low_watermark, 2);
  if (HasFailure()) std::cerr << broker.log_tail() << "\n";
}

// A large produce's appends (the copy into the page cache) run on the
// worker pool. Held there on the test latch, they hold no network or
// handler thread: a bystander is answered and appends to the same
// partition, whose lock the held append does not hold yet, while the held
// request's answer and the next produce of its own connection (which waits
// for its turn, so a connection's appends stay in order) wait.
TEST(AppendLatch, ALargeAppendHeldOnItsWorkerHoldsNoThread) {
  broker_process broker;
  std::string latch = start_with_latch(broker, "SAMSA_TEST_HOLD_APPEND", "append");
  wire_client admin(broker.port());
  ASSERT_EQ(create_topic(admin, "appended", 1), 0);

  const std::string large(100 * 1024, 'x');  // above what is appended on the handler thread
  wire_client producer(broker.port(), "producer");
  int32_t held_id = producer.send(listed_produce("appended", build({}, {large})), 9);
  int32_t next_id = producer.send(listed_produce("appended", build({}, {"after"})), 9);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // it reaches the worker

  expect_bystander_answered(broker.port());
  wire_client bystander(broker.port(), "bystander");
  auto appended = produce_batch(bystander, 9, "appended", 0, build({}, {"b"}));
  EXPECT_EQ(appended.error_code, 0);
  EXPECT_EQ(appended.base_offset, 0);
  EXPECT_FALSE(producer.answer_waiting()) << "the held produce (or the one behind it) was answered";

  std::remove(latch.c_str());
  auto held = producer.receive<protocol::produce_response_data>(protocol::produce_request_data::api_key, 9, held_id);
  auto next = producer.receive<protocol::produce_response_data>(protocol::produce_request_data::api_key, 9, next_id);
  const auto& held_answer = held.responses.at(0).partition_responses.at(0);
  const auto& next_answer = next.responses.at(0).partition_responses.at(0);
  EXPECT_EQ(held_answer.error_code, 0);
  EXPECT_EQ(held_answer.base_offset, 1);
  EXPECT_EQ(next_answer.error_code, 0);
  EXPECT_EQ(next_answer.base_offset, 2);  // its connection's order kept
  if (HasFailure()) std::cerr << broker.log_tail() << "\n";
}

}  // namespace
}  // namespace samsa::wire_test

namespace samsa::wire_test {
namespace {

protocol::offset_commit_request_data simple_commit(const std::string& group, const std::string& topic,
                                                   int64_t offset) {
  protocol::offset_commit_request_data req;
  req.group_id = group;
  req.generation_id_or_member_epoch = -1;  // a simple consumer: no membership
  auto& t = req.topics.emplace_back();
  t.name = topic;
  auto& p = t.partitions.emplace_back();
  p.partition_index = 0;
  p.committed_offset = offset;
  return req;
}

// __consumer_offsets and __transaction_state are made at their first use: a
// directory, an index and a metadata record (with fsyncs) for each of 50
// partitions. That ran on the handler thread (about 65 ms on this machine,
// far longer on a busy disk) and held every connection meanwhile. Held on the
// test latch, the first commits, a Metadata request that would create the
// topic and the first transactional InitProducerId wait while a bystander is
// answered; released, every one is answered and the commits apply in the
// order they came.
TEST(InternalTopicLatch, TheFirstGroupAndTransactionWritesHoldNoThread) {
  broker_process broker;
  std::string latch = start_with_latch(broker, "SAMSA_TEST_HOLD_INTERNAL_TOPIC", "internal-topic");
  wire_client admin(broker.port());
  ASSERT_EQ(create_topic(admin, "committed", 1), 0);

  wire_client first(broker.port()), second(broker.port()), asker(broker.port()), txn(broker.port());
  const auto commit_api = protocol::offset_commit_request_data::api_key;
  int32_t first_id = first.send(simple_commit("g", "committed", 5), 7);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // arrival order: 5 before 7
  int32_t second_id = second.send(simple_commit("g", "committed", 7), 7);
  protocol::metadata_request_data wants_offsets;
  wants_offsets.topics.emplace();
  wants_offsets.topics->emplace_back().name = "__consumer_offsets";
  wants_offsets.allow_auto_topic_creation = true;
  int32_t asker_id = asker.send(wants_offsets, 9);
  protocol::init_producer_id_request_data init;
  init.transactional_id = "first-txn";
  init.transaction_timeout_ms = 30000;
  int32_t txn_id = txn.send(init, 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // each reaches its wait

  expect_bystander_answered(broker.port());
  EXPECT_EQ(produce_batch(admin, 9, "committed", 0, batch_of({"while held"}, 0)).error_code, 0);
  EXPECT_FALSE(first.answer_waiting()) << "a commit was answered although __consumer_offsets was held";
  EXPECT_FALSE(second.answer_waiting());
  EXPECT_FALSE(asker.answer_waiting());
  EXPECT_FALSE(txn.answer_waiting()) << "InitProducerId was answered although __transaction_state was held";

  std::remove(latch.c_str());
  for (auto [client, id] : {std::pair{&first, first_id}, std::pair{&second, second_id}}) {
    auto answer = client->receive<protocol::offset_commit_response_data>(commit_api, 7, id);
    EXPECT_EQ(answer.topics.at(0).partitions.at(0).error_code, 0);
  }
  auto described = asker.receive<protocol::metadata_response_data>(protocol::metadata_request_data::api_key, 9,
                                                                    asker_id);
  ASSERT_EQ(described.topics.size(), 1u);
  EXPECT_EQ(described.topics[0].error_code, 0);
  EXPECT_TRUE(described.topics[0].is_internal);
  EXPECT_EQ(described.topics[0].partitions.size(), 50u);
  auto inited = txn.receive<protocol::init_producer_id_response_data>(
      protocol::init_producer_id_request_data::api_key, 4, txn_id);
  EXPECT_EQ(inited.error_code, 0);
  EXPECT_GE(inited.producer_id, 0);

  protocol::offset_fetch_request_data fetch;
  fetch.group_id = "g";
  auto& ft = fetch.topics->emplace_back();
  ft.name = "committed";
  ft.partition_indexes = {0};
  auto fetched = admin.call<protocol::offset_fetch_response_data>(fetch, 7);
  EXPECT_EQ(fetched.topics.at(0).partitions.at(0).committed_offset, 7) << "the later commit must win";
  if (HasFailure()) std::cerr << broker.log_tail() << "\n";
}

}  // namespace
}  // namespace samsa::wire_test
