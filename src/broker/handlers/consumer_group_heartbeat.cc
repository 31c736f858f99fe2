// ConsumerGroupHeartbeat: v0-1 (KIP-848). Joins, heartbeats and leaves a
// consumer-protocol group; the answer carries the member's epoch and, when it
// changed, its assignment. v1 adds SubscribedTopicRegex and requires the
// consumer to name itself (KIP-1082). Answered once the group's change is
// durable in __consumer_offsets. A member joining a classic group whose
// members use the "consumer" embedded protocol converts it (online upgrade,
// group.consumer.migration.policy); see group_service::consumer_group_heartbeat.
// Needs READ on the group (GROUP_AUTHORIZATION_FAILED) and DESCRIBE on every
// subscribed topic name (else TOPIC_AUTHORIZATION_FAILED), as in Kafka; a
// SubscribedTopicRegex matches only the topics the member's principal may
// DESCRIBE (consumer_group_coordinator::set_regex_topic_filter).
#include <fmt/format.h>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_await.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/share_service.h"
#include "group/errors.h"
#include "protocol/api_keys.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_consumer_group_heartbeat {

using request_t = protocol::consumer_group_heartbeat_request_data;
using response_t = protocol::consumer_group_heartbeat_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  auto& groups = ctx.broker.groups();
  response_t response;
  if (!authorized(ctx, acl::operation::read, acl::resource_type::group, request.group_id)) {
    response.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
    co_return response;
  }
  if (request.subscribed_topic_names) {
    for (const auto& topic : *request.subscribed_topic_names) {
      if (!authorized(ctx, acl::operation::describe, acl::resource_type::topic, topic)) {
        response.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
        co_return response;
      }
    }
  }
  // A share group's id is not open to consumer-protocol members.
  if (ctx.broker.shares().is_share_group(request.group_id)) {
    response.error_code = group::errc::group_id_not_found;
    response.error_message = fmt::format("Group {} is not a consumer group.", request.group_id);
    co_return response;
  }
  group::cg_heartbeat_request req;
  req.api_version = ctx.api_version;
  req.group_id = std::move(request.group_id);
  req.member_id = std::move(request.member_id);
  req.member_epoch = request.member_epoch;
  req.instance_id = std::move(request.instance_id);
  req.rack_id = std::move(request.rack_id);
  req.rebalance_timeout_ms = request.rebalance_timeout_ms;
  req.subscribed_topic_names = std::move(request.subscribed_topic_names);
  req.subscribed_topic_regex = std::move(request.subscribed_topic_regex);
  req.server_assignor = std::move(request.server_assignor);
  if (request.topic_partitions) {
    group::cg_assignment owned;
    for (const auto& tp : *request.topic_partitions) {
      for (int32_t p : tp.partitions) owned[tp.topic_id.bytes].insert(p);
    }
    req.owned = std::move(owned);
  }
  req.client_id = ctx.client_id;
  req.client_host = ctx.client.host;
  req.principal = ctx.client.principal;

  // A classic group under the id is upgraded here when the migration policy allows it.
  auto result = co_await await_answer<group::cg_heartbeat_result>(ctx.broker.io(), [&](auto done) {
    groups.consumer_group_heartbeat(std::move(req), std::move(done));
  });

  response.error_code = result.error;
  response.error_message = std::move(result.error_message);
  response.member_id = std::move(result.member_id);
  response.member_epoch = result.member_epoch;
  response.heartbeat_interval_ms = result.heartbeat_interval_ms;
  if (result.error == 0 && result.assignment) {
    auto& a = response.assignment.emplace();
    for (const auto& [topic, partitions] : *result.assignment) {
      auto& tp = a.topic_partitions.emplace_back();
      tp.topic_id.bytes = topic;
      tp.partitions.assign(partitions.begin(), partitions.end());
    }
  }
  co_return response;
}

}  // namespace file_consumer_group_heartbeat
}  // namespace

void register_consumer_group_heartbeat(api_table& apis) {
  using namespace file_consumer_group_heartbeat;
  // group.version 1: the KIP-848 protocol is enabled; Kafka 4.x clients check
  // it before using group.protocol=consumer.
  apis.features().register_feature("group.version", 0, 1, 1);
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::consumer_group_heartbeat), 0, 1, handle);
}

}  // namespace samsa::broker
