#include "security/acl/acl_binding.h"

namespace samsa::acl {

std::string to_string(const acl_binding& b) {
  std::string out = "(";
  out += name(b.resource);
  out += ':';
  out += name(b.pattern);
  out += ':';
  out += b.name;
  out += ", " + b.principal + ", " + b.host + ", ";
  out += name(b.op);
  out += ", ";
  out += name(b.perm);
  out += ')';
  return out;
}

std::optional<std::string> why_not_creatable(const acl_binding& b) {
  switch (b.resource) {
    case resource_type::unknown:
    case resource_type::any:
      return "invalid resource type " + std::string(name(b.resource)) + " for an ACL";
    case resource_type::delegation_token:
      return std::string("delegation token ACLs are refused: Samsa has no delegation tokens");
    default:
      break;
  }
  if (b.pattern != pattern_type::literal && b.pattern != pattern_type::prefixed)
    return "invalid pattern type " + std::string(name(b.pattern)) + ": an ACL is LITERAL or PREFIXED (" +
           "ANY and MATCH are for filters only)";
  if (b.op == operation::unknown || b.op == operation::any)
    return "invalid operation " + std::string(name(b.op)) + " for an ACL";
  if (b.perm != permission::allow && b.perm != permission::deny)
    return "invalid permission type " + std::string(name(b.perm)) + ": an ACL is ALLOW or DENY";
  if (b.name.empty()) return std::string("resource name must not be empty");
  if (b.resource == resource_type::cluster && b.name != cluster_resource_name)
    return "the only valid name for the CLUSTER resource is " + std::string(cluster_resource_name);
  if (b.principal.empty()) return std::string("principal must not be empty");
  if (b.principal.find(':') == std::string::npos)
    return "could not parse principal '" + b.principal + "': it needs a type and a name, as in User:alice";
  for (const std::string* field : {&b.name, &b.principal, &b.host}) {
    if (field->size() > max_acl_field_bytes)
      return "resource name, principal and host are limited to " + std::to_string(max_acl_field_bytes) +
             " bytes each; got " + std::to_string(field->size());
  }
  return std::nullopt;
}

std::optional<std::string> why_invalid(const acl_filter& f) {
  if (f.resource == resource_type::unknown || f.pattern == pattern_type::unknown || f.op == operation::unknown ||
      f.perm == permission::unknown)
    return std::string("the filter contains UNKNOWN elements (an unknown resource type, pattern type, operation "
                       "or permission type code)");
  return std::nullopt;
}

namespace {

bool pattern_matches(const acl_filter& f, const acl_binding& b) {
  if (f.resource != resource_type::any && f.resource != b.resource) return false;
  if (f.pattern != pattern_type::any && f.pattern != pattern_type::match && f.pattern != b.pattern) return false;
  if (!f.name) return true;
  if (f.pattern == pattern_type::any || f.pattern == b.pattern) return *f.name == b.name;
  // MATCH: would this ACL apply to the resource the filter names?
  switch (b.pattern) {
    case pattern_type::literal:
      return *f.name == b.name || b.name == wildcard_resource;
    case pattern_type::prefixed:
      return f.name->starts_with(b.name);
    default:
      return false;
  }
}

bool entry_matches(const acl_filter& f, const acl_binding& b) {
  if (f.principal && *f.principal != b.principal) return false;
  if (f.host && *f.host != b.host) return false;
  if (f.op != operation::any && f.op != b.op) return false;
  return f.perm == permission::any || f.perm == b.perm;
}

}  // namespace

bool matches(const acl_filter& f, const acl_binding& b) {
  if (why_invalid(f)) return false;
  return pattern_matches(f, b) && entry_matches(f, b);
}

}  // namespace samsa::acl
