// Avro binary <-> JSON per the Avro specification's JSON encoding: every
// type, wrapped unions at any depth, named types by full name, bytes as code
// points, NaN and infinities as strings, the bare-union convenience and its
// ambiguity refusal, the work cap, and bytes from a topic that are not Avro.
#include "registry/avro_json.h"

#include <gtest/gtest.h>

#include "registry/avro_schema.h"

namespace samsa::registry::avro {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::shared_ptr<const schema> parsed(const std::string& text) {
  auto s = parse(text, {});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.err().message);
  return s.ok() ? *s : nullptr;
}

std::span<const uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// JSON text -> binary -> JSON text (spec style, compact).
std::string round_trip(const schema& s, const std::string& value_json, json_style style = json_style::spec) {
  auto encoded = encode_from_json(s, json::parse(value_json));
  if (!encoded) return "encode: " + encoded.err().message;
  auto decoded = decode_to_json(s, bytes(*encoded), style);
  if (!decoded) return "decode: " + decoded.err().message;
  return decoded->dump();
}

std::string refusal(const schema& s, const std::string& value_json) {
  auto encoded = encode_from_json(s, json::parse(value_json));
  return encoded ? "accepted" : encoded.err().message;
}

std::string decode_error(const schema& s, const std::string& binary) {
  auto decoded = decode_to_json(s, bytes(binary));
  return decoded ? "decoded: " + decoded->dump() : decoded.err().message;
}

TEST(AvroJson, EveryPrimitiveTypeRoundTrips) {
  EXPECT_EQ(round_trip(*parsed(R"("null")"), "null"), "null");
  EXPECT_EQ(round_trip(*parsed(R"("boolean")"), "true"), "true");
  EXPECT_EQ(round_trip(*parsed(R"("int")"), "-2147483648"), "-2147483648");
  EXPECT_EQ(round_trip(*parsed(R"("long")"), "9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(round_trip(*parsed(R"("float")"), "0.5"), "0.5");
  EXPECT_EQ(round_trip(*parsed(R"("double")"), "-2.25"), "-2.25");
  EXPECT_EQ(round_trip(*parsed(R"("string")"), R"("h\u00e9 \u2603")"), "\"h\xC3\xA9 \xE2\x98\x83\"");
  EXPECT_EQ(round_trip(*parsed(R"("bytes")"), R"("ab")"), R"("ab")");
  EXPECT_EQ(round_trip(*parsed(R"({"type":"fixed","name":"F","size":2})"), R"("\u0000\u00ff")"),
            json(std::string("\0\xC3\xBF", 3)).dump());
  EXPECT_EQ(round_trip(*parsed(R"({"type":"enum","name":"E","symbols":["A","B"]})"), R"("B")"), R"("B")");
  EXPECT_EQ(round_trip(*parsed(R"({"type":"array","items":"int"})"), "[1,2,3]"), "[1,2,3]");
  EXPECT_EQ(round_trip(*parsed(R"({"type":"map","values":"long"})"), R"({"b":2,"a":1})"), R"({"a":1,"b":2})");
  // Logical types keep their underlying type's form.
  EXPECT_EQ(round_trip(*parsed(R"({"type":"long","logicalType":"timestamp-millis"})"), "1700000000000"), "1700000000000");
  EXPECT_EQ(round_trip(*parsed(R"({"type":"string","logicalType":"uuid"})"), R"("0b3f1c52-2c8e-4c0a-9a4b-3f7c2d1e0a9b")"),
            R"("0b3f1c52-2c8e-4c0a-9a4b-3f7c2d1e0a9b")");
  EXPECT_EQ(round_trip(*parsed(R"({"type":"bytes","logicalType":"decimal","precision":5,"scale":2})"), R"("\u0004\u00d2")"),
            json(std::string("\x04\xC3\x92", 3)).dump());
}

TEST(AvroJson, BinaryFormIsAvros) {
  auto s = parsed(R"({"type":"record","name":"R","fields":[{"name":"s","type":"string"},{"name":"n","type":"long"},
                      {"name":"u","type":["null","int"]}]})");
  auto encoded = encode_from_json(*s, json::parse(R"({"s":"p1","n":-3,"u":{"int":1}})"));
  ASSERT_TRUE(encoded.ok()) << encoded.err().message;
  // "p1": length 2 (zigzag 4), -3 zigzag 5, branch 1 (zigzag 2), 1 (zigzag 2).
  EXPECT_EQ(*encoded, std::string("\x04p1\x05\x02\x02", 6));
}

