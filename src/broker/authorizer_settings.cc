#include "broker/authorizer_settings.h"

#include <charconv>

#include "security/acl/authorizer.h"

namespace samsa::broker {
namespace {

// Kafka's ACL authorizers: KRaft's StandardAuthorizer and the ZooKeeper-era
// ones that kept ACLs the same way; Samsa's authorizer decides as they do.
bool is_acl_authorizer_class(const std::string& name) {
  return name == standard_authorizer_class || name == "kafka.security.authorizer.AclAuthorizer" ||
         name == "kafka.security.auth.SimpleAclAuthorizer";
}

}  // namespace

bool is_authorizer_key(const std::string& key) {
  return key == "authorizer.class.name" || key == "super.users" || key == "allow.everyone.if.no.acl.found" ||
         key == "authorizer.max.acls";
}

result<authorizer_settings> authorizer_settings_from(const property_map& raw) {
  authorizer_settings out;
  auto find = [&](const char* key) -> const std::string* {
    auto it = raw.find(key);
    return it == raw.end() ? nullptr : &it->second;
  };
  if (const std::string* v = find("authorizer.class.name"); v && !v->empty()) {
    if (!is_acl_authorizer_class(*v)) {
      return make_error(std::errc::invalid_argument,
                        "authorizer.class.name: '" + *v + "' is not supported; use " + standard_authorizer_class +
                            " (Samsa's own authorizer decides as Kafka's StandardAuthorizer), or leave it empty");
    }
    out.enabled = true;
    out.class_name = *v;
  }
  if (const std::string* v = find("super.users")) out.super_users = acl::parse_super_users(*v);
  if (const std::string* v = find("allow.everyone.if.no.acl.found")) {
    if (*v != "true" && *v != "false")
      return make_error(std::errc::invalid_argument,
                        "allow.everyone.if.no.acl.found: '" + *v + "' is not true or false");
    out.allow_everyone_if_no_acl_found = *v == "true";
  }
  if (const std::string* v = find("authorizer.max.acls")) {
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc{} || ptr != v->data() + v->size() || n < 1 || n > 10'000'000)
      return make_error(std::errc::invalid_argument,
                        "authorizer.max.acls: '" + *v + "' is not an integer in [1, 10000000]");
    out.max_acls = static_cast<int32_t>(n);
  }
  return out;
}

}  // namespace samsa::broker
