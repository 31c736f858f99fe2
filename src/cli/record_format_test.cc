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
  EXPECT_NE(j.find("{\"key\":\"trace\",\"value\":null}"), std::string::npos) << j;
}

TEST(RecordFormat, RepeatedHeadersAllKept) {
  auto m = sample();
  m.headers = {{"a", "1"}, {"a", "2"}};
  auto j = record_document(m);
  ASSERT_EQ(j["headers"].size(), 2u);
  EXPECT_EQ(j["headers"][1]["value"], "2");
}

TEST(RecordFormat, NonUtf8BytesBecomeBase64WithAMarker) {
  auto m = sample();
  m.value = std::string("\xff\x00\x01", 3);
  m.key = "caf\xc3\xa9";  // valid UTF-8 stays text
  auto j = record_document(m);
  EXPECT_EQ(j["value"], "/wAB");
  EXPECT_EQ(j["value_encoding"], "base64");
  EXPECT_EQ(j["key"], "caf\xc3\xa9");
  EXPECT_FALSE(j.contains("key_encoding"));
  EXPECT_FALSE(is_valid_utf8("\xc0\x80"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));      // truncated
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));
}

TEST(RecordFormat, ModifiersLengthsAndLiteralBraces) {
  auto m = sample();
  EXPECT_EQ(render_record("{key:base64} {value:hex}", m), "YWxpY2U= 70616964203130");
  EXPECT_EQ(render_record("{timestamp:iso} {timestamp:unix}", m), "2023-11-14T22:13:20.000Z 1700000000");
  EXPECT_EQ(render_record("{{{key_length}}} {value_length}", m), "{5} 7");
  m.key.reset();
  EXPECT_EQ(render_record("{key_length}", m), "-1");
  EXPECT_FALSE(check_record_format("{offset:hex}").ok());
  EXPECT_FALSE(check_record_format("{timestamp:iso}").ok() == false);
  EXPECT_EQ(to_base64("ab"), "YWI=");
  EXPECT_EQ(to_base64(""), "");
}

TEST(RecordFormat, Base64RoundTrip) {
  for (std::string s : {std::string(""), std::string("a"), std::string("ab"), std::string("abc"),
                        std::string("\xff\x00\x01\x80", 4)})
    EXPECT_EQ(from_base64(to_base64(s)), s);
  EXPECT_FALSE(from_base64("abc"));    // not a multiple of 4
  EXPECT_FALSE(from_base64("a=bc"));   // padding in the middle
  EXPECT_FALSE(from_base64("ab!d"));
}

}  // namespace
}  // namespace samsa::cli
