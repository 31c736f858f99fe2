#include "cli/acl_admin.h"

#include <set>

#include "base/kafka_error_codes.h"
#include "cli/kafka_connection.h"
#include "client/kafka_error.h"

namespace samsa::cli {
namespace {

using acl::acl_binding;
using acl::acl_filter;

std::vector<std::pair<acl::resource_type, std::string>> resources_of(const acl_options& o) {
  std::vector<std::pair<acl::resource_type, std::string>> out;
  for (const auto& t : o.topics) out.emplace_back(acl::resource_type::topic, t);
  for (const auto& g : o.groups) out.emplace_back(acl::resource_type::group, g);
  for (const auto& x : o.transactional_ids) out.emplace_back(acl::resource_type::transactional_id, x);
  for (const auto& u : o.users) out.emplace_back(acl::resource_type::user, u);
  if (o.cluster) out.emplace_back(acl::resource_type::cluster, std::string(acl::cluster_resource_name));
  return out;
}

result<std::vector<acl::operation>> operations_of(const acl_options& o) {
  std::vector<acl::operation> out;
  for (const auto& text : o.operations) {
    auto op = acl::parse_operation(text);
    if (!op || *op == acl::operation::unknown || *op == acl::operation::any)
      return client::make_usage_error("acl", "unknown operation '" + text + "'",
                                      "one of All, Read, Write, Create, Delete, Alter, Describe, ClusterAction, "
                                      "DescribeConfigs, AlterConfigs, IdempotentWrite, CreateTokens, DescribeTokens");
    out.push_back(*op);
  }
  return out;
}

result<acl::pattern_type> pattern_of(const acl_options& o, acl::pattern_type fallback, bool filter) {
  if (o.pattern_type.empty()) return fallback;
  auto p = acl::parse_pattern_type(o.pattern_type);
  bool ok = p && (*p == acl::pattern_type::literal || *p == acl::pattern_type::prefixed ||
                  (filter && (*p == acl::pattern_type::any || *p == acl::pattern_type::match)));
  if (!ok)
    return client::make_usage_error("acl", "--resource-pattern-type " + o.pattern_type + " is not valid here",
                                    filter ? "literal, prefixed, any or match" : "literal or prefixed");
  return *p;
}

std::string describe_code(int16_t code, const std::optional<std::string>& message) {
  std::string out(kafka::error_name(static_cast<kafka::error_code>(code)));
  if (message && !message->empty()) out += ": " + *message;
  return out;
}

acl_binding binding_of(int8_t type, const std::string& name, int8_t pattern, const std::string& principal,
                       const std::string& host, int8_t op, int8_t perm) {
  return {acl::resource_type_from_code(type), name, acl::pattern_type_from_code(pattern), principal, host,
          acl::operation_from_code(op), acl::permission_from_code(perm)};
}

}  // namespace

result<std::vector<acl_binding>> bindings_from(const acl_options& o) {
  auto resources = resources_of(o);
  if (resources.empty())
    return client::make_usage_error("acl create", "no resource given",
                                    "name one with --topic, --group, --transactional-id, --user or --cluster");
  if (o.allow_principals.empty() && o.deny_principals.empty())
    return client::make_usage_error("acl create", "no principal given", "use --allow-principal or --deny-principal");
  auto ops = operations_of(o);
  if (!ops) return ops.err();
  if (ops->empty()) return client::make_usage_error("acl create", "no operation given", "use --operation");
  auto pattern = pattern_of(o, acl::pattern_type::literal, false);
  if (!pattern) return pattern.err();
  std::vector<acl_binding> out;
  auto add = [&](const std::vector<std::string>& principals, std::vector<std::string> hosts, acl::permission perm) {
    if (hosts.empty()) hosts.push_back("*");
    for (const auto& [type, name] : resources)
      for (const auto& p : principals)
        for (const auto& h : hosts)
          for (auto op : *ops) out.push_back({type, name, *pattern, p, h, op, perm});
  };
  add(o.allow_principals, o.allow_hosts, acl::permission::allow);
  add(o.deny_principals, o.deny_hosts, acl::permission::deny);
  for (const auto& b : out)
    if (auto why = acl::why_not_creatable(b)) return client::make_usage_error("acl create", *why);
  return out;
}

result<std::vector<acl_filter>> filters_from(const acl_options& o) {
  auto ops = operations_of(o);
  if (!ops) return ops.err();
  auto resources = resources_of(o);
  // Kafka's tool: LITERAL for a named resource unless told otherwise; everything without one.
  auto pattern = pattern_of(o, resources.empty() ? acl::pattern_type::any : acl::pattern_type::literal, true);
  if (!pattern) return pattern.err();
  std::vector<acl_filter> base(1);
  if (!resources.empty()) {
    base.clear();
    for (const auto& [type, name] : resources) {
      acl_filter f;
      f.resource = type;
      f.name = name;
      base.push_back(f);
    }
  }
  for (auto& f : base) f.pattern = *pattern;
  // Principals: --principal (list), --allow-principal / --deny-principal (delete) each narrow the filter.
  struct who {
    std::optional<std::string> principal;
    acl::permission perm = acl::permission::any;
  };
  std::vector<who> whos;
  for (const auto& p : o.principals) whos.push_back({p, acl::permission::any});
  for (const auto& p : o.allow_principals) whos.push_back({p, acl::permission::allow});
  for (const auto& p : o.deny_principals) whos.push_back({p, acl::permission::deny});
  if (whos.empty()) whos.push_back({});
  std::vector<acl::operation> op_list = ops->empty() ? std::vector<acl::operation>{acl::operation::any} : *ops;
  std::vector<acl_filter> out;
  for (const auto& f : base)
    for (const auto& w : whos)
      for (auto op : op_list) {
        acl_filter g = f;
        g.principal = w.principal;
        g.perm = w.perm;
        g.op = op;
        out.push_back(g);
      }
  return out;
}

acl_admin::acl_admin(std::string bootstrap, std::string client_id, std::chrono::milliseconds timeout)
    : bootstrap_(std::move(bootstrap)), client_id_(std::move(client_id)), timeout_(timeout) {}

result<acl_admin_result> acl_admin::create(const std::vector<acl_binding>& acls) {
  auto c = kafka_connection::open_bootstrap(bootstrap_, client_id_, timeout_);
  if (!c) return c.err();
  auto version = (*c)->version_for<protocol::create_acls_request_data>("CreateAcls");
  if (!version) return version.err();
  protocol::create_acls_request_data req;
  for (const auto& b : acls) {
    if (*version == 0 && b.pattern != acl::pattern_type::literal)
      return client::make_usage_error("acl create", "the broker speaks CreateAcls v0 only: no PREFIXED ACLs");
    auto& w = req.creations.emplace_back();
    w.resource_type = acl::code(b.resource);
    w.resource_name = b.name;
    w.resource_pattern_type = acl::code(b.pattern);
    w.principal = b.principal;
    w.host = b.host;
    w.operation = acl::code(b.op);
    w.permission_type = acl::code(b.perm);
  }
  auto resp = (*c)->call<protocol::create_acls_response_data>(req, *version);
  if (!resp) return resp.err();
  if (resp->results.size() != acls.size())
    return client::make_usage_error("acl create", "the broker answered " + std::to_string(resp->results.size()) +
                                                      " results for " + std::to_string(acls.size()) + " ACLs");
  acl_admin_result out;
  for (size_t i = 0; i < acls.size(); ++i) {
    const auto& r = resp->results[i];
    if (r.error_code == 0) {
      out.acls.push_back(acls[i]);
    } else {
      out.failures.push_back(acl::to_string(acls[i]) + ": " + describe_code(r.error_code, r.error_message));
    }
  }
  return out;
}

result<acl_admin_result> acl_admin::list(const std::vector<acl_filter>& filters) {
  auto c = kafka_connection::open_bootstrap(bootstrap_, client_id_, timeout_);
  if (!c) return c.err();
  auto version = (*c)->version_for<protocol::describe_acls_request_data>("DescribeAcls");
  if (!version) return version.err();
  acl_admin_result out;
  std::set<acl_binding> seen;
  for (const auto& f : filters) {
    protocol::describe_acls_request_data req;
    req.resource_type_filter = acl::code(f.resource);
    req.resource_name_filter = f.name;
    req.pattern_type_filter = acl::code(f.pattern);
    req.principal_filter = f.principal;
    req.host_filter = f.host;
    req.operation = acl::code(f.op);
    req.permission_type = acl::code(f.perm);
    auto resp = (*c)->call<protocol::describe_acls_response_data>(req, *version);
    if (!resp) return resp.err();
    if (resp->error_code != 0)
      return client::make_kafka_error("DescribeAcls", resp->error_code, resp->error_message.value_or(""), bootstrap_);
    for (const auto& r : resp->resources)
      for (const auto& a : r.acls) {
        auto b = binding_of(r.resource_type, r.resource_name, r.pattern_type, a.principal, a.host, a.operation,
                            a.permission_type);
        if (seen.insert(b).second) out.acls.push_back(b);
      }
  }
  return out;
}

result<acl_admin_result> acl_admin::remove(const std::vector<acl_filter>& filters) {
  auto c = kafka_connection::open_bootstrap(bootstrap_, client_id_, timeout_);
  if (!c) return c.err();
  auto version = (*c)->version_for<protocol::delete_acls_request_data>("DeleteAcls");
  if (!version) return version.err();
  protocol::delete_acls_request_data req;
  for (const auto& f : filters) {
    auto& w = req.filters.emplace_back();
    w.resource_type_filter = acl::code(f.resource);
    w.resource_name_filter = f.name;
    w.pattern_type_filter = acl::code(f.pattern);
    w.principal_filter = f.principal;
    w.host_filter = f.host;
    w.operation = acl::code(f.op);
    w.permission_type = acl::code(f.perm);
  }
  auto resp = (*c)->call<protocol::delete_acls_response_data>(req, *version);
  if (!resp) return resp.err();
  acl_admin_result out;
  std::set<acl_binding> seen;
  for (const auto& r : resp->filter_results) {
    if (r.error_code != 0) {
      out.failures.push_back(describe_code(r.error_code, r.error_message));
      continue;
    }
    for (const auto& m : r.matching_acls) {
      auto b = binding_of(m.resource_type, m.resource_name, m.pattern_type, m.principal, m.host, m.operation,
                          m.permission_type);
      if (m.error_code != 0) {
        out.failures.push_back(acl::to_string(b) + ": " + describe_code(m.error_code, m.error_message));
      } else if (seen.insert(b).second) {
        out.acls.push_back(b);
      }
    }
  }
  return out;
}

}  // namespace samsa::cli
