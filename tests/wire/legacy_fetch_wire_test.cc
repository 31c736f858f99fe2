// Fetch v0-3 against a real `samsa serve`: stored record batches (written by
// a modern producer, every codec, keys, headers) come back converted to the
// message format the version reads (magic 0 for v0-1, magic 1 for v2-3),
// compressed batches re-wrapped with their own codec, with per-message CRCs
// (the parser checks them), within partition_max_bytes and (v3) max_bytes,
// from the middle of a batch, without control batches or aborted
// transactions; zstd is refused as Kafka refuses it to old readers; and a
// modern fetch still gets the stored bytes unchanged.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "broker_process.h"
#include "legacy_wire_util.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "record/batch_builder.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;
using record::compression_type;

constexpr int16_t modern_produce = 9;
constexpr int16_t modern_fetch = 12;

std::vector<uint8_t> stored_batch(compression_type codec, const std::string& prefix, int count,
                                  record::batch_options o = {}) {
  o.compression = codec;
  record::batch_builder b(o);
  for (int i = 0; i < count; ++i) {
    std::string k = "k" + std::to_string(i);
    std::string v = prefix + std::to_string(i);
    record::record_header h{"h", std::vector<uint8_t>{'x'}};
    if (!b.append(base_timestamp + i, as_span(k), as_span(v), std::span<const record::record_header>(&h, 1))) {
      throw std::runtime_error("batch_builder failed");
    }
  }
  return std::move(b.build()).value();
}

class LegacyFetchWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    ASSERT_EQ(create_topic(*client_, topic_, 2), 0);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  void produce(const std::vector<uint8_t>& batch, int32_t partition = 0) {
    auto p = produce_batch(*client_, modern_produce, topic_, partition, batch);
    ASSERT_EQ(p.error_code, 0) << p.error_message.value_or("");
  }

  protocol::fetch_response_data fetch(int16_t version, std::vector<std::pair<int32_t, int64_t>> partitions,
                                      int32_t partition_max_bytes = 1 << 20, int32_t max_bytes = 1 << 20) {
    protocol::fetch_request_data req;
    req.replica_id = -1;
    req.max_bytes = max_bytes;
    req.topics.push_back({});
    req.topics[0].topic = topic_;
    for (auto [partition, offset] : partitions) {
      auto& p = req.topics[0].partitions.emplace_back();
      p.partition = partition;
      p.fetch_offset = offset;
      p.partition_max_bytes = partition_max_bytes;
    }
    return client_->call<protocol::fetch_response_data>(req, version);
  }
  protocol::fetch_response_data::fetchable_topic_response::partition_data fetch_one(
      int16_t version, int64_t offset, int32_t partition_max_bytes = 1 << 20) {
    return fetch(version, {{0, offset}}, partition_max_bytes).responses.at(0).partitions.at(0);
  }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
  std::string topic_ = "legacy-fetch";
};

const compression_type old_codecs[] = {compression_type::none, compression_type::gzip, compression_type::snappy,
                                       compression_type::lz4};

TEST_F(LegacyFetchWire, EveryOldVersionReadsItsFormatEveryCodec) {
  for (auto codec : old_codecs) produce(stored_batch(codec, record::to_string(codec), 3));
  for (int16_t version = 0; version <= 3; ++version) {
    SCOPED_TRACE("fetch v" + std::to_string(version));
    const int8_t magic = version < 2 ? 0 : 1;
    auto p = fetch_one(version, 0);
    ASSERT_EQ(p.error_code, 0);
    EXPECT_EQ(p.high_watermark, 12);
    auto got = old_messages_in(p.records);
    ASSERT_EQ(got.size(), 12u);
    for (size_t i = 0; i < got.size(); ++i) {
      auto codec = old_codecs[i / 3];
      int n = static_cast<int>(i % 3);
      EXPECT_EQ(got[i].offset, static_cast<int64_t>(i));
      EXPECT_EQ(got[i].magic, magic);
      EXPECT_EQ(got[i].wrapper, codec) << "a compressed batch goes out as one wrapper of its own codec";
      EXPECT_EQ(got[i].key, "k" + std::to_string(n));
      EXPECT_EQ(got[i].value, record::to_string(codec) + std::to_string(n));
      EXPECT_EQ(got[i].timestamp, magic == 1 ? base_timestamp + n : -1);
    }
    // From the middle of a compressed batch: only what lies at or past it.
    auto middle = old_messages_in(fetch_one(version, 4).records);
    ASSERT_EQ(middle.size(), 8u);
    EXPECT_EQ(middle.front().offset, 4);
    // At the end: empty, never null; past it: out of range.
    auto end = fetch_one(version, 12);
    EXPECT_EQ(end.error_code, 0);
    EXPECT_TRUE(old_messages_in(end.records).empty());
    EXPECT_EQ(fetch_one(version, 99).error_code, to_int(error_code::offset_out_of_range));
  }
}

