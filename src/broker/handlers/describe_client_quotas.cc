// DescribeClientQuotas: v0-1. Filters on entity components with match types
// exact (0), default (1) and any (2); `strict` leaves out entities that have
// types the filter does not name. Bad filters get INVALID_REQUEST, as Kafka.
// Needs DESCRIBE_CONFIGS on the cluster (else CLUSTER_AUTHORIZATION_FAILED).
#include <set>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/client_quotas.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "quota/quota_entity.h"
#include "storage/metadata_store.h"

namespace samsa::broker {

namespace {
namespace file_describe_client_quotas {

using request_t = protocol::describe_client_quotas_request_data;
using response_t = protocol::describe_client_quotas_response_data;

constexpr int8_t match_exact = 0;
constexpr int8_t match_default = 1;
constexpr int8_t match_any = 2;

// Why the filter is refused, empty if it is usable.
std::string check_filter(const request_t& request) {
  std::set<std::string> seen;
  for (const auto& c : request.components) {
    if (c.entity_type != quota::entity_type_user && c.entity_type != quota::entity_type_client_id &&
        c.entity_type != quota::entity_type_ip)
      return "unknown entity type '" + c.entity_type + "' in the filter";
    if (!seen.insert(c.entity_type).second)
      return "entity type '" + c.entity_type + "' appears more than once in the filter";
    switch (c.match_type) {
      case match_exact:
        if (!c.match) return "match type EXACT for '" + c.entity_type + "' needs a match string";
        break;
      case match_default:
      case match_any:
        if (c.match) return "match type " + std::string(c.match_type == match_default ? "DEFAULT" : "ANY") +
                            " for '" + c.entity_type + "' takes no match string";
        break;
      default:
        return "unknown match type " + std::to_string(c.match_type);
    }
  }
  if (seen.contains(quota::entity_type_ip) && seen.size() > 1)
    return "an ip filter component cannot be combined with user or client-id components";
  return {};
}

bool matches(const request_t& request, const storage::client_quota_entity& entity) {
  for (const auto& c : request.components) {
    auto it = entity.find(c.entity_type);
    if (it == entity.end()) return false;
    if (c.match_type == match_exact && it->second != c.match) return false;
    if (c.match_type == match_default && it->second) return false;
  }
  if (request.strict) {
    for (const auto& [type, name] : entity) {
      bool named = false;
      for (const auto& c : request.components) named = named || c.entity_type == type;
      if (!named) return false;
    }
  }
  return true;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  // As Kafka: DESCRIBE_CONFIGS on the cluster, checked before the filter.
  if (!authorized_on_cluster(ctx, acl::operation::describe_configs)) {
    response.error_code = protocol::to_int(protocol::error_code::cluster_authorization_failed);
    response.error_message = std::string(protocol::default_message(protocol::error_code::cluster_authorization_failed));
    response.entries = std::nullopt;
    co_return response;
  }
  if (auto why = check_filter(request); !why.empty()) {
    response.error_code = protocol::to_int(protocol::error_code::invalid_request);
    response.error_message = why;
    response.entries = std::nullopt;
    co_return response;
  }
  // Success keeps ErrorMessage's default, "", as Kafka's answer does.
  client_quotas* quotas = ctx.broker.quotas();
  if (!quotas) co_return response;
  for (const auto& [entity, values] : quotas->store().client_quotas()) {
    if (!matches(request, entity)) continue;
    response_t::entry_data entry;
    for (const auto& [type, name] : entity) {
      response_t::entry_data::entity_data part;
      part.entity_type = type;
      part.entity_name = name;
      entry.entity.push_back(std::move(part));
    }
    for (const auto& [key, value] : values) {
      response_t::entry_data::value_data v;
      v.key = key;
      v.value = value;
      entry.values.push_back(std::move(v));
    }
    response.entries->push_back(std::move(entry));
  }
  co_return response;
}

}  // namespace file_describe_client_quotas
}  // namespace

void register_describe_client_quotas(api_table& apis) {
  using namespace file_describe_client_quotas;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::describe_client_quotas), 0, 1, handle);
}

}  // namespace samsa::broker
