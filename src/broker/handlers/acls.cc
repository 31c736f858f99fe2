// DescribeAcls, CreateAcls, DeleteAcls: v0-3 each, filters included. Without
// an authorizer (authorizer.class.name unset) Kafka answers these with
// SECURITY_DISABLED, and so does Samsa; admin tools and UIs expect that
// answer rather than a missing API. With one, ACLs are kept in the metadata
// log (broker/acl_service). Version 0 has no pattern type: its filters and
// ACLs are LITERAL (the field's default), so it never sees PREFIXED ACLs.
// With one, as Kafka: DescribeAcls needs DESCRIBE on the cluster, CreateAcls
// and DeleteAcls ALTER (else CLUSTER_AUTHORIZATION_FAILED, for every ACL or
// filter of the request).
#include <map>
#include <tuple>

#include "broker/acl_service.h"
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_acls {

constexpr const char* no_authorizer =
    "no authorizer is configured on this broker (authorizer.class.name): ACLs are not enforced";
const int16_t security_disabled = protocol::to_int(protocol::error_code::security_disabled);

// DescribeAcls and DeleteAcls filters share their fields' names.
template <typename Wire>
acl::acl_filter filter_of(const Wire& f) {
  acl::acl_filter out;
  out.resource = acl::resource_type_from_code(f.resource_type_filter);
  out.name = f.resource_name_filter;
  out.pattern = acl::pattern_type_from_code(f.pattern_type_filter);
  out.principal = f.principal_filter;
  out.host = f.host_filter;
  out.op = acl::operation_from_code(f.operation);
  out.perm = acl::permission_from_code(f.permission_type);
  return out;
}

boost::asio::awaitable<protocol::describe_acls_response_data> describe(
    request_context& ctx, protocol::describe_acls_request_data& request) {
  protocol::describe_acls_response_data response;
  acl_service& acls = ctx.broker.acls();
  if (!acls.enabled()) {
    response.error_code = security_disabled;
    response.error_message = no_authorizer;
    co_return response;
  }
  if (!authorized_on_cluster(ctx, acl::operation::describe)) {
    response.error_code = protocol::to_int(protocol::error_code::cluster_authorization_failed);
    response.error_message = std::string(protocol::default_message(protocol::error_code::cluster_authorization_failed));
    co_return response;
  }
  std::vector<acl::acl_binding> found;
  auto outcome = acls.describe(filter_of(request), found);
  if (outcome.code != protocol::error_code::none) {
    response.error_code = protocol::to_int(outcome.code);
    response.error_message = outcome.message;
    co_return response;
  }
  // Success leaves ErrorMessage at its default, "", as Kafka's DescribeAcls
  // does (unlike DeleteAcls, which sets null).
  // One entry per resource pattern, in the table's order (found is sorted).
  using key = std::tuple<acl::resource_type, std::string, acl::pattern_type>;
  std::map<key, size_t> index;
  for (const auto& b : found) {
    auto [it, fresh] = index.try_emplace(key{b.resource, b.name, b.pattern}, response.resources.size());
    if (fresh) {
      auto& r = response.resources.emplace_back();
      r.resource_type = acl::code(b.resource);
      r.resource_name = b.name;
      r.pattern_type = acl::code(b.pattern);
    }
    auto& a = response.resources[it->second].acls.emplace_back();
    a.principal = b.principal;
    a.host = b.host;
    a.operation = acl::code(b.op);
    a.permission_type = acl::code(b.perm);
  }
  co_return response;
}

boost::asio::awaitable<protocol::create_acls_response_data> create(request_context& ctx,
                                                                    protocol::create_acls_request_data& request) {
  protocol::create_acls_response_data response;
  acl_service& acls = ctx.broker.acls();
  if (!acls.enabled()) {
    for (size_t i = 0; i < request.creations.size(); ++i) {
      response.results.push_back({});
      response.results.back().error_code = security_disabled;
      response.results.back().error_message = no_authorizer;
    }
    co_return response;
  }
  if (!authorized_on_cluster(ctx, acl::operation::alter)) {
    for (size_t i = 0; i < request.creations.size(); ++i) {
      auto& r = response.results.emplace_back();
      r.error_code = protocol::to_int(protocol::error_code::cluster_authorization_failed);
      r.error_message = std::string(protocol::default_message(protocol::error_code::cluster_authorization_failed));
    }
    co_return response;
  }
  std::vector<acl::acl_binding> bindings;
  bindings.reserve(request.creations.size());
  for (const auto& c : request.creations) {
    bindings.push_back({acl::resource_type_from_code(c.resource_type), c.resource_name,
                        acl::pattern_type_from_code(c.resource_pattern_type), c.principal, c.host,
                        acl::operation_from_code(c.operation), acl::permission_from_code(c.permission_type)});
  }
  auto outcomes = co_await acls.create(std::move(bindings));
  for (const auto& o : outcomes) {
    auto& r = response.results.emplace_back();
    r.error_code = protocol::to_int(o.code);
    // Kafka sets a message only on a failed creation: success keeps "".
    if (o.code != protocol::error_code::none) r.error_message = o.message;
  }
  co_return response;
}

boost::asio::awaitable<protocol::delete_acls_response_data> remove(request_context& ctx,
                                                                    protocol::delete_acls_request_data& request) {
  protocol::delete_acls_response_data response;
  acl_service& acls = ctx.broker.acls();
  if (!acls.enabled()) {
    for (size_t i = 0; i < request.filters.size(); ++i) {
      response.filter_results.push_back({});
      response.filter_results.back().error_code = security_disabled;
      response.filter_results.back().error_message = no_authorizer;
    }
    co_return response;
  }
  if (!authorized_on_cluster(ctx, acl::operation::alter)) {
    for (size_t i = 0; i < request.filters.size(); ++i) {
      auto& r = response.filter_results.emplace_back();
      r.error_code = protocol::to_int(protocol::error_code::cluster_authorization_failed);
      r.error_message = std::string(protocol::default_message(protocol::error_code::cluster_authorization_failed));
    }
    co_return response;
  }
  std::vector<acl::acl_filter> filters;
  filters.reserve(request.filters.size());
  for (const auto& f : request.filters) filters.push_back(filter_of(f));
  auto deletions = co_await acls.remove(std::move(filters));
  for (const auto& d : deletions) {
    auto& r = response.filter_results.emplace_back();
    r.error_code = protocol::to_int(d.result.code);
    if (d.result.code == protocol::error_code::none) {
      r.error_message = std::nullopt;
    } else {
      r.error_message = d.result.message;
    }
    for (const auto& b : d.deleted) {
      auto& m = r.matching_acls.emplace_back();
      m.error_code = 0;
      m.error_message = std::nullopt;
      m.resource_type = acl::code(b.resource);
      m.resource_name = b.name;
      m.pattern_type = acl::code(b.pattern);
      m.principal = b.principal;
      m.host = b.host;
      m.operation = acl::code(b.op);
      m.permission_type = acl::code(b.perm);
    }
  }
  co_return response;
}

}  // namespace file_acls
}  // namespace

void register_acls(api_table& apis) {
  using namespace file_acls;
  apis.add<protocol::describe_acls_request_data, protocol::describe_acls_response_data>(
      static_cast<int16_t>(protocol::api_key::describe_acls), 0, 3,
      describe);
  apis.add<protocol::create_acls_request_data, protocol::create_acls_response_data>(
      static_cast<int16_t>(protocol::api_key::create_acls), 0, 3,
      create);
  apis.add<protocol::delete_acls_request_data, protocol::delete_acls_response_data>(
      static_cast<int16_t>(protocol::api_key::delete_acls), 0, 3,
      remove);
}

}  // namespace samsa::broker
