// The Schema Registry's permission table: which ACL each request needs, the
// subject-to-topic mapping, and that the paths are read as the router reads
// them (subjects with '/', suffixes matched from the right).
#include "registry/registry_permissions.h"

#include <gtest/gtest.h>

#include "registry/rest_paths.h"

namespace samsa::registry {
namespace {

using acl::operation;
using acl::resource_type;

http::request make(std::string method, std::string path) {
  http::request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

std::vector<std::string> no_ids(int32_t) { return {}; }

access_need need(std::string method, std::string path,
                 std::function<std::vector<std::string>(int32_t)> ids = no_ids) {
  return need_of(make(std::move(method), std::move(path)), "_schemas", ids);
}

void expect_first(const access_need& n, resource_type type, operation op, const std::string& name) {
  ASSERT_TRUE(n.defined);
  ASSERT_FALSE(n.any_of.empty());
  EXPECT_EQ(n.any_of.front().type, type);
  EXPECT_EQ(n.any_of.front().op, op);
  EXPECT_EQ(n.any_of.front().name, name);
}

TEST(RegistryPermissions, SubjectTopicFollowsTopicNameStrategy) {
  EXPECT_EQ(subject_topic("orders-value"), "orders");
  EXPECT_EQ(subject_topic("orders-key"), "orders");
  EXPECT_EQ(subject_topic("a-b-value"), "a-b");
  // Other strategies: the subject is its own topic name (prefixed ACLs cover them).
  EXPECT_EQ(subject_topic("orders-com.acme.Order"), "orders-com.acme.Order");
  EXPECT_EQ(subject_topic("com.acme.Order"), "com.acme.Order");
  // Nothing left but the suffix: not stripped.
  EXPECT_EQ(subject_topic("-value"), "-value");
  EXPECT_EQ(subject_topic("value"), "value");
}

TEST(RegistryPermissions, EachSubjectRouteNeedsItsOperation) {
  expect_first(need("GET", "/subjects/orders-value/versions"), resource_type::topic, operation::describe, "orders");
  expect_first(need("POST", "/subjects/orders-value/versions"), resource_type::topic, operation::write, "orders");
  expect_first(need("GET", "/subjects/orders-value/versions/latest"), resource_type::topic, operation::describe,
               "orders");
  expect_first(need("GET", "/subjects/orders-value/versions/1/schema"), resource_type::topic, operation::describe,
               "orders");
  expect_first(need("GET", "/subjects/orders-value/versions/1/referencedby"), resource_type::topic,
               operation::describe, "orders");
  expect_first(need("DELETE", "/subjects/orders-value/versions/1"), resource_type::topic, operation::remove,
               "orders");
  expect_first(need("POST", "/subjects/orders-key"), resource_type::topic, operation::describe, "orders");
  expect_first(need("DELETE", "/subjects/orders-key"), resource_type::topic, operation::remove, "orders");
  expect_first(need("POST", "/compatibility/subjects/orders-value/versions/latest"), resource_type::topic,
               operation::describe, "orders");
  expect_first(need("POST", "/compatibility/subjects/orders-value/versions"), resource_type::topic,
               operation::describe, "orders");
  expect_first(need("GET", "/config/orders-value"), resource_type::topic, operation::describe_configs, "orders");
  expect_first(need("PUT", "/config/orders-value"), resource_type::topic, operation::alter_configs, "orders");
  expect_first(need("DELETE", "/mode/orders-value"), resource_type::topic, operation::alter_configs, "orders");
  expect_first(need("GET", "/mode/orders-value"), resource_type::topic, operation::describe_configs, "orders");
}

TEST(RegistryPermissions, GlobalSettingsAreTheClusters) {
  expect_first(need("GET", "/config"), resource_type::cluster, operation::describe_configs, "kafka-cluster");
  expect_first(need("PUT", "/config"), resource_type::cluster, operation::alter_configs, "kafka-cluster");
  expect_first(need("DELETE", "/config"), resource_type::cluster, operation::alter_configs, "kafka-cluster");
  expect_first(need("GET", "/mode"), resource_type::cluster, operation::describe_configs, "kafka-cluster");
  expect_first(need("PUT", "/mode"), resource_type::cluster, operation::alter_configs, "kafka-cluster");
}

TEST(RegistryPermissions, TheSchemasTopicGrantsRegistryWide) {
  auto read = need("GET", "/subjects/x-value/versions");
  ASSERT_EQ(read.any_of.size(), 2u);
  EXPECT_EQ(read.any_of[1].op, operation::read);
  EXPECT_EQ(read.any_of[1].name, "_schemas");
  auto write = need("PUT", "/config");
  ASSERT_EQ(write.any_of.size(), 2u);
  EXPECT_EQ(write.any_of[1].op, operation::write);
  EXPECT_EQ(write.any_of[1].name, "_schemas");
}

TEST(RegistryPermissions, SubjectsWithSlashesAreReadLikeTheRouter) {
  // "a/versions/1/foo" is not a version path: it is the subject of that whole name.
  auto p = parse_subject_path("a/versions/1/foo");
  EXPECT_EQ(p.what, subject_path::shape::subject);
  EXPECT_EQ(p.subject, "a/versions/1/foo");
  expect_first(need("DELETE", "/subjects/a/versions/1/foo"), resource_type::topic, operation::remove,
               "a/versions/1/foo");
  p = parse_subject_path("google/protobuf/timestamp.proto/versions/2/schema");
  EXPECT_EQ(p.what, subject_path::shape::version);
  EXPECT_EQ(p.subject, "google/protobuf/timestamp.proto");
  EXPECT_EQ(p.version, "2");
  EXPECT_EQ(p.leaf, "schema");
  expect_first(need("POST", "/subjects/google/protobuf/timestamp.proto/versions"), resource_type::topic,
               operation::write, "google/protobuf/timestamp.proto");
  auto c = parse_compatibility_path("subjects/a/b-value/versions/3");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->subject, "a/b-value");
  EXPECT_EQ(c->version, "3");
}

TEST(RegistryPermissions, SchemaIdsNeedOneSubjectUsingThem) {
  auto ids = [](int32_t id) -> std::vector<std::string> {
    if (id == 7) return {"orders-value", "payments-value"};
    return {};
  };
  auto n = need("GET", "/schemas/ids/7", ids);
  ASSERT_TRUE(n.defined);
  ASSERT_EQ(n.any_of.size(), 3u);
  EXPECT_EQ(n.any_of[0].name, "orders");
  EXPECT_EQ(n.any_of[1].name, "payments");
  EXPECT_EQ(n.any_of[2].name, "_schemas");
  EXPECT_EQ(need("GET", "/schemas/ids/7/schema", ids).any_of.size(), 3u);
  EXPECT_EQ(need("GET", "/schemas/ids/7/subjects", ids).any_of.size(), 3u);
  // An unknown id: the registry's own 40403, for any authenticated principal.
  auto unknown = need("GET", "/schemas/ids/8", ids);
  EXPECT_TRUE(unknown.defined);
  EXPECT_TRUE(unknown.any_of.empty());
}

TEST(RegistryPermissions, OpenRoutesAndUnknownOnes) {
  EXPECT_TRUE(need("GET", "/").defined);
  EXPECT_TRUE(need("GET", "/").any_of.empty());
  EXPECT_TRUE(need("GET", "/schemas/types").any_of.empty());
  EXPECT_TRUE(need("GET", "/subjects").defined);  // filtered, not refused
  EXPECT_TRUE(need("GET", "/subjects").any_of.empty());
  // Fail closed: whatever the table does not know.
  EXPECT_FALSE(need("POST", "/").defined);
  EXPECT_FALSE(need("PUT", "/subjects").defined);
  EXPECT_FALSE(need("PUT", "/subjects/x/versions").defined);
  EXPECT_FALSE(need("DELETE", "/subjects/x/versions/1/schema").defined);
  EXPECT_FALSE(need("POST", "/schemas/ids/1").defined);
  EXPECT_FALSE(need("GET", "/schemas/ids/1/other").defined);
  EXPECT_FALSE(need("POST", "/config").defined);
  EXPECT_FALSE(need("GET", "/compatibility/subjects/x/versions").defined);
  EXPECT_FALSE(need("GET", "/contexts").defined);
  EXPECT_FALSE(need("GET", "/exporters").defined);
}

TEST(RegistryPermissions, RefusalsInConfluentsFormat) {
  auto r = registry_error_body(403, "no");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"error_code":40301,"message":"no"})");
  EXPECT_EQ(registry_error_body(401, "who").body, R"({"error_code":40101,"message":"who"})");
}

}  // namespace
}  // namespace samsa::registry
