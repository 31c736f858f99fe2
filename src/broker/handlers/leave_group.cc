// LeaveGroup: v0-5. v0-2 remove the one member named at the top level and
// report its error there; v3+ remove a batch (by member or instance id) with
// an error per member.
// Needs READ on the group (GROUP_AUTHORIZATION_FAILED), as in Kafka.
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
namespace file_leave_group {

using request_t = protocol::leave_group_request_data;
using response_t = protocol::leave_group_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  if (!authorized(ctx, acl::operation::read, acl::resource_type::group, request.group_id)) {
    response_t refused;
    refused.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
    co_return refused;
  }
  std::vector<group::leave_member> members;
  if (ctx.api_version < 3) {
    members.push_back({request.member_id, std::nullopt, std::nullopt});
  } else {
    for (const auto& m : request.members) members.push_back({m.member_id, m.group_instance_id, m.reason});
  }
  auto& groups = ctx.broker.groups();
  group::leave_result result;
  if (groups.consumer_groups().has_group(request.group_id)) {
    // Members of a consumer-protocol group; answered once durable (the group
    // may become classic again when only classic members are left).
    result = co_await await_answer<group::leave_result>(ctx.broker.io(), [&](auto done) {
      groups.consumer_groups().classic_leave(request.group_id, members, group_service::now_ms(), std::move(done));
      groups.rearm();
    });
  } else {
    result = groups.coordinator().leave(request.group_id, members, group_service::now_ms());
    groups.rearm();
  }

  response_t response;
  response.error_code = result.error;
  if (ctx.api_version < 3) {
    if (response.error_code == 0 && !result.members.empty()) response.error_code = result.members.front().error;
  } else {
    for (const auto& m : result.members) {
      auto& out = response.members.emplace_back();
      out.member_id = m.member_id;
      out.group_instance_id = m.group_instance_id;
      out.error_code = m.error;
    }
  }
  co_return response;
}

}  // namespace file_leave_group
}  // namespace

void register_leave_group(api_table& apis) {
  using namespace file_leave_group;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::leave_group), 0, 5, handle);
}

}  // namespace samsa::broker
