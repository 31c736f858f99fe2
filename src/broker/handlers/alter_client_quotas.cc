// AlterClientQuotas: v0-1. Each entry sets and removes quota keys of one
// entity (user and/or client-id; a null name is `<default>`). An entry is
// checked whole, then written as one metadata record (fdatasync on the worker
// pool), so it is applied entirely or not at all; validate_only checks only.
// Errors as Kafka gives them: INVALID_REQUEST with a message per entry.
// Needs ALTER_CONFIGS on the cluster (else every entry answers
// CLUSTER_AUTHORIZATION_FAILED). Samsa's own bounds (Kafka keeps any number
// of entities with names of any length, forever): an entity name of at most
// 1 KiB (INVALID_REQUEST) and at most client.quota.max.entities entities
// (POLICY_VIOLATION for a new one; removing an entity's last quota frees
// its place).
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
#include "storage/errc.h"
#include "storage/metadata_store.h"

namespace samsa::broker {

namespace {
namespace file_alter_client_quotas {

using request_t = protocol::alter_client_quotas_request_data;
using response_t = protocol::alter_client_quotas_response_data;

// As an ACL principal: quotas name users and client ids, and no real one
// comes near 1 KiB.
constexpr size_t max_entity_name_bytes = 1024;

// Why the entity is refused, empty if it is usable.
std::string check_entity(const request_t::entry_data& entry, storage::client_quota_entity& out) {
  if (entry.entity.empty()) return "the client quota entity is empty";
  for (const auto& part : entry.entity) {
    if (part.entity_name && part.entity_name->size() > max_entity_name_bytes) {
      // Not repeated in the answer: the client has it, and it may be huge.
      return "a " + part.entity_type.substr(0, 32) + " name of " + std::to_string(part.entity_name->size()) +
             " bytes is longer than the " + std::to_string(max_entity_name_bytes) + " bytes Samsa accepts";
    }
    if (part.entity_type == quota::entity_type_ip)
      return "ip quota entities (connection_creation_rate) are not supported by Samsa";
    if (part.entity_type != quota::entity_type_user && part.entity_type != quota::entity_type_client_id)
      return "unknown entity type '" + part.entity_type + "'";
    if (out.contains(part.entity_type)) return "entity type '" + part.entity_type + "' appears more than once";
    out[part.entity_type] = part.entity_name;
  }
  return {};
}

// Applies the entry's ops to `values`; why they are refused, empty if fine.
std::string apply_ops(const request_t::entry_data& entry, storage::client_quota_values& values) {
  std::set<std::string> seen;
  for (const auto& op : entry.ops) {
    if (!seen.insert(op.key).second) return "quota key '" + op.key + "' appears more than once";
    if (op.remove) {
      if (!quota::parse_quota_key(op.key)) return quota::check_quota_value(op.key, 1);
      values.erase(op.key);
      continue;
    }
    if (auto why = quota::check_quota_value(op.key, op.value); !why.empty()) return why;
    values[op.key] = op.value;
  }
  return {};
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  // As Kafka: ALTER_CONFIGS on the cluster, else every entry answers
  // CLUSTER_AUTHORIZATION_FAILED and nothing changes.
  const bool allowed = authorized_on_cluster(ctx, acl::operation::alter_configs);
  client_quotas* quotas = ctx.broker.quotas();
  bool changed = false;
  for (const auto& entry : request.entries) {
    response_t::entry_data out;
    for (const auto& part : entry.entity) {
      response_t::entry_data::entity_data e;
      e.entity_type = part.entity_type;
      e.entity_name = part.entity_name;
      out.entity.push_back(std::move(e));
    }
    out.error_message = std::nullopt;
    if (!allowed) {
      out.error_code = protocol::to_int(protocol::error_code::cluster_authorization_failed);
      out.error_message = std::string(protocol::default_message(protocol::error_code::cluster_authorization_failed));
      response.entries.push_back(std::move(out));
      continue;
    }
    storage::client_quota_entity entity;
    std::string why = check_entity(entry, entity);
    storage::client_quota_values values;
    bool is_new = false;
    if (why.empty() && quotas) {
      // This entity's values only: copying every entity per entry would
      // cost a request of many entries time in the number kept.
      auto current = quotas->store().client_quota(entity);
      is_new = !current;
      if (current) values = std::move(*current);
      why = apply_ops(entry, values);
    }
    const size_t max_entities = static_cast<size_t>(ctx.broker.config().client_quota_max_entities);
    auto too_many = [&] {
      return "this broker keeps at most " + std::to_string(max_entities) +
             " client quota entities (client.quota.max.entities); remove one first";
    };
    if (!why.empty()) {
      out.error_code = protocol::to_int(protocol::error_code::invalid_request);
      out.error_message = why;
    } else if (quotas && is_new && !values.empty() && quotas->store().client_quota_count() >= max_entities) {
      // Also for validate_only: the entry would be refused for real. The
      // store checks again under its lock (requests may race to the last place).
      out.error_code = protocol::to_int(protocol::error_code::policy_violation);
      out.error_message = too_many();
    } else if (!request.validate_only && quotas) {
      storage::metadata_store* store = &quotas->store();
      auto write = [store, &entity, &values, max_entities] {
        return store->set_client_quotas(entity, values, max_entities);
      };
      status written = co_await ctx.broker.workers().run(write);
      if (!written && storage::is(written.err(), storage::errc::limit_reached)) {
        out.error_code = protocol::to_int(protocol::error_code::policy_violation);
        out.error_message = too_many();
      } else if (!written) {
        out.error_code = protocol::to_int(protocol::error_code::unknown_server_error);
        out.error_message = "client quotas not stored: " + written.err().describe();
      } else {
        changed = true;
      }
    }
    response.entries.push_back(std::move(out));
  }
  if (changed) quotas->reload();
  co_return response;
}

}  // namespace file_alter_client_quotas
}  // namespace

void register_alter_client_quotas(api_table& apis) {
  using namespace file_alter_client_quotas;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::alter_client_quotas), 0, 1, handle);
}

}  // namespace samsa::broker
