#include "cli/record_template_input.h"

#include <sstream>

#include <gtest/gtest.h>

namespace samsa::cli {
namespace {

std::vector<client::outgoing_message> read_all(const std::string& format, const std::string& input,
                                               std::string* error = nullptr) {
  auto reader = record_template_reader::parse(format);
  EXPECT_TRUE(reader.ok()) << (reader.ok() ? "" : reader.err().message);
  std::istringstream in(input);
  std::vector<client::outgoing_message> out;
  while (true) {
    client::outgoing_message m;
    auto more = reader->next(in, m);
    if (!more) {
      if (error) *error = more.err().message;
      break;
    }
    if (!*more) break;
    out.push_back(m);
  }
  return out;
}

TEST(RecordTemplateInput, KeyTabValueLines) {
  auto r = read_all("{key}\\t{value}\\n", "alice\tpaid 10\nbob\tpaid 5");  // no final newline
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].key, "alice");
  EXPECT_EQ(r[0].value, "paid 10");
  EXPECT_EQ(r[1].key, "bob");
  EXPECT_EQ(r[1].value, "paid 5");
}

TEST(RecordTemplateInput, EmptyKeyIsNull) {
  auto r = read_all("{key}={value}\\n", "=v\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].key.has_value());
  EXPECT_EQ(r[0].value, "v");
}

TEST(RecordTemplateInput, HeadersPartitionAndTimestamp) {
  auto r = read_all("{partition} {timestamp:unix} {headers} {value}\\n", "2 1700000000 a=1,a=2,b= hello\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].partition, 2);
  EXPECT_EQ(r[0].timestamp_ms, 1700000000000);
  ASSERT_EQ(r[0].headers.size(), 3u);  // names may repeat
  EXPECT_EQ(r[0].headers[1].key, "a");
  EXPECT_EQ(r[0].headers[1].value, "2");
  EXPECT_EQ(r[0].headers[2].value, "");
  EXPECT_EQ(r[0].value, "hello");
}

TEST(RecordTemplateInput, JsonValueKeepsItsBraces) {
  auto r = read_all("{key} {value:json}\\n", "k1 {\"a\":{\"b\":\"}\"}}\nk2 [1,2]\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].value, "{\"a\":{\"b\":\"}\"}}");
  EXPECT_EQ(r[1].value, "[1,2]");
}

TEST(RecordTemplateInput, LengthsCarryAnyByte) {
  std::string input = "3:a\nb5:x\ty";
  input += '\0';
  input += "z\n";
  auto r = read_all("{key_length}:{key}{value_length}:{value}\\n", input);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].key, "a\nb");
  EXPECT_EQ(r[0].value, std::string("x\ty\0z", 5));
}

TEST(RecordTemplateInput, LengthsCountDecodedBytes) {
  auto r = read_all("{value_length}|{value:base64}|{key_length}|{key:hex}\\n", "3|/wAB|2|ff00\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].value, std::string("\xff\x00\x01", 3));
  EXPECT_EQ(r[0].key, std::string("\xff\x00", 2));
}

TEST(RecordTemplateInput, Base64AndHex) {
  auto r = read_all("{key:hex} {value:base64}\\n", "ff00 /wAB\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].key, std::string("\xff\x00", 2));
  EXPECT_EQ(r[0].value, std::string("\xff\x00\x01", 3));
}

TEST(RecordTemplateInput, MismatchNamesTheRecord) {
  std::string error;
  auto r = read_all("{key}\\t{value}\\n", "a\t1\nno-tab-here\n", &error);
  EXPECT_EQ(r.size(), 1u);
  EXPECT_NE(error.find("record 2"), std::string::npos) << error;
  error.clear();
  read_all("{partition}:{value}\\n", "x:1\n", &error);
  EXPECT_NE(error.find("not a number"), std::string::npos) << error;
  error.clear();
  read_all("{value:base64}\\n", "!!!\n", &error);
  EXPECT_NE(error.find("not base64"), std::string::npos) << error;
}

TEST(RecordTemplateInput, RefusesAmbiguousTemplates) {
  EXPECT_FALSE(record_template_reader::parse("{key}{value}").ok());
  EXPECT_FALSE(record_template_reader::parse("{offset} {value}").ok());
  EXPECT_FALSE(record_template_reader::parse("{value} {value}").ok());
  EXPECT_FALSE(record_template_reader::parse("{key:json5}").ok());
  EXPECT_FALSE(record_template_reader::parse("{key").ok());
  EXPECT_FALSE(record_template_reader::parse("{key} {key_length}").ok());
  EXPECT_TRUE(record_template_reader::parse("{key:json}{value}\\n").ok());
}

}  // namespace
}  // namespace samsa::cli
