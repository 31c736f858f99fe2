// Batches written by real clients (captured off the wire, kept in the fuzz
// seed corpus as client_*): librdkafka via kcat with every codec, KafkaJS and
// kafka-python, plus librdkafka's magic 0 and 1 message sets (plain and gzip).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "record/record.h"
#include "record/split.h"
#include "record/validate.h"

namespace samsa::record {
namespace {

bytes read_seed(const std::string& name) {
  std::filesystem::path path = std::filesystem::path(SAMSA_RECORD_CORPUS_DIR) / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string text(const std::optional<bytes>& b) {
  return b ? std::string(b->begin(), b->end()) : std::string("<null>");
}

validate_options producer_checks() {
  validate_options o;
  o.producer_rules = true;
  return o;
}

TEST(Interop, LibrdkafkaEveryCodec) {
  const std::pair<const char*, compression_type> files[] = {
      {"client_kcat_30_none", compression_type::none},   {"client_kcat_30_gzip", compression_type::gzip},
      {"client_kcat_30_snappy", compression_type::snappy}, {"client_kcat_30_lz4", compression_type::lz4},
      {"client_kcat_30_zstd", compression_type::zstd}};
  for (const auto& [name, codec] : files) {
    bytes blob = read_seed(name);
    auto batches = split_batches(blob);
    ASSERT_TRUE(batches.ok()) << name << ": " << batches.err().message;
    ASSERT_EQ(batches->size(), 1u) << name;
    auto h = validate_batch((*batches)[0].bytes, producer_checks());
    ASSERT_TRUE(h.ok()) << name << ": " << h.err().message;
    EXPECT_EQ(h->compression(), codec) << name;
    auto records = decode_records((*batches)[0].bytes);
    ASSERT_TRUE(records.ok()) << name << ": " << records.err().message;
    ASSERT_EQ(records->size(), 30u);
    for (int i = 0; i < 30; ++i) {
      const auto& r = (*records)[i];
      EXPECT_EQ(r.offset, i);
      EXPECT_EQ(text(r.key), "key" + std::to_string(i + 1));
      EXPECT_EQ(text(r.value), "message number " + std::to_string(i + 1) + " with some repeated text text text");
    }
  }
}

TEST(Interop, KafkaJsKafkaPythonAndKcatSingleRecords) {
  const std::tuple<const char*, const char*, const char*> files[] = {
      {"client_kafkajs", "k1", "hello from kafkajs"},
      {"client_kafka_python", "<null>", "hi from kafka-python"},
      {"client_kcat_1", "<null>", "hello golden"}};
  for (const auto& [name, key, value] : files) {
    bytes blob = read_seed(name);
    auto h = validate_batch(blob, producer_checks());
    ASSERT_TRUE(h.ok()) << name << ": " << h.err().message;
    auto records = decode_records(blob);
    ASSERT_TRUE(records.ok()) << name;
    ASSERT_EQ(records->size(), 1u) << name;
    EXPECT_EQ(text((*records)[0].key), key) << name;
    EXPECT_EQ(text((*records)[0].value), value) << name;
  }
}

TEST(Interop, LibrdkafkaOldMagicIsUnsupported) {
  const std::pair<const char*, int> files[] = {{"client_kcat_magic0", 0},
                                               {"client_kcat_magic0_gzip", 0},
                                               {"client_kcat_magic1", 1},
                                               {"client_kcat_magic1_gzip", 1}};
  for (const auto& [name, magic] : files) {
    bytes blob = read_seed(name);
    ASSERT_EQ(blob.at(field::magic), magic) << name;
    auto split = split_batches(blob);
    ASSERT_FALSE(split.ok());
    EXPECT_EQ(split.err().code, errc::unsupported_for_message_format) << name;
    auto v = validate_batch(blob);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.err().code, errc::unsupported_for_message_format) << name;
  }
}

}  // namespace
}  // namespace samsa::record
