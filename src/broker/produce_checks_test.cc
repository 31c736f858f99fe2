// The check phase of a produce is a pure function of the records, the
// topic's config, the clock and the request's budget: these tests call it
// with no broker at all.
#include "broker/produce_checks.h"

#include <gtest/gtest.h>

#include "record/batch_builder.h"
#include "record/legacy_message.h"

namespace samsa::broker {
namespace {

constexpr int64_t now_ms = 1700000000000;

std::vector<uint8_t> batch(record::batch_options options, size_t records = 2, size_t value_size = 3) {
  record::batch_builder builder(options);
  std::vector<uint8_t> value(value_size, 'v');
  for (size_t i = 0; i < records; ++i) {
    if (!builder.append(now_ms - 10 + static_cast<int64_t>(i), std::nullopt, std::span<const uint8_t>(value)).ok())
      throw std::runtime_error("append");
  }
  auto built = builder.build();
  if (!built.ok()) throw std::runtime_error(built.err().message);
  return std::move(built).value();
}

produce_check check(std::vector<uint8_t>& records, const storage::log_config& config = {},
                    size_t budget_bytes = decompression_budget_floor) {
  record::decompression_budget budget(budget_bytes);
  return check_partition_records(records, config, now_ms, budget);
}

TEST(ProduceChecks, ReturnsTheFactsOfTheOneBatch) {
  record::batch_options options;
  options.producer_id = 9;
  options.producer_epoch = 2;
  options.base_sequence = 40;
  options.compression = record::compression_type::lz4;
  auto records = batch(options, 5);
  auto result = check(records);
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.batch.header.producer_id, 9);
  EXPECT_EQ(result.batch.header.producer_epoch, 2);
  EXPECT_EQ(result.batch.header.base_sequence, 40);
  EXPECT_EQ(result.batch.header.record_count, 5);
  EXPECT_EQ(result.batch.header.compression(), record::compression_type::lz4);
  EXPECT_FALSE(result.batch.rewritten);
  EXPECT_GT(result.batch.decompressed_bytes, 0u);
  EXPECT_EQ(result.batch.bytes().data(), records.data());  // the request's own bytes
}

TEST(ProduceChecks, RecompressionHandsDownTheRewrittenBatch) {
  auto records = batch({}, 4);
  storage::log_config config;
  config.compression_type = "zstd";
  auto result = check(records, config);
  ASSERT_TRUE(result.ok()) << result.message;
  ASSERT_TRUE(result.batch.rewritten);
  EXPECT_EQ(result.batch.header.compression(), record::compression_type::zstd);
  EXPECT_EQ(result.batch.header.size_bytes(), result.batch.bytes().size());
}

// Kafka 4's default bound: a CreateTime up to one hour ahead passes, a
// later one is INVALID_TIMESTAMP; LogAppendTime topics take any.
TEST(ProduceChecks, CreateTimesMoreThanAnHourAheadAreRefusedByDefault) {
  auto stamped = [](int64_t timestamp) {
    record::batch_builder builder(record::batch_options{});
    const std::vector<uint8_t> value(3, 'v');
    if (!builder.append(timestamp, std::nullopt, std::span<const uint8_t>(value)).ok())
      throw std::runtime_error("append");
    return std::move(builder.build()).value();
  };
  auto soon = stamped(now_ms + 3600000);
  EXPECT_TRUE(check(soon).ok()) << check(soon).message;
  auto later = stamped(now_ms + 3600001);
  EXPECT_EQ(check(later).code, protocol::error_code::invalid_timestamp);
  auto past = stamped(now_ms - 10LL * 365 * 24 * 3600 * 1000);
  EXPECT_TRUE(check(past).ok()) << "no bound into the past by default";
  storage::log_config append_time;
  append_time.message_timestamp_type = storage::timestamp_type::log_append_time;
  auto far = stamped(now_ms + 100LL * 24 * 3600 * 1000);
  EXPECT_TRUE(check(far, append_time).ok());
}

TEST(ProduceChecks, OneBatchPerPartition) {
  auto records = batch({});
  auto second = batch({});
  records.insert(records.end(), second.begin(), second.end());
  auto result = check(records);
  EXPECT_EQ(result.code, protocol::error_code::invalid_record);
  EXPECT_NE(result.message.find("exactly one record batch, got 2"), std::string::npos) << result.message;
}

TEST(ProduceChecks, ControlBatchesAreRefusedTransactionalOnesPassToTheAppendPhase) {
  record::batch_options control;
  control.control = true;
  auto c = batch(control, 1);
  EXPECT_EQ(check(c).code, protocol::error_code::invalid_record);
  record::batch_options transactional;
  transactional.transactional = true;
  transactional.producer_id = 3;
  transactional.producer_epoch = 0;
  transactional.base_sequence = 0;
  auto t = batch(transactional, 1);
  auto checked = check(t);
  // The coordinator's verdict (is the partition in the producer's ongoing
  // transaction?) is taken in the append phase, which has broker state.
  EXPECT_EQ(checked.code, protocol::error_code::none) << checked.message;
  EXPECT_TRUE(checked.batch.header.is_transactional());
}

TEST(ProduceChecks, SpentBudgetIsInvalidRecord) {
  record::batch_options options;
  options.compression = record::compression_type::zstd;
  auto records = batch(options, 1, size_t{2} << 20);
  auto result = check(records, {}, size_t{1} << 20);
  EXPECT_EQ(result.code, protocol::error_code::invalid_record);
  EXPECT_NE(result.message.find("decompression budget of 1048576 bytes"), std::string::npos) << result.message;
}

TEST(ProduceChecks, BudgetScalesWithTheRequest) {
  EXPECT_EQ(produce_decompression_budget(0), decompression_budget_floor);
  EXPECT_EQ(produce_decompression_budget(size_t{10} << 20), size_t{320} << 20);
  EXPECT_EQ(produce_decompression_budget(SIZE_MAX), SIZE_MAX);
}

}  // namespace
}  // namespace samsa::broker

