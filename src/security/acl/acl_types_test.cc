#include "security/acl/acl_types.h"

#include <gtest/gtest.h>

namespace samsa::acl {
namespace {

TEST(AclTypes, CodesAreKafkas) {
  EXPECT_EQ(code(resource_type::topic), 2);
  EXPECT_EQ(code(resource_type::user), 7);
  EXPECT_EQ(code(pattern_type::prefixed), 4);
  EXPECT_EQ(code(operation::remove), 6);
  EXPECT_EQ(code(operation::describe_tokens), 14);
  EXPECT_EQ(code(permission::allow), 3);
}

TEST(AclTypes, UnknownCodesBecomeUnknown) {
  EXPECT_EQ(resource_type_from_code(8), resource_type::unknown);
  EXPECT_EQ(resource_type_from_code(-1), resource_type::unknown);
  EXPECT_EQ(pattern_type_from_code(5), pattern_type::unknown);
  EXPECT_EQ(operation_from_code(15), operation::unknown);
  EXPECT_EQ(permission_from_code(4), permission::unknown);
  EXPECT_EQ(operation_from_code(10), operation::describe_configs);
}

TEST(AclTypes, ParsesKafkaSpellings) {
  EXPECT_EQ(parse_operation("DescribeConfigs"), operation::describe_configs);
  EXPECT_EQ(parse_operation("describe_configs"), operation::describe_configs);
  EXPECT_EQ(parse_operation("Delete"), operation::remove);
  EXPECT_EQ(parse_operation("IdempotentWrite"), operation::idempotent_write);
  EXPECT_EQ(parse_resource_type("TransactionalId"), resource_type::transactional_id);
  EXPECT_EQ(parse_pattern_type("prefixed"), pattern_type::prefixed);
  EXPECT_EQ(parse_permission("Deny"), permission::deny);
  EXPECT_FALSE(parse_operation("reed"));
  EXPECT_FALSE(parse_operation(""));
  EXPECT_EQ(name(operation::remove), "DELETE");
}

TEST(AclTypes, SupportedOperationsPerResourceType) {
  EXPECT_EQ(supported_operations(resource_type::group),
            bit(operation::read) | bit(operation::describe) | bit(operation::remove));
  EXPECT_EQ(supported_operations(resource_type::transactional_id), bit(operation::describe) | bit(operation::write));
  EXPECT_EQ(supported_operations(resource_type::user), bit(operation::create_tokens) | bit(operation::describe_tokens));
  EXPECT_TRUE(supported_operations(resource_type::cluster) & bit(operation::idempotent_write));
  EXPECT_FALSE(supported_operations(resource_type::topic) & bit(operation::cluster_action));
  EXPECT_EQ(supported_operations(resource_type::any), 0);
}

}  // namespace
}  // namespace samsa::acl