TEST_F(LegacyFetchWire, ModernFetchIsNeverConverted) {
  auto batch = stored_batch(compression_type::gzip, "m", 5);
  produce(batch);
  auto p = fetch_one(modern_fetch, 0);
  ASSERT_EQ(p.error_code, 0);
  auto bytes = p.records->bytes();
  ASSERT_EQ(bytes.size(), batch.size());
  // The stored batch as produced, but for the offsets/epoch the broker stamps
  // outside the CRC (bytes 0-7 and 12-15), so the CRC field is the producer's.
  EXPECT_TRUE(std::equal(bytes.begin() + 16, bytes.end(), batch.begin() + 16));
}

TEST_F(LegacyFetchWire, PartitionMaxBytesBoundsTheConversion) {
  produce(stored_batch(compression_type::none, "plain", 50));
  produce(stored_batch(compression_type::lz4, "packed", 50));
  for (int16_t version : {int16_t{0}, int16_t{3}}) {
    SCOPED_TRACE("fetch v" + std::to_string(version));
    const size_t one = old_messages_in(fetch_one(version, 0, 1 << 20).records).size();
    ASSERT_EQ(one, 100u);
    auto p = fetch_one(version, 0, 300);
    EXPECT_LE(p.records->size(), 300u);
    auto part = old_messages_in(p.records);
    ASSERT_FALSE(part.empty());
    EXPECT_LT(part.size(), 50u) << "a few plain messages, cut at a message boundary";
    // Continuing where it stopped reaches the wrapper, which is larger than
    // 300 bytes: alone first in the answer, it goes out whole anyway.
    auto wrapped = fetch_one(version, 50, 300);
    EXPECT_GT(wrapped.records->size(), 300u);
    EXPECT_EQ(old_messages_in(wrapped.records).size(), 50u);
  }
}

TEST_F(LegacyFetchWire, V3MaxBytesSpansPartitions) {
  produce(stored_batch(compression_type::none, "a", 20), 0);
  produce(stored_batch(compression_type::none, "b", 20), 1);
  auto all = fetch(3, {{0, 0}, {1, 0}});
  const size_t first = all.responses[0].partitions[0].records->size();
  ASSERT_GT(first, 0u);
  auto capped = fetch(3, {{0, 0}, {1, 0}}, 1 << 20, static_cast<int32_t>(first + 50));
  size_t total = capped.responses[0].partitions[0].records->size() + capped.responses[0].partitions[1].records->size();
  EXPECT_LE(total, first + 50);
  EXPECT_EQ(capped.responses[0].partitions[0].records->size(), first);
  EXPECT_LT(capped.responses[0].partitions[1].records->size(), first);
  // v2 has no max_bytes: both partitions whole.
  auto v2 = fetch(2, {{0, 0}, {1, 0}});
  EXPECT_EQ(old_messages_in(v2.responses[0].partitions[1].records).size(), 20u);
}

// A converted answer is built in memory: one old fetch gets at most 55 MiB in
// all (Kafka's fetch.max.bytes default), whatever its per-partition limits.
TEST_F(LegacyFetchWire, WholeAnswerCappedAtFetchMaxBytes) {
  const std::string big = "legacy-big";
  ASSERT_EQ(create_topic(*client_, big, 3, {{"max.message.bytes", std::to_string(16 << 20)}}), 0);
  std::string value(10 << 20, 'x');
  for (int32_t partition = 0; partition < 3; ++partition) {
    for (int i = 0; i < 2; ++i) {
      record::batch_builder b(record::batch_options{});
      ASSERT_TRUE(b.append(base_timestamp, std::nullopt, as_span(value)));
      auto p = produce_batch(*client_, modern_produce, big, partition, *b.build());
      ASSERT_EQ(p.error_code, 0) << p.error_message.value_or("");
    }
  }
  protocol::fetch_request_data req;
  req.replica_id = -1;
  req.topics.push_back({});
  req.topics[0].topic = big;
  for (int32_t partition = 0; partition < 3; ++partition) {
    auto& p = req.topics[0].partitions.emplace_back();
    p.partition = partition;
    p.partition_max_bytes = 30 << 20;
  }
  auto resp = client_->call<protocol::fetch_response_data>(req, 0);
  size_t total = 0;
  size_t messages = 0;
  for (const auto& p : resp.responses.at(0).partitions) {
    EXPECT_EQ(p.error_code, 0);
    total += p.records->size();
    messages += old_messages_in(p.records).size();
  }
  EXPECT_LE(total, size_t{55} << 20);
  EXPECT_EQ(messages, 5u) << "two partitions whole, one message of the third";
}

