// DeleteTopics: v0-6. By name (all versions) or by topic id (v6+). The data
// is removed from disk; later produces get UNKNOWN_TOPIC_OR_PARTITION.
// Authorization, as Kafka: DELETE on the cluster allows every topic; else a
// topic named without DESCRIBE on it answers TOPIC_AUTHORIZATION_FAILED
// before its existence is looked at, and one that exists without DELETE
// answers it too. By id: an unknown id is UNKNOWN_TOPIC_ID (ids are not
// secret), a topic the principal may not delete TOPIC_AUTHORIZATION_FAILED,
// with its name only when the principal may describe it.
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_delete_topics {

using request_t = protocol::delete_topics_request_data;
using response_t = protocol::delete_topics_response_data;
using result_t = response_t::deletable_topic_result;

boost::asio::awaitable<result_t> delete_one(const request_context& ctx, std::optional<std::string> name,
                                           protocol::uuid id, bool cluster_delete) {
  broker_state& broker = ctx.broker;
  topic_registry& topics = broker.topics();
  result_t out;
  out.topic_id = id;
  auto may = [&](acl::operation op, const std::string& topic_name) {
    return cluster_delete || authorized(ctx, op, acl::resource_type::topic, topic_name);
  };
  auto denied = [&out]() {
    out.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
    out.error_message = std::string(protocol::default_message(protocol::error_code::topic_authorization_failed));
    return out;
  };
  if (name && !may(acl::operation::describe, *name)) co_return denied();
  const topic_entry* topic = name ? topics.find(*name) : topics.find(id);
  out.name = name;
  if (topic && !may(acl::operation::remove, topic->name)) {
    if (!name && may(acl::operation::describe, topic->name)) out.name = topic->name;
    co_return denied();
  }
  if (!topic) {
    out.error_code = protocol::to_int(name ? protocol::error_code::unknown_topic_or_partition
                                           : protocol::error_code::unknown_topic_id);
    out.error_message = name ? "topic '" + *name + "' does not exist" : "no topic has this id";
    co_return out;
  }
  out.name = topic->name;
  out.topic_id = topic->id;
  if (!broker.config().delete_topic_enable) {
    out.error_code = protocol::to_int(protocol::error_code::topic_deletion_disabled);
    out.error_message = "delete.topic.enable is false on this broker";
    co_return out;
  }
  if (topic->internal) {
    out.error_code = protocol::to_int(protocol::error_code::invalid_request);
    out.error_message = "internal topic '" + topic->name + "' cannot be deleted";
    co_return out;
  }
  // The files go on the worker pool; the topic is out of sight at once.
  admin_result removed = co_await topics.remove_async(broker.workers(), topic->name);
  out.error_code = protocol::to_int(removed.code);
  if (!removed.ok()) out.error_message = removed.message;
  co_return out;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  const bool cluster_delete = authorized_on_cluster(ctx, acl::operation::remove, false);
  for (const auto& name : request.topic_names) {
    response.responses.push_back(co_await delete_one(ctx, name, {}, cluster_delete));
  }
  for (const auto& t : request.topics) {
    response.responses.push_back(co_await delete_one(ctx, t.name, t.topic_id, cluster_delete));
  }
  co_return response;
}

}  // namespace file_delete_topics
}  // namespace

void register_delete_topics(api_table& apis) {
  using namespace file_delete_topics;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::delete_topics), 0,
                                  6, handle);
}

}  // namespace samsa::broker
