// The authorizer: Kafka's StandardAuthorizer decisions over an in-memory ACL
// table indexed by resource type and name, since a check sits on every
// request. Order of rules: a super user is allowed; otherwise every ACL whose
// pattern applies to the resource (the literal name, the literal "*", any
// PREFIXED pattern the name starts with) and whose principal (or "User:*")
// and host (or "*") match is considered: one matching DENY denies, else one
// matching ALLOW allows; a resource with no ACL at all follows
// allow.everyone.if.no.acl.found; a resource with ACLs, none matching, is denied.
// An ALLOW for READ, WRITE, DELETE or ALTER also allows DESCRIBE, an ALLOW for
// ALTER_CONFIGS also allows DESCRIBE_CONFIGS, ALL covers every operation; a
// DENY denies only its own operation (or all, for ALL).
// Not thread-safe: the broker uses it on its handler thread only.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "security/acl/acl_binding.h"
#include "security/principal.h"

namespace samsa::acl {

struct authorizer_options {
  std::set<std::string> super_users;            // "User:admin"
  bool allow_everyone_if_no_acl_found = false;  // Kafka's default
};

// `super.users`: principals separated by semicolons ("User:admin;User:ops").
std::set<std::string> parse_super_users(std::string_view text);

struct decision {
  enum class rule { super_user, deny_acl, allow_acl, no_acl_found, no_matching_acl };
  bool allowed = false;
  rule why = rule::no_matching_acl;
  const acl_binding* acl = nullptr;  // the deciding ACL (deny_acl, allow_acl); valid until the table changes
};

// "SuperUser", "DenyAcl (...)", "DefaultDeny" and the like, for the audit log.
std::string describe(const decision& d);

class authorizer {
 public:
  explicit authorizer(authorizer_options options = {});

  // Changes (add, remove) hold this lock exclusively. A reader on another
  // thread than the one that makes changes holds it, shared, across its
  // checks and its use of a decision's `acl`.
  std::shared_lock<std::shared_mutex> read_lock() const { return std::shared_lock(mu_); }

  // Adds an ACL; false if it was there already. The caller validated it
  // (why_not_creatable).
  bool add(const acl_binding& b);
  // Removes an ACL; false if it was not there.
  bool remove(const acl_binding& b);
  bool contains(const acl_binding& b) const { return all_.contains(b); }
  size_t size() const { return all_.size(); }

  // Every ACL the filter matches, in a stable order (resource type, name,
  // pattern, principal, host, operation, permission).
  std::vector<acl_binding> acls(const acl_filter& f) const;

  decision authorize(const security::principal& who, std::string_view host, operation op, resource_type type,
                     std::string_view resource_name) const;

  // Whether `who` may do `op` on some resource of the type (Kafka's
  // authorizeByResourceType, used by InitProducerId: an idempotent producer
  // needs IDEMPOTENT_WRITE on the cluster or WRITE on any topic, KIP-679).
  // Allowed for a super user, when a resource without ACLs would be allowed
  // (allow.everyone.if.no.acl.found), or when an ALLOW ACL of the type for
  // exactly `op` (or ALL) names a pattern that no DENY dominates: a LITERAL
  // "*" DENY dominates everything, a LITERAL DENY the same literal name, a
  // PREFIXED DENY every pattern starting with its prefix. Implied operations
  // do not count here, as in Kafka.
  bool authorize_any(const security::principal& who, std::string_view host, operation op, resource_type type) const;

  // Kafka's authorized-operations bit set: each supported operation of the
  // resource type that authorize() allows.
  int32_t authorized_operations(const security::principal& who, std::string_view host, resource_type type,
                                std::string_view resource_name) const;

  const authorizer_options& options() const { return options_; }

 private:
  using acl_list = std::vector<const acl_binding*>;
  // Looked up by string_view, so a check allocates nothing.
  struct name_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using by_name = std::unordered_map<std::string, acl_list, name_hash, std::equal_to<>>;
  struct type_index {
    by_name literal;   // "*" included
    by_name prefixed;
    std::map<size_t, size_t> prefix_lengths;             // length -> number of prefixed patterns that long
  };
  type_index& index_of(resource_type t) { return by_type_[static_cast<size_t>(code(t)) % by_type_.size()]; }
  const type_index& index_of(resource_type t) const {
    return by_type_[static_cast<size_t>(code(t)) % by_type_.size()];
  }

  authorizer_options options_;
  mutable std::shared_mutex mu_;
  std::set<acl_binding> all_;  // owns the ACLs; the index points into it (set nodes never move)
  std::array<type_index, 8> by_type_;
};

}  // namespace samsa::acl
