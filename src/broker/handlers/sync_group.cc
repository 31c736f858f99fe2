// SyncGroup: v0-5. Followers wait for the leader's assignment; v5+ carry the
// protocol type and name, which must match the group's. A classic member of a
// consumer-protocol group gets its server-side assignment at once (or
// REBALANCE_IN_PROGRESS when it must rejoin first).
// Needs READ on the group (GROUP_AUTHORIZATION_FAILED), as in Kafka, checked
// after v5's protocol type and name are found present.
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_await.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_sync_group {

using request_t = protocol::sync_group_request_data;
using response_t = protocol::sync_group_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  const bool names_present = ctx.api_version < 5 || (request.protocol_type && request.protocol_name);
  if (names_present && !authorized(ctx, acl::operation::read, acl::resource_type::group, request.group_id)) {
    response_t refused;
    refused.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
    refused.assignment = {};
    co_return refused;
  }
  group::sync_request req;
  req.group_id = request.group_id;
  req.generation_id = request.generation_id;
  req.member_id = request.member_id;
  req.group_instance_id = request.group_instance_id;
  req.protocol_type = request.protocol_type;
  req.protocol_name = request.protocol_name;
  for (auto& a : request.assignments) req.assignments.emplace_back(a.member_id, std::move(a.assignment));

  auto& groups = ctx.broker.groups();
  group::sync_result result;
  if (groups.consumer_groups().has_group(req.group_id)) {
    // A classic member of a consumer-protocol group: its assignment is the
    // coordinator's, nothing to wait for.
    result = groups.consumer_groups().classic_sync(req, groups.consumer_group_topics(), group_service::now_ms());
    groups.rearm();
  } else {
    result = co_await await_answer<group::sync_result>(ctx.broker.io(), [&](auto done) {
      groups.coordinator().sync(std::move(req), group_service::now_ms(), std::move(done));
      groups.rearm();
    });
  }

  response_t response;
  response.error_code = result.error;
  response.protocol_type = result.protocol_type;
  response.protocol_name = result.protocol_name;
  response.assignment = std::move(result.assignment);
  co_return response;
}

}  // namespace file_sync_group
}  // namespace

void register_sync_group(api_table& apis) {
  using namespace file_sync_group;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::sync_group), 0, 5, handle);
}

}  // namespace samsa::broker