namespace samsa::broker {
namespace {

// Produce v0-2: a message set becomes one batch, compressed with the
// producer's codec or the topic's compression.type, and checked as a batch.
std::vector<uint8_t> gzip_message_set(size_t messages, size_t value_size) {
  std::vector<uint8_t> inner;
  std::vector<uint8_t> value(value_size, 'v');
  for (size_t i = 0; i < messages; ++i) {
    record::legacy::append_message(inner, 1, static_cast<int64_t>(i), 0, now_ms, std::nullopt,
                                   std::span<const uint8_t>(value));
  }
  std::vector<uint8_t> set;
  if (!record::legacy::append_wrapper(set, 1, record::compression_type::gzip, static_cast<int64_t>(messages) - 1,
                                      now_ms, false, inner)) {
    throw std::runtime_error("append_wrapper");
  }
  return set;
}

TEST(ProduceChecks, MessageSetKeepsTheProducersCodecOrTakesTheTopics) {
  auto set = gzip_message_set(4, 100);
  std::vector<uint8_t> converted;
  record::decompression_budget budget(decompression_budget_floor);
  storage::log_config producer;  // compression.type=producer
  auto kept = check_message_set(set, converted, producer, now_ms, budget);
  ASSERT_TRUE(kept.ok()) << kept.message;
  EXPECT_EQ(kept.batch.header.compression(), record::compression_type::gzip);
  EXPECT_EQ(kept.batch.header.record_count, 4);
  EXPECT_EQ(kept.batch.header.producer_id, -1) << "no idempotence before Produce v3";
  EXPECT_EQ(kept.batch.bytes().data(), converted.data());
  EXPECT_GT(budget.used(), 400u) << "the wrapper's inner messages were charged";

  storage::log_config lz4;
  lz4.compression_type = "lz4";
  auto recoded = check_message_set(set, converted, lz4, now_ms, budget);
  ASSERT_TRUE(recoded.ok()) << recoded.message;
  EXPECT_EQ(recoded.batch.header.compression(), record::compression_type::lz4);
}

TEST(ProduceChecks, MessageSetSizeIsThatOfTheStoredBatch) {
  // 100 KB of one repeated byte: far larger than max.message.bytes as plain
  // records, well below it once gzip-compressed, as it will be stored.
  auto set = gzip_message_set(100, 1000);
  std::vector<uint8_t> converted;
  record::decompression_budget budget(decompression_budget_floor);
  storage::log_config config;
  config.max_message_bytes = 20000;
  auto checked = check_message_set(set, converted, config, now_ms, budget);
  ASSERT_TRUE(checked.ok()) << checked.message;
  config.compression_type = "uncompressed";
  checked = check_message_set(set, converted, config, now_ms, budget);
  EXPECT_EQ(checked.code, protocol::error_code::message_too_large);
}

}  // namespace
}  // namespace samsa::broker
