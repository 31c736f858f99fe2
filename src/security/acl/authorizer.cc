#include "security/acl/authorizer.h"

#include <algorithm>

namespace samsa::acl {
namespace {

enum class verdict { none, allow, deny };

// What one ACL (whose pattern applies to the resource) says about the
// request: nothing, ALLOW or DENY.
// "Type:name" == who.to_string(), without building the string.
bool is_principal(const std::string& acl_principal, const security::principal& who) {
  return acl_principal.size() == who.type.size() + 1 + who.name.size() && acl_principal.starts_with(who.type) &&
         acl_principal[who.type.size()] == ':' && acl_principal.ends_with(who.name);
}

verdict judge(const acl_binding& acl, const security::principal& who, std::string_view host, operation op) {
  if (acl.principal != wildcard_principal && !is_principal(acl.principal, who)) return verdict::none;
  if (acl.host != wildcard_host && acl.host != host) return verdict::none;
  if (acl.op != operation::all) {
    if (acl.perm == permission::allow) {
      // Implied operations widen ALLOW ACLs only: a DENY for READ does not deny DESCRIBE.
      switch (op) {
        case operation::describe:
          if (acl.op != operation::describe && acl.op != operation::read && acl.op != operation::write &&
              acl.op != operation::remove && acl.op != operation::alter)
            return verdict::none;
          break;
        case operation::describe_configs:
          if (acl.op != operation::describe_configs && acl.op != operation::alter_configs) return verdict::none;
          break;
        default:
          if (acl.op != op) return verdict::none;
      }
    } else if (acl.op != op) {
      return verdict::none;
    }
  }
  return acl.perm == permission::allow ? verdict::allow : verdict::deny;
}

void drop(std::vector<const acl_binding*>& list, const acl_binding* b) {
  list.erase(std::remove(list.begin(), list.end(), b), list.end());
}

}  // namespace

std::set<std::string> parse_super_users(std::string_view text) {
  std::set<std::string> out;
  while (!text.empty()) {
    auto semi = text.find(';');
    std::string_view item = text.substr(0, semi);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.emplace(item);
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
  }
  return out;
}

std::string describe(const decision& d) {
  switch (d.why) {
    case decision::rule::super_user:
      return "SuperUser";
    case decision::rule::deny_acl:
      return "DenyAcl " + (d.acl ? to_string(*d.acl) : std::string());
    case decision::rule::allow_acl:
      return "AllowAcl " + (d.acl ? to_string(*d.acl) : std::string());
    case decision::rule::no_acl_found:
      return d.allowed ? "DefaultAllow (no ACL on the resource, allow.everyone.if.no.acl.found=true)"
                       : "DefaultDeny (no ACL on the resource)";
    case decision::rule::no_matching_acl:
      return "DefaultDeny (no ACL on the resource matches)";
  }
  return "?";
}

authorizer::authorizer(authorizer_options options) : options_(std::move(options)) {}

bool authorizer::add(const acl_binding& b) {
  std::unique_lock lock(mu_);
  auto [it, inserted] = all_.insert(b);
  if (!inserted) return false;
  type_index& idx = index_of(b.resource);
  const acl_binding* p = &*it;
  if (b.pattern == pattern_type::prefixed) {
    idx.prefixed[b.name].push_back(p);
    ++idx.prefix_lengths[b.name.size()];
  } else {
    idx.literal[b.name].push_back(p);
  }
  return true;
}

bool authorizer::remove(const acl_binding& b) {
  std::unique_lock lock(mu_);
  auto it = all_.find(b);
  if (it == all_.end()) return false;
  type_index& idx = index_of(b.resource);
  const acl_binding* p = &*it;
  if (b.pattern == pattern_type::prefixed) {
    auto found = idx.prefixed.find(b.name);
    drop(found->second, p);
    if (found->second.empty()) idx.prefixed.erase(found);
    if (--idx.prefix_lengths[b.name.size()] == 0) idx.prefix_lengths.erase(b.name.size());
  } else {
    auto found = idx.literal.find(b.name);
    drop(found->second, p);
    if (found->second.empty()) idx.literal.erase(found);
  }
  all_.erase(it);
  return true;
}

std::vector<acl_binding> authorizer::acls(const acl_filter& f) const {
  std::vector<acl_binding> out;
  if (why_invalid(f)) return out;
  for (const auto& b : all_)
    if (matches(f, b)) out.push_back(b);
  return out;
}

decision authorizer::authorize(const security::principal& who, std::string_view host, operation op,
                               resource_type type, std::string_view resource_name) const {
  if (!options_.super_users.empty() && options_.super_users.contains(who.to_string()))
    return {true, decision::rule::super_user, nullptr};

  const type_index& idx = index_of(type);
  bool resource_has_acls = false;
  const acl_binding* allowing = nullptr;
  const acl_binding* denying = nullptr;
  auto consider = [&](const acl_list& list) {
    for (const acl_binding* acl : list) {
      resource_has_acls = true;
      switch (judge(*acl, who, host, op)) {
        case verdict::deny:
          denying = acl;
          return;
        case verdict::allow:
          allowing = acl;
          break;
        case verdict::none:
          break;
      }
    }
  };
  if (auto it = idx.literal.find(resource_name); it != idx.literal.end()) consider(it->second);
  if (!denying && resource_name != wildcard_resource) {
    if (auto it = idx.literal.find(wildcard_resource); it != idx.literal.end()) consider(it->second);
  }
  // Only the lengths some PREFIXED ACL has are looked up: a handful of hash
  // lookups however many ACLs there are.
  for (auto [length, count] : idx.prefix_lengths) {
    if (denying || length > resource_name.size()) break;
    if (auto it = idx.prefixed.find(resource_name.substr(0, length)); it != idx.prefixed.end()) consider(it->second);
  }
  if (denying) return {false, decision::rule::deny_acl, denying};
  if (allowing) return {true, decision::rule::allow_acl, allowing};
  if (!resource_has_acls) return {options_.allow_everyone_if_no_acl_found, decision::rule::no_acl_found, nullptr};
  return {false, decision::rule::no_matching_acl, nullptr};
}

bool authorizer::authorize_any(const security::principal& who, std::string_view host, operation op,
                               resource_type type) const {
  // A name no resource can have (control characters are not valid in topic,
  // group or transactional id names) stands for "a resource nobody wrote an
  // ACL for": the super-user rule and allow.everyone.if.no.acl.found decide it,
  // and a LITERAL "*" or an empty-prefixed ACL applies to it like to any name.
  static constexpr std::string_view unnamed{"\x01", 1};
  if (authorize(who, host, op, type, unnamed).allowed) return true;

  std::set<std::string_view> literal_denied, prefix_denied;
  std::vector<const acl_binding*> allows;
  bool wildcard_allowed = false;
  const type_index& idx = index_of(type);
  auto applies = [&](const acl_binding& acl) {
    if (acl.resource != type) return false;
    if (acl.principal != wildcard_principal && !is_principal(acl.principal, who)) return false;
    if (acl.host != wildcard_host && acl.host != host) return false;
    return acl.op == op || acl.op == operation::all;
  };
  auto collect = [&](const by_name& names) {
    for (const auto& [name, list] : names) {
      for (const acl_binding* acl : list) {
        if (!applies(*acl)) continue;
        const bool literal = acl->pattern != pattern_type::prefixed;
        if (acl->perm == permission::deny) {
          if (literal && acl->name == wildcard_resource) return false;  // denied everywhere
          (literal ? literal_denied : prefix_denied).insert(acl->name);
        } else if (literal && acl->name == wildcard_resource) {
          wildcard_allowed = true;
        } else {
          allows.push_back(acl);
        }
      }
    }
    return true;
  };
  if (!collect(idx.literal) || !collect(idx.prefixed)) return false;
  if (wildcard_allowed) return true;
  for (const acl_binding* allow : allows) {
    if (allow->pattern != pattern_type::prefixed && literal_denied.contains(allow->name)) continue;
    bool dominated = false;
    for (size_t n = 1; n <= allow->name.size() && !dominated; ++n) {
      dominated = prefix_denied.contains(std::string_view(allow->name).substr(0, n));
    }
    if (!dominated) return true;
  }
  return false;
}

int32_t authorizer::authorized_operations(const security::principal& who, std::string_view host,
                                          resource_type type, std::string_view resource_name) const {
  int32_t supported = supported_operations(type);
  int32_t out = 0;
  for (int8_t c = 0; c < 31; ++c) {
    auto op = static_cast<operation>(c);
    if ((supported & bit(op)) && authorize(who, host, op, type, resource_name).allowed) out |= bit(op);
  }
  return out;
}

}  // namespace samsa::acl
