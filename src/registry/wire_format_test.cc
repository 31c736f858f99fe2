// Confluent's wire format: header, Protobuf message indexes, Protobuf
// through libprotobuf (Avro: avro_json_test).
#include "registry/wire_format.h"

#include <gtest/gtest.h>

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
