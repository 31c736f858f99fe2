// DescribeConfigs: v0-4, for TOPIC (2), BROKER (4) and GROUP (32; the share
// group configs, source GROUP_CONFIG when set) resources. Each config
// says where its value comes from (topic override, broker setting, default);
// synonyms (v1+, when asked) list the broker-level names that feed a topic
// config, and v3+ adds types and (when asked) documentation.
// Each resource needs DESCRIBE_CONFIGS (Kafka): on the topic
// (TOPIC_AUTHORIZATION_FAILED, before its existence is looked at), on the
// cluster for the broker (CLUSTER_AUTHORIZATION_FAILED), on the group
// (GROUP_AUTHORIZATION_FAILED). A resource named more than once is described
// once, with the keys of every mention.
#include <map>
#include <set>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_configs_view.h"
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
namespace file_describe_configs {

using request_t = protocol::describe_configs_request_data;
using response_t = protocol::describe_configs_response_data;
using result_t = response_t::describe_configs_result;
using config_t = result_t::describe_configs_resource_result;

constexpr int8_t resource_topic = 2;
constexpr int8_t resource_broker = 4;
constexpr int8_t resource_group = 32;
constexpr int8_t source_group_config = 8;   // Kafka's ConfigSource.GROUP_CONFIG
constexpr int8_t source_default_config = 5;
constexpr int8_t type_string = 2;
constexpr int8_t type_int = 3;

// The configs a resource entry asks for: null means all of them. A set, so
// that a long key list costs one pass, not one pass per config.
class config_filter {
 public:
  explicit config_filter(const request_t::describe_configs_resource& resource) : all_(!resource.configuration_keys) {
    if (!all_) keys_.insert(resource.configuration_keys->begin(), resource.configuration_keys->end());
  }
  bool wanted(const std::string& name) const { return all_ || keys_.contains(name); }

 private:
  bool all_;
  std::unordered_set<std::string_view> keys_;
};

// A resource named more than once is described once, at its first place,
// with the keys of every mention (null, all of them, if any mention asks
// for all): each mention would otherwise repeat every config, with its
// documentation when asked, for a few bytes of request.
void fold_repeated_resources(std::vector<request_t::describe_configs_resource>& resources) {
  std::vector<request_t::describe_configs_resource> folded;
  std::map<std::pair<int8_t, std::string>, size_t> first;
  for (auto& r : resources) {
    auto [at, fresh] = first.try_emplace({r.resource_type, r.resource_name}, folded.size());
    if (fresh) {
      folded.push_back(std::move(r));
      continue;
    }
    auto& keys = folded[at->second].configuration_keys;
    if (!keys) continue;
    if (!r.configuration_keys) {
      keys.reset();
      continue;
    }
    keys->insert(keys->end(), r.configuration_keys->begin(), r.configuration_keys->end());
  }
  resources = std::move(folded);
}

config_t to_wire(const storage::config_entry& entry, const request_t& request, int16_t version) {
  config_t c;
  c.name = entry.name;
  c.value = entry.value;
  c.read_only = false;
  c.config_source = static_cast<int8_t>(entry.source);
  c.is_default = entry.source == storage::config_source::default_config;
  c.is_sensitive = false;
  c.config_type = static_cast<int8_t>(entry.type);
  // Kafka sends null documentation unless asked (the schema's default is "").
  c.documentation = request.include_documentation ? std::optional<std::string>(entry.doc) : std::nullopt;
  if (request.include_synonyms && version >= 1) {
    for (const auto& s : entry.synonyms) {
      config_t::describe_configs_synonym syn;
      syn.name = s.name;
      syn.value = s.value;
      syn.source = static_cast<int8_t>(s.source);
      c.synonyms.push_back(std::move(syn));
    }
  }
  return c;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  topic_registry& topics = ctx.broker.topics();
  fold_repeated_resources(request.resources);
  for (const auto& resource : request.resources) {
    const config_filter filter(resource);
    result_t out;
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    std::vector<storage::config_entry> entries;
    if (auto denied = config_resource_denied(ctx, resource.resource_type, resource.resource_name,
                                             acl::operation::describe_configs)) {
      out.error_code = protocol::to_int(*denied);
      out.error_message = std::string(protocol::default_message(*denied));
      response.results.push_back(std::move(out));
      continue;
    }
    if (resource.resource_type == resource_topic) {
      const topic_entry* topic = topics.find(resource.resource_name);
      if (!topic) {
        out.error_code = protocol::to_int(protocol::error_code::unknown_topic_or_partition);
        out.error_message = "topic '" + resource.resource_name + "' does not exist";
        response.results.push_back(std::move(out));
        continue;
      }
      entries = storage::describe(topic->overrides, topics.broker_settings());
    } else if (resource.resource_type == resource_broker) {
      if (!resource.resource_name.empty() &&
          resource.resource_name != std::to_string(ctx.broker.config().node_id)) {
        out.error_code = protocol::to_int(protocol::error_code::invalid_request);
        out.error_message = "broker " + resource.resource_name + " is not this broker (node " +
                            std::to_string(ctx.broker.config().node_id) + ")";
        response.results.push_back(std::move(out));
        continue;
      }
      entries = describe_broker_configs(ctx.broker.config());
    } else if (resource.resource_type == resource_group) {
      for (const auto& e : ctx.broker.shares().describe_configs(resource.resource_name)) {
        if (!filter.wanted(e.name)) continue;
        config_t c;
        c.name = e.name;
        c.value = e.value;
        c.config_source = e.is_default ? source_default_config : source_group_config;
        c.is_default = e.is_default;
        c.config_type = e.is_int ? type_int : type_string;
        c.documentation = request.include_documentation ? std::optional<std::string>("") : std::nullopt;
        out.configs.push_back(std::move(c));
      }
      response.results.push_back(std::move(out));
      continue;
    } else {
      out.error_code = protocol::to_int(protocol::error_code::invalid_request);
      out.error_message = "resource type " + std::to_string(resource.resource_type) +
                          " is not supported; use TOPIC (2), BROKER (4) or GROUP (32)";
      response.results.push_back(std::move(out));
      continue;
    }
    for (const auto& entry : entries) {
      if (filter.wanted(entry.name)) out.configs.push_back(to_wire(entry, request, ctx.api_version));
    }
    response.results.push_back(std::move(out));
  }
  co_return response;
}

}  // namespace file_describe_configs
}  // namespace

void register_describe_configs(api_table& apis) {
  using namespace file_describe_configs;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::describe_configs), 0,
                                  4, handle);
}

}  // namespace samsa::broker
