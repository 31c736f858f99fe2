#include "proxy/proxy_body.h"

#include <gtest/gtest.h>

namespace samsa::proxy {
namespace {

TEST(proxy_content_type, reads_the_v2_embedded_formats_and_nothing_else) {
  EXPECT_EQ(v2_produce_format("application/vnd.kafka.binary.v2+json"), format::binary);
  EXPECT_EQ(v2_produce_format("Application/VND.kafka.json.v2+json; charset=UTF-8"), format::json);
  EXPECT_EQ(v2_produce_format("application/vnd.kafka.avro.v2+json"), format::avro);
  EXPECT_EQ(v2_produce_format("application/vnd.kafka.jsonschema.v2+json"), format::jsonschema);
  EXPECT_EQ(v2_produce_format("application/vnd.kafka.protobuf.v2+json"), format::protobuf);
  EXPECT_FALSE(v2_produce_format("application/json"));
  EXPECT_FALSE(v2_produce_format("application/vnd.kafka.v2+json"));
  EXPECT_FALSE(v2_produce_format("application/vnd.kafka.xml.v2+json"));
  EXPECT_FALSE(v2_produce_format("application/vnd.kafka.json.v1+json"));
  EXPECT_FALSE(v2_produce_format(""));
}

TEST(proxy_content_type, v3_takes_json_in_any_case_and_nothing_else) {
  EXPECT_TRUE(v3_json_type("application/json"));
  EXPECT_TRUE(v3_json_type(" Application/JSON ; charset=UTF-8"));
  EXPECT_FALSE(v3_json_type(""));
  EXPECT_FALSE(v3_json_type("application/octet-stream"));
  EXPECT_FALSE(v3_json_type("application/vnd.kafka.json.v2+json"));
  EXPECT_FALSE(v3_json_type("application/jsonx"));
}

TEST(proxy_v2_produce, decodes_binary_records) {
  auto b = parse_v2_produce(R"({"records":[{"key":"a2V5","value":"dmFs","partition":2},{"value":null}]})",
                            format::binary, {});
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->records.size(), 2u);
  EXPECT_EQ(b->records[0].key, "key");
  EXPECT_EQ(b->records[0].value, "val");
  EXPECT_EQ(b->records[0].partition, 2);
  EXPECT_FALSE(b->records[1].key);
  EXPECT_FALSE(b->records[1].value);
  EXPECT_FALSE(b->records[1].partition);
}

TEST(proxy_v2_produce, keeps_json_values_as_json_text) {
  auto b = parse_v2_produce(R"({"records":[{"key":{"id":1},"value":[1,"x",null]}]})", format::json, {});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->records[0].key, R"({"id":1})");
  EXPECT_EQ(b->records[0].value, R"([1,"x",null])");
}

TEST(proxy_v2_produce, refuses_with_confluents_codes) {
  auto not_json = parse_v2_produce("{records", format::json, {});
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().status, 400);
  auto bad_base64 = parse_v2_produce(R"({"records":[{"value":"!!"}]})", format::binary, {});
  ASSERT_FALSE(bad_base64);
  EXPECT_EQ(bad_base64.error().status, 422);
  auto bad_partition = parse_v2_produce(R"({"records":[{"value":1,"partition":-1}]})", format::json, {});
  ASSERT_FALSE(bad_partition);
  EXPECT_EQ(bad_partition.error().code, codes::unprocessable);
  auto empty = parse_v2_produce(R"({"records":[]})", format::json, {});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().status, 422);
  auto no_value_schema = parse_v2_produce(R"({"records":[{"value":{"a":1}}]})", format::avro, {});
  ASSERT_FALSE(no_value_schema);
  EXPECT_EQ(no_value_schema.error().code, codes::value_schema_missing);
  auto no_key_schema = parse_v2_produce(R"({"value_schema_id":1,"records":[{"key":1,"value":{"a":1}}]})", format::avro, {});
  ASSERT_FALSE(no_key_schema);
  EXPECT_EQ(no_key_schema.error().code, codes::key_schema_missing);
  auto with_schema = parse_v2_produce(R"({"value_schema_id":7,"records":[{"value":{"a":1}}]})", format::avro, {});
  ASSERT_TRUE(with_schema);
  EXPECT_EQ(with_schema->value_schema.id, 7);
}

