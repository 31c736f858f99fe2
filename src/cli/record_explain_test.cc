#include "cli/record_explain.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/key_hash.h"

namespace samsa::cli {
namespace {

client::consumed_message record(std::optional<std::string> key, int32_t partition) {
  client::consumed_message m;
  m.topic = "orders";
  m.partition = partition;
  m.key = std::move(key);
  m.value = "v";
  return m;
}

TEST(RecordExplain, KeyedRecordShowsHashAndModulo) {
  explain_context ctx{{{"orders", 6}}, "billing", "samsa-1234"};
  int32_t p = partition_for_key("alice", 6);
  auto e = explain_record(record("alice", p), ctx);
  ASSERT_TRUE(e.hash && e.expected_partition);
  EXPECT_EQ(*e.expected_partition, p);
  EXPECT_EQ(static_cast<int32_t>(*e.hash % 6), p);
  EXPECT_NE(e.placement.find(fmt::format("% 6 partitions = {}", p)), std::string::npos) << e.placement;
  EXPECT_NE(e.reader.find("samsa-1234"), std::string::npos) << e.reader;
  EXPECT_NE(e.reader.find("billing"), std::string::npos) << e.reader;
}

TEST(RecordExplain, KeyInAnotherPartitionIsCalledOut) {
  explain_context ctx{{{"orders", 6}}, "", ""};
  int32_t p = partition_for_key("alice", 6);
  auto e = explain_record(record("alice", (p + 1) % 6), ctx);
  EXPECT_NE(e.placement.find("yet the record is in partition"), std::string::npos) << e.placement;
  EXPECT_NE(e.reader.find("without a group"), std::string::npos) << e.reader;
}

TEST(RecordExplain, KeylessAndUnknownCount) {
  auto e = explain_record(record(std::nullopt, 2), explain_context{{{"orders", 6}}, "", ""});
  EXPECT_FALSE(e.hash.has_value());
  EXPECT_NE(e.placement.find("no key"), std::string::npos);
  e = explain_record(record("k", 0), explain_context{});
  EXPECT_NE(e.placement.find("unknown"), std::string::npos);
  EXPECT_TRUE(explanation_json(e)["partitions"].is_null());
}

}  // namespace
}  // namespace samsa::cli
