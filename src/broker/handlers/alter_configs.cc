// AlterConfigs: v0-2 (replaces a topic's whole override set) and
// IncrementalAlterConfigs: v0-1 (SET / DELETE / APPEND / SUBTRACT per key;
// for a GROUP (32) resource, the share group configs, SET and DELETE).
// Changes are validated as a whole, stored in the metadata log, and applied
// to the live partition logs. Broker configs are static (properties file).
// Each resource needs ALTER_CONFIGS (Kafka): on the topic
// (TOPIC_AUTHORIZATION_FAILED, before its existence is looked at), on the
// cluster for the broker (CLUSTER_AUTHORIZATION_FAILED), on the group
// (GROUP_AUTHORIZATION_FAILED).
#include <algorithm>
#include <sstream>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/share_service.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "storage/log_config.h"

namespace samsa::broker {

namespace {
namespace file_alter_configs {

constexpr int8_t resource_topic = 2;
constexpr int8_t resource_broker = 4;
constexpr int8_t resource_group = 32;

enum class op : int8_t { set = 0, remove = 1, append = 2, subtract = 3 };

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

// Checks the resource is a topic that exists; fills `code`/`message` otherwise.
const topic_entry* find_topic(broker_state& broker, int8_t type, const std::string& name, admin_result& outcome) {
  if (type == resource_broker) {
    outcome = admin_result::fail(protocol::error_code::invalid_request,
                                 "broker configs are static in Samsa: set them in the properties file or with "
                                 "--set and restart the broker");
    return nullptr;
  }
  if (type != resource_topic) {
    outcome = admin_result::fail(protocol::error_code::invalid_request,
                                 "resource type " + std::to_string(type) + " is not supported; use TOPIC (2)");
    return nullptr;
  }
  const topic_entry* topic = broker.topics().find(name);
  if (!topic) {
    outcome = admin_result::fail(protocol::error_code::unknown_topic_or_partition,
                                 "topic '" + name + "' does not exist");
  }
  return topic;
}

admin_result apply_incremental(std::map<std::string, std::string>& overrides, const std::string& name, int8_t operation,
                               const std::optional<std::string>& value) {
  const storage::config_def* def = storage::find_topic_config(name);
  if (!def) return admin_result::fail(protocol::error_code::invalid_config, "unknown topic config '" + name + "'");
  switch (static_cast<op>(operation)) {
    case op::set:
      if (!value) return admin_result::fail(protocol::error_code::invalid_config, name + ": SET needs a value");
      overrides[name] = *value;
      return {};
    case op::remove:
      overrides.erase(name);
      return {};
    case op::append:
    case op::subtract: {
      if (def->type != storage::config_type::list) {
        return admin_result::fail(protocol::error_code::invalid_config,
                                  name + " is not a list config; APPEND and SUBTRACT apply to lists only");
      }
      auto it = overrides.find(name);
      auto items = split_list(it != overrides.end() ? it->second : def->default_value);
      for (const auto& v : split_list(value.value_or(""))) {
        auto found = std::find(items.begin(), items.end(), v);
        if (static_cast<op>(operation) == op::append && found == items.end()) items.push_back(v);
        if (static_cast<op>(operation) == op::subtract && found != items.end()) items.erase(found);
      }
      overrides[name] = join_list(items);
      return {};
    }
  }
  return admin_result::fail(protocol::error_code::invalid_request,
                            "config operation " + std::to_string(operation) + " is not SET, DELETE, APPEND or SUBTRACT");
}

// Kafka answers a success with a null error message (the schema's default is "").
template <typename Result>
void fill(Result& out, const admin_result& outcome) {
  out.error_code = protocol::to_int(outcome.code);
  out.error_message = outcome.ok() ? std::nullopt : std::optional<std::string>(outcome.message);
}

boost::asio::awaitable<protocol::alter_configs_response_data> handle_alter(
    request_context& ctx, protocol::alter_configs_request_data& request) {
  protocol::alter_configs_response_data response;
  for (const auto& resource : request.resources) {
    protocol::alter_configs_response_data::alter_configs_resource_response out;
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    admin_result outcome;
    if (auto denied = config_resource_denied(ctx, resource.resource_type, resource.resource_name,
                                             acl::operation::alter_configs)) {
      outcome = admin_result::fail(*denied, std::string(protocol::default_message(*denied)));
    } else if (find_topic(ctx.broker, resource.resource_type, resource.resource_name, outcome)) {
      std::map<std::string, std::string> overrides;
      for (const auto& c : resource.configs) {
        if (c.value) overrides[c.name] = *c.value;
      }
      auto replace = [&overrides](std::map<std::string, std::string>& current) {
        current = std::move(overrides);
        return admin_result{};
      };
      outcome = co_await ctx.broker.topics().set_overrides_async(ctx.broker.workers(), resource.resource_name,
                                                                 replace, request.validate_only);
    }
    fill(out, outcome);
    response.responses.push_back(std::move(out));
  }
  co_return response;
}

boost::asio::awaitable<protocol::incremental_alter_configs_response_data> handle_incremental(
    request_context& ctx, protocol::incremental_alter_configs_request_data& request) {
  protocol::incremental_alter_configs_response_data response;
  for (const auto& resource : request.resources) {
    protocol::incremental_alter_configs_response_data::alter_configs_resource_response out;
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    admin_result outcome;
    if (auto denied = config_resource_denied(ctx, resource.resource_type, resource.resource_name,
                                             acl::operation::alter_configs)) {
      outcome = admin_result::fail(*denied, std::string(protocol::default_message(*denied)));
    } else if (resource.resource_type == resource_group) {
      std::map<std::string, std::optional<std::string>> changes;
      for (const auto& c : resource.configs) {
        if (c.config_operation == static_cast<int8_t>(op::set) && c.value) {
          changes[c.name] = c.value;
        } else if (c.config_operation == static_cast<int8_t>(op::remove)) {
          changes[c.name] = std::nullopt;
        } else {
          outcome = admin_result::fail(protocol::error_code::invalid_config,
                                       c.name + ": group configs take SET (with a value) or DELETE");
          break;
        }
      }
      if (outcome.ok()) {
        outcome = ctx.broker.shares().alter_configs(resource.resource_name, changes, request.validate_only);
        if (outcome.ok() && !request.validate_only) {
          if (auto e = co_await ctx.broker.shares().make_durable(); e != protocol::error_code::none) {
            outcome = admin_result::fail(e, "the group configs could not be made durable");
          }
        }
      }
    } else if (find_topic(ctx.broker, resource.resource_type, resource.resource_name, outcome)) {
      // Applied to the overrides as they are when this change's turn comes.
      auto apply = [&resource](std::map<std::string, std::string>& current) {
        for (const auto& c : resource.configs) {
          if (admin_result step = apply_incremental(current, c.name, c.config_operation, c.value); !step.ok()) {
            return step;
          }
        }
        return admin_result{};
      };
      outcome = co_await ctx.broker.topics().set_overrides_async(ctx.broker.workers(), resource.resource_name, apply,
                                                                 request.validate_only);
    }
    fill(out, outcome);
    response.responses.push_back(std::move(out));
  }
  co_return response;
}

}  // namespace file_alter_configs
}  // namespace

void register_alter_configs(api_table& apis) {
  using namespace file_alter_configs;
  apis.add<protocol::alter_configs_request_data, protocol::alter_configs_response_data>(
      static_cast<int16_t>(protocol::api_key::alter_configs), 0,
      2, handle_alter);
  apis.add<protocol::incremental_alter_configs_request_data, protocol::incremental_alter_configs_response_data>(
      static_cast<int16_t>(protocol::api_key::incremental_alter_configs), 0,
      1, handle_incremental);
}

}  // namespace samsa::broker