TEST(AvroJson, UnionsAreWrappedByBranchNameAndNullIsBare) {
  auto s = parsed(R"({"type":"record","name":"Payment","namespace":"com.acme","fields":[
    {"name":"note","type":["null","string"],"default":null},
    {"name":"amount","type":["null","int","double"]},
    {"name":"payer","type":["null",{"type":"record","name":"Party","namespace":"com.acme.people",
                                     "fields":[{"name":"name","type":"string"}]}]},
    {"name":"kind","type":["null",{"type":"enum","name":"Kind","symbols":["CARD","CASH"]}]}]})");
  EXPECT_EQ(round_trip(*s, R"({"note":{"string":"hi"},"amount":{"int":5},"payer":{"com.acme.people.Party":{"name":"Ann"}},
                              "kind":{"com.acme.Kind":"CASH"}})"),
            R"({"note":{"string":"hi"},"amount":{"int":5},"payer":{"com.acme.people.Party":{"name":"Ann"}},"kind":{"com.acme.Kind":"CASH"}})");
  EXPECT_EQ(round_trip(*s, R"({"note":null,"amount":null,"payer":null,"kind":null})"),
            R"({"note":null,"amount":null,"payer":null,"kind":null})");
  // The default of a union field is a value of its first branch.
  EXPECT_EQ(round_trip(*s, R"({"amount":{"double":2.5},"payer":null,"kind":null})"),
            R"({"note":null,"amount":{"double":2.5},"payer":null,"kind":null})");
  // The plain style (the PostgreSQL sink) unwraps.
  EXPECT_EQ(round_trip(*s, R"({"note":{"string":"hi"},"amount":{"int":5},"payer":{"com.acme.people.Party":{"name":"Ann"}},
                              "kind":null})", json_style::plain),
            R"({"note":"hi","amount":5,"payer":{"name":"Ann"},"kind":null})");
}

TEST(AvroJson, NestedUnionsInArraysMapsAndRecords) {
  auto s = parsed(R"({"type":"record","name":"Outer","namespace":"ns","fields":[
    {"name":"items","type":{"type":"array","items":["null","long",{"type":"record","name":"In","fields":[
        {"name":"tag","type":["null","string"]}]}]}},
    {"name":"by_key","type":{"type":"map","values":["null",{"type":"array","items":["string","In"]}]}}]})");
  std::string wrapped = R"({"items":[null,{"long":7},{"ns.In":{"tag":{"string":"x"}}},{"ns.In":{"tag":null}}],)"
                        R"("by_key":{"a":null,"b":{"array":[{"string":"s"},{"ns.In":{"tag":null}}]}}})";
  EXPECT_EQ(round_trip(*s, wrapped), wrapped);
  // Bare values are accepted where exactly one branch takes them, and come back wrapped.
  EXPECT_EQ(round_trip(*s, R"({"items":[null,7,{"tag":"x"}],"by_key":{"b":["s",{"tag":null}]}})"),
            R"({"items":[null,{"long":7},{"ns.In":{"tag":{"string":"x"}}}],)"
            R"("by_key":{"b":{"array":[{"string":"s"},{"ns.In":{"tag":null}}]}}})");
  // A named branch may also be named by its short name (when only one branch has it).
  EXPECT_EQ(round_trip(*s, R"({"items":[{"In":{"tag":null}}],"by_key":{}})"), R"({"items":[{"ns.In":{"tag":null}}],"by_key":{}})");
}

