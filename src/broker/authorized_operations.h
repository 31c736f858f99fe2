// Bit sets of Kafka ACL operations (AclOperation codes) reported as
// "authorized operations" in Metadata, DescribeCluster, DescribeGroups and
// the like. With an authorizer on they come from it (authorized_operations()
// below; handlers use broker/authorization.h's form, which takes the
// request); without one every operation that applies to the resource type is
// allowed, which the constants say.
#pragma once

#include <cstdint>
#include <string_view>

#include "security/acl/authorizer.h"

namespace samsa::broker {

// Kafka's AclOperation codes, as the ACL library defines them (one table of
// codes for the authorizer and the bit sets alike).
using acl_operation = acl::operation;

using acl::bit;

constexpr int32_t all_topic_operations = bit(acl_operation::read) | bit(acl_operation::write) |
                                         bit(acl_operation::create) | bit(acl_operation::remove) |
                                         bit(acl_operation::alter) | bit(acl_operation::describe) |
                                         bit(acl_operation::describe_configs) | bit(acl_operation::alter_configs);

constexpr int32_t all_cluster_operations = bit(acl_operation::create) | bit(acl_operation::alter) |
                                           bit(acl_operation::describe) | bit(acl_operation::cluster_action) |
                                           bit(acl_operation::describe_configs) |
                                           bit(acl_operation::alter_configs) | bit(acl_operation::idempotent_write);

constexpr int32_t all_group_operations =
    bit(acl_operation::read) | bit(acl_operation::remove) | bit(acl_operation::describe);

// The operations `who` (connected from `host`) may perform on a resource:
// the authorizer's answer when one is on (`authorizer` not null), else every
// operation Kafka defines for the resource type.
inline int32_t authorized_operations(const acl::authorizer* authorizer, const security::principal& who,
                                     std::string_view host, acl::resource_type type, std::string_view name) {
  if (authorizer == nullptr) return acl::supported_operations(type);
  return authorizer->authorized_operations(who, host, type, name);
}

}  // namespace samsa::broker
