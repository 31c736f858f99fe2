// Heartbeat: v0-4. Keeps a member's session alive and tells it when the group
// is rebalancing (REBALANCE_IN_PROGRESS).
// Needs READ on the group (GROUP_AUTHORIZATION_FAILED), as in Kafka.
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_heartbeat {

using request_t = protocol::heartbeat_request_data;
using response_t = protocol::heartbeat_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  if (!authorized(ctx, acl::operation::read, acl::resource_type::group, request.group_id)) {
    response_t refused;
    refused.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
    co_return refused;
  }
  group::heartbeat_request req;
  req.group_id = request.group_id;
  req.generation_id = request.generation_id;
  req.member_id = request.member_id;
  req.group_instance_id = request.group_instance_id;
  auto& groups = ctx.broker.groups();
  response_t response;
  // A classic member of a consumer-protocol group is told to rejoin whenever
  // its assignment must change (REBALANCE_IN_PROGRESS).
  response.error_code = groups.consumer_groups().has_group(req.group_id)
                            ? groups.consumer_groups().classic_heartbeat(req, group_service::now_ms())
                            : groups.coordinator().heartbeat(req, group_service::now_ms());
  groups.rearm();
  co_return response;
}

}  // namespace file_heartbeat
}  // namespace

void register_heartbeat(api_table& apis) {
  using namespace file_heartbeat;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::heartbeat), 0, 4, handle);
}

}  // namespace samsa::broker
