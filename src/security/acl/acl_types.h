// The vocabulary of Kafka ACLs with Kafka's wire codes: resource types,
// pattern types, operations and permission types, plus the names tools use
// for them ("TOPIC", "Read", "DESCRIBE_CONFIGS"). Codes a client sends that
// Kafka does not define map to `unknown`, as Kafka's fromCode() does, so a
// request carrying them can be refused with INVALID_REQUEST instead of being
// misread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace samsa::acl {

enum class resource_type : int8_t {
  unknown = 0,
  any = 1,  // filters only
  topic = 2,
  group = 3,
  cluster = 4,
  transactional_id = 5,
  delegation_token = 6,  // Samsa has no delegation tokens: ACLs for them are refused
  user = 7,
};

enum class pattern_type : int8_t {
  unknown = 0,
  any = 1,    // filters only: every pattern type, names compared exactly
  match = 2,  // filters only: every pattern that would apply to the named resource
  literal = 3,
  prefixed = 4,
};

enum class operation : int8_t {
  unknown = 0,
  any = 1,  // filters only
  all = 2,
  read = 3,
  write = 4,
  create = 5,
  remove = 6,  // Kafka's DELETE
  alter = 7,
  describe = 8,
  cluster_action = 9,
  describe_configs = 10,
  alter_configs = 11,
  idempotent_write = 12,
  create_tokens = 13,
  describe_tokens = 14,
};

enum class permission : int8_t {
  unknown = 0,
  any = 1,  // filters only
  deny = 2,
  allow = 3,
};

resource_type resource_type_from_code(int8_t code);
pattern_type pattern_type_from_code(int8_t code);
operation operation_from_code(int8_t code);
permission permission_from_code(int8_t code);

constexpr int8_t code(resource_type v) { return static_cast<int8_t>(v); }
constexpr int8_t code(pattern_type v) { return static_cast<int8_t>(v); }
constexpr int8_t code(operation v) { return static_cast<int8_t>(v); }
constexpr int8_t code(permission v) { return static_cast<int8_t>(v); }

// Kafka's upper-case names: TOPIC, TRANSACTIONAL_ID, PREFIXED, DESCRIBE_CONFIGS, ALLOW.
std::string_view name(resource_type v);
std::string_view name(pattern_type v);
std::string_view name(operation v);
std::string_view name(permission v);

// Accept Kafka's spellings, case-insensitively, with or without the
// underscore ("DescribeConfigs", "describe_configs", "DESCRIBE_CONFIGS").
std::optional<resource_type> parse_resource_type(std::string_view text);
std::optional<pattern_type> parse_pattern_type(std::string_view text);
std::optional<operation> parse_operation(std::string_view text);
std::optional<permission> parse_permission(std::string_view text);

// The bit of `op` in Kafka's authorized-operations bit sets (1 << code).
constexpr int32_t bit(operation op) { return int32_t{1} << static_cast<int8_t>(op); }

// The operations that apply to a resource type (Kafka's supported operations),
// as a bit set: what "authorized operations" may contain for it.
int32_t supported_operations(resource_type type);

// The only name a CLUSTER resource has.
inline constexpr std::string_view cluster_resource_name = "kafka-cluster";
// A LITERAL ACL with this resource name applies to every resource of its type;
// an ACL for this principal applies to every principal; for this host, to every host.
inline constexpr std::string_view wildcard_resource = "*";
inline constexpr std::string_view wildcard_principal = "User:*";
inline constexpr std::string_view wildcard_host = "*";

}  // namespace samsa::acl