TEST_F(LegacyFetchWire, ZstdIsRefusedToOldReaders) {
  produce(stored_batch(compression_type::gzip, "g", 2));
  produce(stored_batch(compression_type::zstd, "z", 2));
  // What precedes the zstd batch is delivered; the next fetch gets the error.
  auto first = fetch_one(1, 0);
  ASSERT_EQ(first.error_code, 0);
  EXPECT_EQ(old_messages_in(first.records).size(), 2u);
  auto second = fetch_one(1, 2);
  EXPECT_EQ(second.error_code, to_int(error_code::unsupported_compression_type));
  // A modern reader gets it as stored.
  EXPECT_EQ(fetch_one(modern_fetch, 2).error_code, 0);
}

// Transactions: an old consumer sees committed data only, and no markers.
TEST_F(LegacyFetchWire, ControlBatchesAndAbortedTransactionsAreLeftOut) {
  auto txn = [&](const std::string& id, const std::string& prefix, bool commit) {
    protocol::init_producer_id_request_data init;
    init.transactional_id = id;
    init.transaction_timeout_ms = 60000;
    auto ir = client_->call<protocol::init_producer_id_response_data>(init, 4);
    ASSERT_EQ(ir.error_code, 0);
    protocol::add_partitions_to_txn_request_data add;
    add.v3_and_below_transactional_id = id;
    add.v3_and_below_producer_id = ir.producer_id;
    add.v3_and_below_producer_epoch = ir.producer_epoch;
    add.v3_and_below_topics.push_back({topic_, {0}});
    auto ar = client_->call<protocol::add_partitions_to_txn_response_data>(add, 3);
    ASSERT_EQ(ar.results_by_topic_v3_and_below.at(0).results_by_partition.at(0).partition_error_code, 0);
    record::batch_options o;
    o.producer_id = ir.producer_id;
    o.producer_epoch = ir.producer_epoch;
    o.base_sequence = 0;
    o.transactional = true;
    produce(stored_batch(compression_type::none, prefix, 2, o));
    protocol::end_txn_request_data end;
    end.transactional_id = id;
    end.producer_id = ir.producer_id;
    end.producer_epoch = ir.producer_epoch;
    end.committed = commit;
    ASSERT_EQ(client_->call<protocol::end_txn_response_data>(end, 3).error_code, 0);
  };
  produce(stored_batch(compression_type::none, "before", 1));  // offset 0
  txn("legacy-aborted", "aborted", false);                      // 1-2, marker 3
  txn("legacy-committed", "committed", true);                   // 4-5, marker 6
  produce(stored_batch(compression_type::none, "after", 1));    // 7
  for (int16_t version = 0; version <= 3; ++version) {
    SCOPED_TRACE("fetch v" + std::to_string(version));
    auto got = old_messages_in(fetch_one(version, 0).records);
    std::vector<std::pair<int64_t, std::string>> seen;
    for (const auto& m : got) seen.emplace_back(m.offset, m.value);
    EXPECT_EQ(seen, (std::vector<std::pair<int64_t, std::string>>{
                        {0, "before0"}, {4, "committed0"}, {5, "committed1"}, {7, "after0"}}));
    // A fetch that starts inside the aborted transaction reads on to data.
    auto from_abort = old_messages_in(fetch_one(version, 1).records);
    ASSERT_FALSE(from_abort.empty());
    EXPECT_EQ(from_abort.front().offset, 4);
  }
}

}  // namespace
}  // namespace samsa::wire_test
