// CreateTopics: v0-7. Replication factor must be 1 or -1 (one broker);
// explicit replica assignments may only name this broker. validate_only runs
// every check without creating anything. v5+ answers with the topic's configs.
// Authorization, as Kafka: CREATE on the cluster allows every topic, else
// each topic needs CREATE on itself (TOPIC_AUTHORIZATION_FAILED, checked
// after the duplicate-name check); the configs of a created topic are
// answered only with DESCRIBE_CONFIGS on it (else the topic's config error
// is TOPIC_AUTHORIZATION_FAILED and no configs are listed). Refused topics
// do not count towards the request's partition limit.
#include <set>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_names.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "storage/log_config.h"

namespace samsa::broker {

namespace {
namespace file_create_topics {

using request_t = protocol::create_topics_request_data;
using response_t = protocol::create_topics_response_data;
using result_t = response_t::creatable_topic_result;

admin_result check_assignments(const broker_state& broker, const request_t::creatable_topic& topic) {
  if (topic.assignments.empty()) return {};
  if (topic.num_partitions != -1 || topic.replication_factor != -1) {
    return admin_result::fail(protocol::error_code::invalid_request,
                              "give either replica assignments or num_partitions/replication_factor, not both");
  }
  for (const auto& a : topic.assignments) {
    if (a.partition_index != static_cast<int32_t>(&a - topic.assignments.data())) {
      return admin_result::fail(protocol::error_code::invalid_replica_assignment,
                                "replica assignments must list partitions 0..n-1 in order");
    }
    if (a.broker_ids.size() != 1 || a.broker_ids[0] != broker.config().node_id) {
      return admin_result::fail(protocol::error_code::invalid_replica_assignment,
                                "this is a single-broker cluster: every partition's only replica must be broker " +
                                    std::to_string(broker.config().node_id));
    }
  }
  return {};
}

void describe_configs_into(result_t& out, const topic_registry& topics, const std::map<std::string, std::string>& overrides) {
  for (const auto& entry : storage::describe(overrides, topics.broker_settings())) {
    response_t::creatable_topic_result::creatable_topic_configs c;
    c.name = entry.name;
    c.value = entry.value;
    c.read_only = false;
    c.config_source = static_cast<int8_t>(entry.source);
    c.is_sensitive = false;
    out.configs->push_back(std::move(c));
  }
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  broker_state& broker = ctx.broker;
  topic_registry& topics = broker.topics();
  response_t response;
  std::multiset<std::string> names;
  for (const auto& t : request.topics) names.insert(t.name);
  const bool cluster_create = authorized_on_cluster(ctx, acl::operation::create, false);
  std::set<std::string> denied;
  for (const auto& t : request.topics) {
    if (names.count(t.name) > 1 || is_internal_topic_name(t.name) || cluster_create) continue;
    if (!authorized(ctx, acl::operation::create, acl::resource_type::topic, t.name)) denied.insert(t.name);
  }
  // Kafka 4.0 refuses the whole request when its topics together ask for
  // more than max_new_partitions_per_request partitions.
  int64_t requested = 0;
  for (const auto& t : request.topics) {
    if (denied.contains(t.name)) continue;
    int64_t n = !t.assignments.empty() ? static_cast<int64_t>(t.assignments.size())
                : t.num_partitions == -1 ? broker.config().num_partitions
                                         : t.num_partitions;
    if (n > 0) requested += n;
  }
  const bool too_many = requested > max_new_partitions_per_request;

  for (const auto& t : request.topics) {
    result_t out;
    out.name = t.name;
    std::map<std::string, std::string> configs;
    for (const auto& c : t.configs) {
      if (c.value) configs[c.name] = *c.value;
    }
    int32_t partitions = !t.assignments.empty() ? static_cast<int32_t>(t.assignments.size())
                         : t.num_partitions == -1 ? broker.config().num_partitions
                                                  : t.num_partitions;
    int16_t replication = t.replication_factor == -1 ? broker.config().default_replication_factor
                                                     : t.replication_factor;
    admin_result outcome;
    if (names.count(t.name) > 1) {
      outcome = admin_result::fail(protocol::error_code::invalid_request,
                                   "topic '" + t.name + "' appears more than once in the request");
    } else if (denied.contains(t.name)) {
      outcome = admin_result::fail(protocol::error_code::topic_authorization_failed, "Authorization failed.");
    } else if (too_many) {
      outcome = admin_result::fail(protocol::error_code::policy_violation,
                                   "the request asks for " + std::to_string(requested) +
                                       " partitions in all; one request may create at most " +
                                       std::to_string(max_new_partitions_per_request));
    } else if (is_internal_topic_name(t.name)) {
      outcome = admin_result::fail(protocol::error_code::invalid_request,
                                   "topic '" + t.name + "' is the broker's own; it is created on first use");
    } else if (outcome = check_assignments(broker, t); outcome.ok()) {
      if (request.validate_only) {
        outcome = topics.check_new_topic(t.name, partitions, replication, configs);
      } else {
        outcome = co_await topics.create_async(ctx.broker.workers(), t.name, partitions, replication, configs);
      }
    }
    out.error_code = protocol::to_int(outcome.code);
    if (!outcome.ok()) {
      out.error_message = outcome.message;
    } else {
      out.error_message = std::nullopt;  // as Kafka answers a success
      out.num_partitions = partitions;
      out.replication_factor = replication;
      if (const topic_entry* created = topics.find(t.name)) out.topic_id = created->id;
      if (authorized(ctx, acl::operation::describe_configs, acl::resource_type::topic, t.name, false)) {
        out.configs.emplace();
        describe_configs_into(out, topics, configs);
      } else {
        out.topic_config_error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
      }
    }
    response.topics.push_back(std::move(out));
  }
  co_return response;
}

}  // namespace file_create_topics
}  // namespace

void register_create_topics(api_table& apis) {
  using namespace file_create_topics;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::create_topics), 0,
                                  7, handle);
}

}  // namespace samsa::broker
