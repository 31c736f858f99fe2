// ShareGroupHeartbeat: v1 (KIP-932; v0 was Kafka 4.0's early access and is
// not served). Members join with epoch 0 and a client-made member id, keep
// heartbeating with the epoch they were given, and leave with -1. Every
// membership change bumps the group epoch and assigns every member again
// (share::assign; no revocation step). A group id that belongs to a classic
// or a consumer-protocol group is refused (GROUP_ID_NOT_FOUND). Membership
// changes are journaled and durable before the answer. A join that would
// create a share group gets GROUP_MAX_SIZE_REACHED once the broker holds
// group.share.max.groups of them, and INVALID_GROUP_ID for an id longer than
// 1 KiB (share_service::heartbeat).
// Needs READ on the group (GROUP_AUTHORIZATION_FAILED) and DESCRIBE on every
// subscribed topic (else TOPIC_AUTHORIZATION_FAILED), as in Kafka.
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/share_service.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_share_group_heartbeat {

using request_t = protocol::share_group_heartbeat_request_data;
using response_t = protocol::share_group_heartbeat_response_data;

response_t fail(protocol::error_code code, std::string message) {
  response_t r;
  r.error_code = protocol::to_int(code);
  r.error_message = std::move(message);
  return r;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  if (request.group_id.empty()) co_return fail(protocol::error_code::invalid_request, "GroupId can't be empty.");
  if (!authorized(ctx, acl::operation::read, acl::resource_type::group, request.group_id)) {
    co_return fail(protocol::error_code::group_authorization_failed,
                   std::string(protocol::default_message(protocol::error_code::group_authorization_failed)));
  }
  if (request.subscribed_topic_names) {
    for (const auto& topic : *request.subscribed_topic_names) {
      if (!authorized(ctx, acl::operation::describe, acl::resource_type::topic, topic)) {
        co_return fail(protocol::error_code::topic_authorization_failed,
                       std::string(protocol::default_message(protocol::error_code::topic_authorization_failed)));
      }
    }
  }
  // An id held by a classic or a consumer-protocol group is not a share
  // group's, whatever its state (Kafka converts no group to a share group).
  if (ctx.broker.groups().coordinator().find_group(request.group_id) ||
      ctx.broker.groups().consumer_groups().has_group(request.group_id)) {
    co_return fail(protocol::error_code::group_id_not_found, "Group " + request.group_id + " is not a share group.");
  }
  share_service& shares = ctx.broker.shares();
  share::heartbeat_request req;
  req.member_id = request.member_id;
  req.member_epoch = request.member_epoch;
  req.rack = request.rack_id;
  req.subscribed = request.subscribed_topic_names;
  req.client_id = ctx.client_id;
  req.client_host = "/" + ctx.client.host;
  const auto* before = shares.find_group(request.group_id);
  const int32_t epoch_before = before ? before->group_epoch() : -1;
  auto result = shares.heartbeat(request.group_id, req);
  response_t response;
  if (result.error != share::error_code::none) {
    co_return fail(static_cast<protocol::error_code>(kafka::to_int(result.error)), result.message);
  }
  const auto* group = shares.find_group(request.group_id);
  if (group && group->group_epoch() != epoch_before) {
    if (auto e = co_await shares.make_durable(); e != protocol::error_code::none) {
      co_return fail(e, "The share group's membership could not be made durable.");
    }
  }
  response.member_id = request.member_id;
  response.member_epoch = result.member_epoch;
  response.heartbeat_interval_ms = shares.heartbeat_interval_ms(request.group_id);
  if (result.member_epoch >= 0) {
    auto& assignment = response.assignment.emplace();
    for (const auto& [topic, partitions] : result.assigned) {
      const topic_entry* t = ctx.broker.topics().find(topic);
      if (!t) continue;
      auto& tp = assignment.topic_partitions.emplace_back();
      tp.topic_id = t->id;
      tp.partitions = partitions;
    }
  }
  co_return response;
}

}  // namespace file_share_group_heartbeat
}  // namespace

void register_share_group_heartbeat(api_table& apis) {
  using namespace file_share_group_heartbeat;
  // Share groups are on: level 1 is what Kafka 4.1+ finalizes to enable them.
  apis.features().register_feature("share.version", 0, 1, 1);
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::share_group_heartbeat), 1, 1, handle);
}

}  // namespace samsa::broker