TEST(AvroJson, AmbiguousBareValuesAreRefusedWithTheWayToWrapThem) {
  auto s = parsed(R"({"type":"record","name":"R","fields":[{"name":"amount","type":["null","int","long"]},
                      {"name":"text","type":["string","bytes","null"],"default":"x"}]})");
  EXPECT_EQ(refusal(*s, R"({"amount":5})"),
            "ambiguous value for union [\"null\",\"int\",\"long\"] at /amount: wrap it as {\"int\": \xE2\x80\xA6} or "
            "{\"long\": \xE2\x80\xA6}");
  EXPECT_EQ(refusal(*s, R"({"amount":{"long":5}})"), "accepted");
  EXPECT_EQ(refusal(*s, R"({"amount":5000000000})"), "accepted");  // only long takes it
  EXPECT_NE(refusal(*s, R"({"amount":null,"text":"a"})").find("wrap it as {\"string\": \xE2\x80\xA6} or {\"bytes\": \xE2\x80\xA6}"),
            std::string::npos);
  // A character beyond U+00FF cannot be bytes: only string takes it.
  EXPECT_EQ(refusal(*s, R"({"amount":null,"text":"\u2603"})"), "accepted");
  EXPECT_EQ(refusal(*s, R"({"amount":"5"})"), "at /amount: \"5\" fits no branch of the union [\"null\",\"int\",\"long\"]");
  EXPECT_EQ(refusal(*s, R"({"amount":{"short":5}})"),
            "at /amount: {\"short\":5} fits no branch of the union [\"null\",\"int\",\"long\"]");
  // Inside a wrapped value the path goes through the branch name.
  EXPECT_EQ(refusal(*s, R"({"amount":{"int":"5"}})"), "at /amount/int: expected an int, got \"5\"");
}

TEST(AvroJson, NaNAndInfinityAreStrings) {
  auto s = parsed(R"({"type":"record","name":"R","fields":[{"name":"f","type":"float"},{"name":"d","type":"double"},
                      {"name":"u","type":["null","double"]}]})");
  EXPECT_EQ(round_trip(*s, R"({"f":"NaN","d":"-Infinity","u":{"double":"Infinity"}})"),
            R"({"f":"NaN","d":"-Infinity","u":{"double":"Infinity"}})");
  EXPECT_EQ(round_trip(*s, R"({"f":"Infinity","d":"NaN","u":"NaN"})"), R"({"f":"Infinity","d":"NaN","u":{"double":"NaN"}})");
  EXPECT_NE(refusal(*s, R"({"f":"nan","d":1,"u":null})").find("at /f: expected a number"), std::string::npos);
  EXPECT_NE(refusal(*s, R"({"f":1e300,"d":1,"u":null})").find("within float's range"), std::string::npos);
}

TEST(AvroJson, EveryByteValueRoundTripsAsACodePoint) {
  auto s = parsed(R"({"type":"record","name":"R","fields":[{"name":"b","type":"bytes"},
                      {"name":"f","type":{"type":"fixed","name":"Block","size":256}}]})");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string binary = std::string("\x80\x04", 2) + all + all;  // bytes: length 256 (zigzag 512)
  auto decoded = decode_to_json(*s, bytes(binary));
  ASSERT_TRUE(decoded.ok()) << decoded.err().message;
  // Byte 0xE9 is U+00E9, written in UTF-8 as C3 A9.
  EXPECT_NE(decoded->dump().find("\xC3\xA9"), std::string::npos);
  EXPECT_EQ((*decoded)["f"], (*decoded)["b"]);
  auto encoded = encode_from_json(*s, json::parse(decoded->dump()));
  ASSERT_TRUE(encoded.ok()) << encoded.err().message;
  EXPECT_EQ(*encoded, binary);
  // The plain style (PostgreSQL sink) gives the bytes themselves.
  auto plain = decode_to_json(*s, bytes(binary), json_style::plain);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)["b"].get<std::string>(), all);
  // A character beyond U+00FF is refused, naming where.
  EXPECT_NE(refusal(*s, R"({"b":"ok\u0100","f":""})").find("at /b: character 2 is beyond U+00FF"), std::string::npos);
  EXPECT_NE(refusal(*s, R"({"b":"","f":"short"})").find("at /f: fixed Block takes 256 bytes, got 5"), std::string::npos);
}

