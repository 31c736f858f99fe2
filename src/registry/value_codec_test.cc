// Encoding values with a schema in hand (value_codec): each refusal of the
// Avro, Protobuf and JSON Schema paths, with the value's JSON path named;
// decoding back, and decoding never throwing on what a topic holds.
#include "registry/value_codec.h"

#include <gtest/gtest.h>

#include "registry/wire_format.h"

namespace samsa::registry {
namespace {

parsed_schema parsed(schema_type type, const std::string& text) {
  auto s = parse_schema(type, text, {});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.err().message);
  return std::move(*s);
}

std::string refusal(const parsed_schema& s, const std::string& value, const std::string& message = "") {
  auto r = encode_value(s, 7, value, message);
  if (r.ok()) return "";
  EXPECT_EQ(r.err().code, std::errc::invalid_argument);
  return r.err().message;
}

#define REFUSED(s, value, part)                                              \
  do {                                                                       \
    std::string why_ = refusal(s, value);                                    \
    EXPECT_NE(why_.find(part), std::string::npos) << "message: " << why_;    \
  } while (0)

std::span<const uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

const char* payment_avro = R"({"type":"record","name":"Payment","namespace":"shop","fields":[
  {"name":"id","type":"string"},{"name":"cents","type":"int"},{"name":"total","type":"long"},
  {"name":"rate","type":"float"},{"name":"note","type":["null","string"],"default":null},
  {"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD"]}},
  {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"}]}}}]})";

TEST(ValueCodec, AvroAcceptsAndRoundTrips) {
  auto s = parsed(schema_type::avro, payment_avro);
  std::string v = R"({"id":"p1","cents":5,"total":9000000000,"rate":0.5,"currency":"EUR","lines":[{"sku":"a"}]})";
  auto encoded = encode_value(s, 7, v);
  ASSERT_TRUE(encoded.ok()) << encoded.err().message;
  EXPECT_EQ(encoded->substr(0, 5), wire_prefix(7));
  auto back = decode_value(s, bytes(*encoded), 5);
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(nlohmann::json::parse(*back)["note"], nullptr);  // the default filled in
  EXPECT_EQ(nlohmann::json::parse(*back)["total"], 9000000000LL);
}

TEST(ValueCodec, AvroRefusals) {
  auto s = parsed(schema_type::avro, payment_avro);
  auto with = [](const std::string& field, const std::string& value) {
    auto j = nlohmann::json::parse(R"({"id":"p1","cents":5,"total":1,"rate":0.5,"currency":"EUR","lines":[]})");
    if (value.empty()) j.erase(field);
    else j[field] = nlohmann::json::parse(value);
    return j.dump();
  };
  REFUSED(s, with("cents", ""), "at /: the field \"cents\" of shop.Payment is missing");
  REFUSED(s, with("cents", "\"5\""), "at /cents: expected an int, got \"5\"");
  REFUSED(s, with("cents", "2147483648"), "at /cents: expected a 32-bit integer");
  REFUSED(s, with("cents", "1.5"), "at /cents: expected an int");
  REFUSED(s, with("total", "9223372036854775808"), "at /total: expected a 64-bit signed integer");
  REFUSED(s, with("rate", "1e300"), "at /rate: expected a number within float's range");
  REFUSED(s, with("currency", "\"GBP\""), "at /currency: \"GBP\" is not a symbol of the enum shop.Currency");
  REFUSED(s, with("note", "5"), "at /note: 5 fits no branch of the union [\"null\",\"string\"]");
  REFUSED(s, with("lines", R"([{"sku":"a"},{"sku":1}])"), "at /lines/1/sku: expected a string");
  REFUSED(s, with("lines", R"([{"sku":"a","qty":1}])"), "at /lines/0: shop.Line has no field \"qty\"");
  REFUSED(s, with("amount", "1"), "shop.Payment has no field \"amount\"");  // a typo is not dropped
  REFUSED(s, "[1]", "at /: expected an object (record shop.Payment)");
  REFUSED(s, "{not json", "not JSON");
  // Every refusal names the schema it was checked against.
  REFUSED(s, with("cents", "\"5\""), "does not fit schema 7 (AVRO)");
}

TEST(ValueCodec, JsonSchemaValidates) {
  auto s = parsed(schema_type::json, R"({"type":"object","required":["id"],"properties":{"id":{"type":"string"},
                                        "amount":{"type":"number","minimum":0}},"additionalProperties":false})");
  auto ok = encode_value(s, 3, R"({"id": "p1", "amount": 2})");
  ASSERT_TRUE(ok.ok()) << ok.err().message;
  EXPECT_EQ(ok->substr(5), R"({"amount":2,"id":"p1"})");
  REFUSED(s, R"({"amount":2})", "does not fit schema 7 (JSON): at /: the required property \"id\" is missing");
  REFUSED(s, R"({"id":"p1","amount":-1})", "at /amount: -1 is less than the minimum 0");
  REFUSED(s, R"({"id":"p1","x":1})", "property \"x\" is not allowed");
  // Deep values are refused before any recursive walk.
  REFUSED(s, std::string(10000, '[') + std::string(10000, ']'), "nests more than");
}