TEST(proxy_v2_produce, bounds_the_records_of_one_request) {
  body_limits limits;
  limits.max_records = 2;
  auto ok = parse_v2_produce(R"({"records":[{"value":1},{"value":2}]})", format::json, limits);
  EXPECT_TRUE(ok);
  auto over = parse_v2_produce(R"({"records":[{"value":1},{"value":2},{"value":3}]})", format::json, limits);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().status, 413);
}

TEST(proxy_v2_produce, refuses_deep_nesting_before_parsing_it) {
  std::string deep = R"({"records":[{"value":)" + std::string(200, '[') + std::string(200, ']') + "}]}";
  auto b = parse_v2_produce(deep, format::json, {});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().status, 400);
}

TEST(proxy_v3, reads_a_record) {
  auto r = parse_v3_record(
      R"({"partition_id":1,"headers":[{"name":"h","value":"dg=="}],"key":{"type":"STRING","data":"k"},)"
      R"("value":{"type":"BINARY","data":"AAE="},"timestamp":"2026-12-04T01:02:03.456Z"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->partition, 1);
  ASSERT_EQ(r->headers.size(), 1u);
  EXPECT_EQ(r->headers[0].value, "v");
  EXPECT_EQ(r->key->bytes, "k");
  EXPECT_EQ(r->value->bytes, std::string("\0\1", 2));
  EXPECT_EQ(r->timestamp_ms, 1796346123456);
  auto json_default = parse_v3_record(R"({"value":{"data":{"x":1}}})");
  ASSERT_TRUE(json_default);
  EXPECT_EQ(json_default->value->type, "JSON");
  EXPECT_EQ(json_default->value->bytes, R"({"x":1})");
  EXPECT_FALSE(parse_v3_record(R"({"value":{"type":"AVRO","data":{}}})"));  // no schema_id
  EXPECT_FALSE(parse_v3_record(R"({"value":{"type":"XML","data":"x"}})"));
  EXPECT_FALSE(parse_v3_record(R"({"value":{"type":"BINARY","data":"@@"}})"));
  EXPECT_FALSE(parse_v3_record(R"({"timestamp":"yesterday"})"));
}

TEST(proxy_time, iso8601_round_trips) {
  EXPECT_EQ(parse_iso8601_utc("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601_utc("2000-03-01T00:00:00.5+00:00"), 951868800500);
  EXPECT_EQ(format_iso8601_utc(951868800500), "2000-03-01T00:00:00.500Z");
  EXPECT_FALSE(parse_iso8601_utc("2000-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601_utc("2000-01-01T00:00:00+02:00"));
}

TEST(proxy_consumers, reads_the_instance_config) {
  auto c = parse_consumer_create(R"({"name":"c1","format":"json","auto.offset.reset":"earliest","auto.commit.enable":"false"})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->name, "c1");
  EXPECT_EQ(c->embedded, format::json);
  EXPECT_TRUE(c->reset_earliest);
  EXPECT_FALSE(c->auto_commit);
  auto defaults = parse_consumer_create("");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->embedded, format::binary);
  EXPECT_FALSE(defaults->reset_earliest);
  EXPECT_TRUE(defaults->auto_commit);
  auto bad = parse_consumer_create(R"({"auto.offset.reset":"sometimes"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, codes::invalid_consumer_config);
  EXPECT_FALSE(parse_consumer_create(R"({"name":"a/b"})"));
  EXPECT_FALSE(parse_consumer_create(R"({"format":"xml"})"));
}

TEST(proxy_consumers, reads_subscriptions_and_commits) {
  auto s = parse_subscription(R"({"topics":["a","b","a"]})", {});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(parse_subscription(R"({"topic_pattern":"a.*"})", {}));
  EXPECT_FALSE(parse_subscription(R"({"topics":[]})", {}));
  body_limits one;
  one.max_topics = 1;
  EXPECT_FALSE(parse_subscription(R"({"topics":["a","b"]})", one));
  auto all = parse_commit("", {});
  ASSERT_TRUE(all);
  EXPECT_FALSE(*all);
  auto some = parse_commit(R"({"offsets":[{"topic":"a","partition":1,"offset":5}]})", {});
  ASSERT_TRUE(some);
  ASSERT_TRUE(*some);
  EXPECT_EQ((**some)[0].offset, 5);
  EXPECT_FALSE(parse_commit(R"({"offsets":[{"topic":"a","partition":1,"offset":-1}]})", {}));
  EXPECT_FALSE(parse_commit(R"({"offsets":[{"topic":"a","offset":1}]})", {}));
}

}  // namespace
}  // namespace samsa::proxy
