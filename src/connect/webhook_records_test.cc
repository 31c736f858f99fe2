#include "connect/webhook_records.h"

#include <gtest/gtest.h>

namespace samsa::connect {
namespace {

TEST(WebhookRecords, ObjectIsOneRecordArrayIsMany) {
  auto one = records_from_body(R"({"id": 1, "amount": 5})", std::nullopt);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].value, R"({"amount":5,"id":1})");
  EXPECT_FALSE((*one)[0].key);
  auto many = records_from_body(R"([{"id": "a"}, {"id": 2}, {"id": true}])", std::string("id"));
  ASSERT_TRUE(many) << many.err().message;
  ASSERT_EQ(many->size(), 3u);
  EXPECT_EQ(*(*many)[0].key, "a");
  EXPECT_EQ(*(*many)[1].key, "2");
  EXPECT_EQ(*(*many)[2].key, "true");
}

TEST(WebhookRecords, RefusesWithAReason) {
  auto expect_refused = [](std::string_view body, const std::string& words, std::optional<std::string> key = {}) {
    auto r = records_from_body(body, key, webhook_limits{3, 8});
    ASSERT_FALSE(r) << body;
    EXPECT_NE(r.err().message.find(words), std::string::npos) << r.err().message;
  };
  expect_refused("{", "not JSON");
  expect_refused("", "not JSON");
  expect_refused("[]", "empty array");
  expect_refused("42", "not an object");
  expect_refused(R"([{"a":1}, 2])", "record 1 is JSON number");
  expect_refused(R"([{},{},{},{}])", "at most 3");
  expect_refused(R"({"a": 1})", "no key field \"id\"", "id");
  expect_refused(R"({"id": null})", "is null", "id");
  expect_refused(R"({"id": {"x": 1}})", "is object", "id");
  expect_refused(R"({"a": [[[[[[[[[[1]]]]]]]]]]})", "deeper than 8");
}

TEST(WebhookRecords, JsonContentTypes) {
  EXPECT_TRUE(is_json_content_type("application/json"));
  EXPECT_TRUE(is_json_content_type("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(is_json_content_type("application/vnd.payments+json"));
  EXPECT_FALSE(is_json_content_type("text/plain"));
  EXPECT_FALSE(is_json_content_type(""));
  EXPECT_FALSE(is_json_content_type("application/+json"));
  EXPECT_FALSE(is_json_content_type("application/x-www-form-urlencoded"));
}

}  // namespace
}  // namespace samsa::connect
