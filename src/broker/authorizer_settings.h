// The authorizer's settings, by Kafka's property names: it is on when
// `authorizer.class.name` names one of Kafka's ACL authorizers (or
// `samsa serve --authorizer` sets it), with `super.users` and
// `allow.everyone.if.no.acl.found`; `authorizer.max.acls` (Samsa's own)
// bounds the ACL table.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "base/result.h"
#include "broker/properties.h"

namespace samsa::broker {

struct authorizer_settings {
  bool enabled = false;
  std::string class_name;
  std::set<std::string> super_users;  // "User:admin"
  bool allow_everyone_if_no_acl_found = false;
  // ACLs the broker keeps at most; each string of an ACL is at most 1 KiB
  // (acl::max_acl_field_bytes), so the table stays within a few hundred MiB.
  int32_t max_acls = 100000;
};

// What `samsa serve --authorizer` sets authorizer.class.name to.
inline constexpr const char* standard_authorizer_class = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

// Reads the settings above from the resolved properties; a class name that
// is not an ACL authorizer Samsa can stand in for is an error (better than
// running open when the operator asked for ACLs).
result<authorizer_settings> authorizer_settings_from(const property_map& raw);

// Keys read here (so the broker does not warn about them).
bool is_authorizer_key(const std::string& key);

}  // namespace samsa::broker
