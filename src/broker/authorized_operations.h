// Bit sets of Kafka ACL operations (AclOperation codes) reported as
// "authorized operations". Samsa has no ACLs yet, so every operation that
// applies to a resource type is allowed.
#pragma once

#include <cstdint>

namespace samsa::broker {

enum class acl_operation : int8_t {
  read = 3,
  write = 4,
  create = 5,
  remove = 6,
  alter = 7,
  describe = 8,
  cluster_action = 9,
  describe_configs = 10,
  alter_configs = 11,
  idempotent_write = 12,
};

constexpr int32_t bit(acl_operation op) { return int32_t{1} << static_cast<int8_t>(op); }

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

}  // namespace samsa::broker
