// One ACL (a resource pattern plus an access control entry) and the filters
// that DescribeAcls and DeleteAcls select ACLs with, with Kafka's rules for
// which ACLs may be created and which filters are valid.
#pragma once

#include <compare>
#include <cstddef>
#include <optional>
#include <string>

#include "security/acl/acl_types.h"

namespace samsa::acl {

// Resource names, principals and hosts are bounded so that the broker's ACL
// table has a bound in bytes as well as in count (Kafka has neither); the
// longest Kafka topic name is 249 bytes, a certificate subject rarely 300.
inline constexpr size_t max_acl_field_bytes = 1024;

struct acl_binding {
  resource_type resource = resource_type::topic;
  std::string name;
  pattern_type pattern = pattern_type::literal;
  std::string principal;          // "User:alice", or "User:*" for every principal
  std::string host = "*";         // a client address, or "*" for every host
  operation op = operation::all;
  permission perm = permission::allow;

  auto operator<=>(const acl_binding&) const = default;
  bool operator==(const acl_binding&) const = default;
};

// "(TOPIC:LITERAL:orders, User:alice, *, READ, ALLOW)" for logs and messages.
std::string to_string(const acl_binding& b);

// Why CreateAcls must refuse `b` (Kafka answers INVALID_REQUEST), or nullopt
// when it may be created: ANY/MATCH/UNKNOWN codes, an empty resource name, a
// CLUSTER resource not named "kafka-cluster", a principal without "Type:",
// delegation-token resources (Samsa has no delegation tokens), an oversized field.
std::optional<std::string> why_not_creatable(const acl_binding& b);

// A DescribeAcls / DeleteAcls filter. Absent strings match anything.
struct acl_filter {
  resource_type resource = resource_type::any;
  std::optional<std::string> name;
  pattern_type pattern = pattern_type::any;
  std::optional<std::string> principal;
  std::optional<std::string> host;
  operation op = operation::any;
  permission perm = permission::any;
};

// Why a filter is refused (INVALID_REQUEST): any UNKNOWN element. nullopt if valid.
std::optional<std::string> why_invalid(const acl_filter& f);

// Kafka's filter semantics: resource type ANY or equal; pattern ANY (names
// compared exactly), MATCH (every pattern that applies to the named resource:
// the literal name, the literal "*", prefixes of it) or equal; principal,
// host, operation and permission compared exactly unless absent / ANY.
// A filter with UNKNOWN elements matches nothing.
bool matches(const acl_filter& f, const acl_binding& b);

}  // namespace samsa::acl
