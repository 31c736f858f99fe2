#include "security/acl/acl_binding.h"

#include <gtest/gtest.h>

namespace samsa::acl {
namespace {

acl_binding topic_acl(std::string name, pattern_type p = pattern_type::literal) {
  acl_binding b;
  b.resource = resource_type::topic;
  b.name = std::move(name);
  b.pattern = p;
  b.principal = "User:alice";
  b.host = "*";
  b.op = operation::read;
  b.perm = permission::allow;
  return b;
}

TEST(AclBinding, CreatableAcl) { EXPECT_FALSE(why_not_creatable(topic_acl("orders"))); }

TEST(AclBinding, RefusesFilterOnlyAndUnknownCodes) {
  auto b = topic_acl("orders");
  for (auto p : {pattern_type::any, pattern_type::match, pattern_type::unknown}) {
    b.pattern = p;
    EXPECT_TRUE(why_not_creatable(b)) << name(p);
  }
  b = topic_acl("orders");
  b.resource = resource_type::any;
  EXPECT_TRUE(why_not_creatable(b));
  b.resource = resource_type::unknown;
  EXPECT_TRUE(why_not_creatable(b));
  b = topic_acl("orders");
  b.op = operation::any;
  EXPECT_TRUE(why_not_creatable(b));
  b.op = operation::unknown;
  EXPECT_TRUE(why_not_creatable(b));
  b = topic_acl("orders");
  b.perm = permission::any;
  EXPECT_TRUE(why_not_creatable(b));
}

TEST(AclBinding, RefusesBadNamesAndPrincipals) {
  auto b = topic_acl("");
  EXPECT_TRUE(why_not_creatable(b));
  b = topic_acl("orders");
  b.principal = "";
  EXPECT_TRUE(why_not_creatable(b));
  b.principal = "alice";
  EXPECT_NE(why_not_creatable(b)->find("User:alice"), std::string::npos);
  b = topic_acl("orders");
  b.resource = resource_type::cluster;
  EXPECT_TRUE(why_not_creatable(b));
  b.name = "kafka-cluster";
  EXPECT_FALSE(why_not_creatable(b));
  b = topic_acl("t");
  b.resource = resource_type::delegation_token;
  EXPECT_NE(why_not_creatable(b)->find("delegation token"), std::string::npos);
  b = topic_acl(std::string(max_acl_field_bytes, 'x'));
  EXPECT_FALSE(why_not_creatable(b));
  b = topic_acl(std::string(max_acl_field_bytes + 1, 'x'));
  EXPECT_TRUE(why_not_creatable(b));
}

TEST(AclFilter, UnknownElementsAreInvalidAndMatchNothing) {
  acl_filter f;
  EXPECT_FALSE(why_invalid(f));
  EXPECT_TRUE(matches(f, topic_acl("orders")));
  f.op = operation::unknown;
  EXPECT_TRUE(why_invalid(f));
  EXPECT_FALSE(matches(f, topic_acl("orders")));
}

TEST(AclFilter, AnyComparesNamesExactly) {
  acl_filter f;
  f.name = "orders";
  EXPECT_TRUE(matches(f, topic_acl("orders")));
  EXPECT_TRUE(matches(f, topic_acl("orders", pattern_type::prefixed)));
  EXPECT_FALSE(matches(f, topic_acl("ord", pattern_type::prefixed)));
  EXPECT_FALSE(matches(f, topic_acl("*")));
}

TEST(AclFilter, MatchFindsEveryPatternThatApplies) {
  acl_filter f;
  f.pattern = pattern_type::match;
  f.name = "orders";
  EXPECT_TRUE(matches(f, topic_acl("orders")));
  EXPECT_TRUE(matches(f, topic_acl("*")));
  EXPECT_TRUE(matches(f, topic_acl("ord", pattern_type::prefixed)));
  EXPECT_TRUE(matches(f, topic_acl("orders", pattern_type::prefixed)));
  EXPECT_FALSE(matches(f, topic_acl("orders2", pattern_type::prefixed)));
  EXPECT_FALSE(matches(f, topic_acl("ord")));
  EXPECT_FALSE(matches(f, topic_acl("*", pattern_type::prefixed)));
}

TEST(AclFilter, ExactPatternTypeAndEntryFields) {
  acl_filter f;
  f.pattern = pattern_type::prefixed;
  EXPECT_FALSE(matches(f, topic_acl("orders")));
  EXPECT_TRUE(matches(f, topic_acl("orders", pattern_type::prefixed)));
  f = {};
  f.resource = resource_type::group;
  EXPECT_FALSE(matches(f, topic_acl("orders")));
  f = {};
  f.principal = "User:bob";
  EXPECT_FALSE(matches(f, topic_acl("orders")));
  f.principal = "User:alice";
  EXPECT_TRUE(matches(f, topic_acl("orders")));
  f.host = "10.0.0.1";  // exact: "*" in the ACL is not a wildcard for filters
  EXPECT_FALSE(matches(f, topic_acl("orders")));
  f.host = "*";
  f.op = operation::write;
  EXPECT_FALSE(matches(f, topic_acl("orders")));
  f.op = operation::read;
  f.perm = permission::deny;
  EXPECT_FALSE(matches(f, topic_acl("orders")));
  f.perm = permission::allow;
  EXPECT_TRUE(matches(f, topic_acl("orders")));
}

}  // namespace
}  // namespace samsa::acl
