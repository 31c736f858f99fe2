#include "cli/record_format.h"

#include <gtest/gtest.h>

namespace samsa::cli {
namespace {

client::consumed_message sample() {
  client::consumed_message m;
  m.topic = "orders";
  m.partition = 2;
  m.offset = 41;
  m.key = "alice";
  m.value = "paid 10";
  m.timestamp_ms = 1700000000000;
  m.headers = {{"source", "web"}, {"trace", std::nullopt}};
  return m;
}

TEST(RecordFormat, RendersPlaceholdersAndEscapes) {
  EXPECT_EQ(render_record("{partition}:{offset} {key}={value}\\n", sample()), "2:41 alice=paid 10\n");
  EXPECT_EQ(render_record("{topic}\\t{timestamp} [{headers}]", sample()), "orders\t1700000000000 [source=web,trace=]");
}

TEST(RecordFormat, NullKeyIsEmpty) {
  auto m = sample();
  m.key.reset();
  EXPECT_EQ(render_record("<{key}>", m), "<>");
}

TEST(RecordFormat, RejectsUnknownPlaceholder) {
  EXPECT_TRUE(check_record_format("{key} {value}").ok());
  auto s = check_record_format("{keyy}");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("{keyy}"), std::string::npos);
  EXPECT_FALSE(check_record_format("{value").ok());
}

TEST(RecordFormat, JsonCarriesEveryField) {
  auto j = record_json(sample());
  EXPECT_NE(j.find("\"partition\":2"), std::string::npos) << j;
  EXPECT_NE(j.find("\"key\":\"alice\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"trace\":null"), std::string::npos) << j;
}

}  // namespace
}  // namespace samsa::cli
