// DeleteTopics: v0-6. By name (all versions) or by topic id (v6+). The data
// is removed from disk; later produces get UNKNOWN_TOPIC_OR_PARTITION.
#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {

using request_t = protocol::delete_topics_request_data;
using response_t = protocol::delete_topics_response_data;
using result_t = response_t::deletable_topic_result;

boost::asio::awaitable<result_t> delete_one(broker_state& broker, std::optional<std::string> name,
                                           protocol::uuid id) {
  topic_registry& topics = broker.topics();
  result_t out;
  out.topic_id = id;
  const topic_entry* topic = name ? topics.find(*name) : topics.find(id);
  out.name = name;
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
  for (const auto& name : request.topic_names) {
    response.responses.push_back(co_await delete_one(ctx.broker, name, {}));
  }
  for (const auto& t : request.topics) {
    response.responses.push_back(co_await delete_one(ctx.broker, t.name, t.topic_id));
  }
  co_return response;
}

}  // namespace

void register_delete_topics(api_table& apis) {
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::delete_topics), 0,
                                  6, handle);
}

}  // namespace samsa::broker