TEST(ValueCodec, ProtobufRefusals) {
  auto s = parsed(schema_type::protobuf, R"(syntax = "proto3"; package shop;
    enum Currency { EUR = 0; USD = 1; }
    message Order { string id = 1; int32 qty = 2; Currency currency = 3; repeated Line lines = 4; }
    message Line { string sku = 1; })");
  auto ok = encode_value(s, 7, R"({"id":"o1","qty":3,"currency":"USD","lines":[{"sku":"a"}]})");
  ASSERT_TRUE(ok.ok()) << ok.err().message;
  REFUSED(s, R"({"id":"o1","qty":"three"})", "qty");
  REFUSED(s, R"({"id":"o1","qty":2147483648})", "qty");
  REFUSED(s, R"({"id":"o1","currency":"GBP"})", "currency");
  REFUSED(s, R"({"id":"o1","quantity":1})", "quantity");
  REFUSED(s, R"({"id":"o1","lines":[{"sku":5}]})", "sku");
  REFUSED(s, R"({"id":"o1"})" + std::string(" trailing"), "not a shop.Order");
  auto p2 = parsed(schema_type::protobuf, R"(syntax = "proto2"; message Req { required string id = 1; optional int32 n = 2; })");
  EXPECT_TRUE(encode_value(p2, 7, R"({"id":"x"})").ok());
  std::string why = refusal(p2, R"({"n":1})");
  EXPECT_NE(why.find("missing field id"), std::string::npos) << why;
}

TEST(ValueCodec, AvroDecodesToTheAvroJsonEncoding) {
  // Bytes are code points (0xFF is U+00FF), unions are wrapped, fields keep
  // the schema's order; strings that are not UTF-8 show as U+FFFD.
  auto s = parsed(schema_type::avro, R"({"type":"record","name":"R","fields":[{"name":"b","type":"bytes"},
    {"name":"u","type":["null","string"]},{"name":"a","type":"string"}]})");
  std::string value = wire_prefix(1) + std::string("\x04\xff\xfe\x02\x02x\x02\xff", 8);
  auto decoded = decode_value(s, bytes(value), 5);
  ASSERT_TRUE(decoded.ok()) << decoded.err().message;
  EXPECT_EQ(*decoded, "{\"b\":\"\xC3\xBF\xC3\xBE\",\"u\":{\"string\":\"x\"},\"a\":\"\xEF\xBF\xBD\"}");
  // The PostgreSQL sink's plain style: the union's value, the bytes as text.
  auto plain = decode_value(s, bytes(value), 5, avro::json_style::plain);
  ASSERT_TRUE(plain.ok()) << plain.err().message;
  EXPECT_EQ(*plain, "{\"b\":\"\xEF\xBF\xBD\xEF\xBF\xBD\",\"u\":\"x\",\"a\":\"\xEF\xBF\xBD\"}");
  EXPECT_FALSE(decode_value(s, bytes(value), 99).ok());
  // What was encoded from the wrapped form decodes back to it.
  auto encoded = encode_value(s, 1, R"({"b":"\u00ff","u":{"string":"x"},"a":"y"})");
  ASSERT_TRUE(encoded.ok()) << encoded.err().message;
  EXPECT_EQ(*decode_value(s, bytes(*encoded), 5), "{\"b\":\"\xC3\xBF\",\"u\":{\"string\":\"x\"},\"a\":\"y\"}");
}

}  // namespace
}  // namespace samsa::registry
