// Confluent's wire format: header, Protobuf message indexes, Avro binary
// encoding and decoding from/to JSON, Protobuf through libprotobuf.
#include "registry/wire_format.h"

#include <gtest/gtest.h>

#include "registry/avro_schema.h"
#include "registry/protobuf_schema.h"

namespace samsa::registry {
namespace {

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(WireFormat, HeaderRoundTripAndRefusals) {
  std::string framed = wire_prefix(258) + "x";
  auto h = read_wire_header(bytes(framed));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->schema_id, 258);
  EXPECT_NE(read_wire_header(bytes(std::string("\x01\0\0\0\x01", 5))).err().message.find("magic byte 1"), std::string::npos);
  EXPECT_NE(read_wire_header(bytes("ab")).err().message.find("fewer than 5"), std::string::npos);
}

TEST(WireFormat, MessageIndexes) {
  EXPECT_EQ(message_indexes({0}), std::string(1, '\0'));
  std::string encoded = message_indexes({1, 2});
  size_t offset = 0;
  auto back = read_message_indexes(bytes(encoded), offset);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(offset, encoded.size());
  offset = 0;
  EXPECT_EQ(*read_message_indexes(bytes(std::string(1, '\0')), offset), std::vector<int32_t>{0});
}

TEST(WireFormat, AvroRoundTripWithUnionsArraysMapsEnums) {
  auto s = avro::parse(R"({"type":"record","name":"P","fields":[
    {"name":"id","type":"string"},{"name":"n","type":"long"},{"name":"ok","type":"boolean"},
    {"name":"amount","type":"double"},{"name":"note","type":["null","string"],"default":null},
    {"name":"tags","type":{"type":"array","items":"string"}},{"name":"m","type":{"type":"map","values":"int"}},
    {"name":"k","type":{"type":"enum","name":"K","symbols":["A","B"]}}]})",
                       {});
  ASSERT_TRUE(s.ok()) << s.err().message;
  nlohmann::json v = {{"id", "p1"}, {"n", -3},          {"ok", true},     {"amount", 2.5},
                      {"note", "hi"}, {"tags", {"a", "b"}}, {"m", {{"x", 1}}}, {"k", "B"}};
  auto encoded = avro_encode(**s, v);
  ASSERT_TRUE(encoded.ok()) << encoded.err().message;
  // "p1": length 2 zigzag = 4, then the bytes; -3 zigzag = 5.
  EXPECT_EQ(encoded->substr(0, 4), std::string("\x04p1\x05", 4));
  auto decoded = avro_decode(**s, bytes(*encoded));
  ASSERT_TRUE(decoded.ok()) << decoded.err().message;
  EXPECT_EQ(*decoded, v);
  // The default fills a missing field; a wrong type is named.
  v.erase("note");
  EXPECT_EQ((*avro_decode(**s, bytes(*avro_encode(**s, v))))["note"], nullptr);
  v["n"] = "three";
  EXPECT_NE(avro_encode(**s, v).err().message.find("/n"), std::string::npos);
  // Truncated or trailing bytes are errors, not crashes.
  EXPECT_FALSE(avro_decode(**s, bytes(encoded->substr(0, 3))).ok());
  EXPECT_FALSE(avro_decode(**s, bytes(*encoded + "x")).ok());
}

TEST(WireFormat, AvroBlockCountsAreBounded) {
  // Items that take no bytes: only the count bounds the work (found by the fuzzer: a count of
  // INT64_MIN overflowed when negated).
  auto s = avro::parse(R"({"type":"array","items":"null"})", {});
  ASSERT_TRUE(s.ok());
  EXPECT_NE(avro_decode(**s, bytes(std::string("\x80\x80\x80\x80\x80\x40", 6))).err().message.find("items in one value"),
            std::string::npos);
  EXPECT_FALSE(avro_decode(**s, bytes(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10))).ok());
  // A few nulls are fine: count 3 (zigzag 6), then the end block.
  EXPECT_EQ(*avro_decode(**s, bytes(std::string("\x06\x00", 2))), nlohmann::json::parse("[null,null,null]"));
}

TEST(WireFormat, ProtobufRoundTripThroughJson) {
  auto s = protobuf::parse(R"(syntax = "proto3"; package shop; message Other { int32 x = 1; }
    message Payment { string id = 1; double amount = 2; message Line { string sku = 1; } repeated Line lines = 3; })",
                           {});
  ASSERT_TRUE(s.ok()) << s.err().message;
  std::vector<int32_t> indexes;
  auto encoded = protobuf_encode(**s, "shop.Payment", R"({"id":"p1","amount":2.5,"lines":[{"sku":"a"}]})", indexes);
  ASSERT_TRUE(encoded.ok()) << encoded.err().message;
  EXPECT_EQ(indexes, std::vector<int32_t>{1});
  auto decoded = protobuf_decode(**s, indexes, bytes(*encoded));
  ASSERT_TRUE(decoded.ok()) << decoded.err().message;
  EXPECT_EQ(nlohmann::json::parse(*decoded), nlohmann::json::parse(R"({"id":"p1","amount":2.5,"lines":[{"sku":"a"}]})"));
  EXPECT_FALSE(protobuf_encode(**s, "shop.Payment", R"({"nope":1})", indexes).ok());
  EXPECT_FALSE(protobuf_decode(**s, {7}, bytes(*encoded)).ok());
  EXPECT_FALSE(protobuf_decode(**s, {1}, bytes("\xff\xff")).ok());
}

}  // namespace
}  // namespace samsa::registry