TEST(AvroJson, RecordsKeepFieldOrderAndRefuseUnknownOrMissingFields) {
  auto s = parsed(R"({"type":"record","name":"P","namespace":"shop","fields":[{"name":"z","type":"int"},
                      {"name":"a","type":"int","default":4},{"name":"m","type":"string"}]})");
  EXPECT_EQ(round_trip(*s, R"({"m":"x","z":1})"), R"({"z":1,"a":4,"m":"x"})");
  EXPECT_EQ(refusal(*s, R"({"z":1})"), "at /: the field \"m\" of shop.P is missing (it has no default)");
  EXPECT_EQ(refusal(*s, R"({"z":1,"m":"x","q":1})"), "at /: shop.P has no field \"q\"");
  EXPECT_EQ(refusal(*s, R"({"z":1.5,"m":"x"})"), "at /z: expected an int, got 1.5");
  EXPECT_EQ(refusal(*s, R"({"z":2147483648,"m":"x"})"), "at /z: expected a 32-bit integer (int), got 2147483648");
  // A large value is quoted by its start only.
  json big = {{"z", std::string(1 << 20, 'x')}, {"m", "x"}};
  EXPECT_EQ(encode_from_json(*s, big).err().message, "at /z: expected an int, got \"" + std::string(56, 'x') + "...");
  big["z"] = json::array({json::array({1, 2, 3}), std::string(1 << 20, 'x')});
  EXPECT_EQ(encode_from_json(*s, big).err().message, "at /z: expected an int, got [[1,2,3],\"" + std::string(47, 'x') + "...");
}

TEST(AvroJson, DefaultsWithUnionsAndBytesFollowTheSpec) {
  // A default is written in the schema's JSON form: a union takes its first branch unwrapped,
  // bytes are code points, also inside a record default.
  auto s = parsed(R"({"type":"record","name":"R","fields":[
    {"name":"u","type":["long","null"],"default":7},
    {"name":"b","type":"bytes","default":"\u00e9"},
    {"name":"r","type":{"type":"record","name":"In","fields":[{"name":"x","type":["string","null"]}]},
     "default":{"x":"d"}}]})");
  EXPECT_EQ(round_trip(*s, "{}"), ordered_json::parse(R"({"u":{"long":7},"b":"\u00e9","r":{"x":{"string":"d"}}})").dump());
  auto encoded = encode_from_json(*s, json::object());
  ASSERT_TRUE(encoded.ok()) << encoded.err().message;
  EXPECT_EQ(*encoded, std::string("\x00\x0e\x02\xe9\x00\x02" "d", 7));
}

TEST(AvroJson, RecursiveTypesAndDepthLimit) {
  auto s = parsed(R"({"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]})");
  EXPECT_EQ(round_trip(*s, R"({"next":{"Node":{"next":null}}})"), R"({"next":{"Node":{"next":null}}})");
  std::string deep = "null";
  for (int i = 0; i < 100; ++i) deep = R"({"next":)" + deep + "}";
  deep = R"({"next":)" + deep + "}";
  EXPECT_NE(refusal(*s, deep).find("nested more than"), std::string::npos);
  // The binary side: a chain deeper than the limit is refused, not recursed into.
  std::string chain(400, '\x02');
  chain.push_back('\0');
  EXPECT_NE(decode_error(*s, chain).find("nested more than"), std::string::npos);
}

TEST(AvroJson, WorkIsCapped) {
  // Each level of a bare value fits two record branches: trying them all
  // doubles per level (2^40 here) without the cap.
  auto s = parsed(R"({"type":"record","name":"A","fields":[{"name":"next","type":["null","A",
                      {"type":"record","name":"B","fields":[{"name":"next","type":["null","A","B"]}]}]}]})");
  std::string value = "null";
  for (int i = 0; i < 40; ++i) value = R"({"next":)" + value + "}";
  EXPECT_NE(refusal(*s, value).find("more than 1000000 steps"), std::string::npos);
  // A block count of items that take no bytes cannot make the decoder loop for long.
  auto nulls = parsed(R"({"type":"array","items":"null"})");
  EXPECT_NE(decode_error(*nulls, std::string("\x80\x80\x80\x80\x80\x40", 6)).find("more than 1000000 steps"), std::string::npos);
  EXPECT_NE(decode_error(*nulls, std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10)).find("out of range"),
            std::string::npos);
  EXPECT_EQ(decode_error(*nulls, std::string("\x06\x00", 2)), "decoded: [null,null,null]");
  // Negative count: followed by the block's byte size.
  EXPECT_EQ(decode_error(*nulls, std::string("\x03\x00\x00", 3)), "decoded: [null,null]");
}

TEST(AvroJson, LargeValuesUnderNestedBareUnions) {
  // Each level's union is tried in place: the 4 MiB leaf is written once,
  // not copied per level, and comes out intact.
  auto s = parsed(R"({"type":"record","name":"N","fields":[{"name":"next","type":["null","string","N"]}]})");
  json v = {{"next", std::string(4 << 20, 'y')}};
  for (int i = 0; i < 30; ++i) v = json{{"next", v}};
  auto encoded = encode_from_json(*s, v);
  ASSERT_TRUE(encoded.ok()) << encoded.err().message;
  EXPECT_EQ(encoded->size(), 31 + 4 + (4u << 20));  // 31 branch indexes, the length's varint, the bytes
  auto decoded = decode_to_json(*s, bytes(*encoded));
  ASSERT_TRUE(decoded.ok()) << decoded.err().message;
  const ordered_json* at = &*decoded;
  for (int i = 0; i < 30; ++i) at = &(*at)["next"]["N"];
  EXPECT_EQ((*at)["next"]["string"].get_ref<const std::string&>(), std::string(4 << 20, 'y'));
}

TEST(AvroJson, TruncatedOrGarbageBinaryIsAClearError) {
  auto s = parsed(R"({"type":"record","name":"R","fields":[{"name":"s","type":"string"},
                      {"name":"u","type":["null","long"]},{"name":"e","type":{"type":"enum","name":"E","symbols":["X"]}},
                      {"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"m","type":{"type":"map","values":"int"}}]})");
  std::string good = std::string("\x02" "a" "\x02\x04" "\x00" "\x01" "\x02" "\x02\x02k\x02\x00", 12);
  EXPECT_EQ(decode_error(*s, good), R"(decoded: {"s":"a","u":{"long":2},"e":"X","b":true,"i":1,"m":{"k":1}})");
  for (size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(decode_to_json(*s, bytes(good.substr(0, n))).ok()) << n;
  EXPECT_EQ(decode_error(*s, good + "x"), "1 bytes left after the Avro value");
  EXPECT_EQ(decode_error(*s, std::string("\x0a" "a", 2)), "at /s: length 5 runs past the end at byte 1");
  EXPECT_NE(decode_error(*s, std::string("\x02" "a" "\x04", 3)).find("at /u: union branch 2 is out of range for [\"null\",\"long\"]"),
            std::string::npos);
  EXPECT_NE(decode_error(*s, std::string("\x02" "a" "\x00\x02", 4)).find("at /e: enum index 1 is out of range"), std::string::npos);
  EXPECT_NE(decode_error(*s, std::string("\x02" "a" "\x00\x00\x07", 5)).find("at /b: boolean byte 7"), std::string::npos);
  EXPECT_NE(decode_error(*s, std::string("\x02" "a" "\x00\x00\x01\xff\xff\xff\xff\x7f", 10)).find("at /i: ") , std::string::npos);
  EXPECT_NE(decode_error(*s, std::string("\x02" "a" "\x00\x00\x01\x02\x02\x02k", 9)).find("at /m/k: truncated varint"),
            std::string::npos);
  EXPECT_NE(decode_error(*s, std::string(11, '\xff')).find("varint longer than 10 bytes"), std::string::npos);
}

TEST(AvroJson, StringsThatAreNotUtf8StayDumpable) {
  auto s = parsed(R"("string")");
  auto decoded = decode_to_json(*s, bytes(std::string("\x04\xff\xfe", 3)));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->dump(-1, ' ', false, ordered_json::error_handler_t::replace), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace samsa::registry::avro
