// JoinGroup: v0-9. v0 has no rebalance timeout (the session timeout serves);
// v4+ first answer an unknown member with MEMBER_ID_REQUIRED; v9+ may tell a
// rejoining static leader to skip the assignment. The answer is deferred
// until the group's rebalance completes. A consumer-protocol (KIP-848) group
// with members takes the member in as a classic member of that group
// (consumer_group_coordinator::classic_join; a protocol type other than
// "consumer" gets INCONSISTENT_GROUP_PROTOCOL), answered once durable; an
// empty one gives its id up to a classic group, as Kafka converts it.
// Needs READ on the group (GROUP_AUTHORIZATION_FAILED), as in Kafka.
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
namespace file_join_group {

using request_t = protocol::join_group_request_data;
using response_t = protocol::join_group_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  if (!authorized(ctx, acl::operation::read, acl::resource_type::group, request.group_id)) {
    response_t refused;  // Kafka's error answer: no generation, member, leader or protocol
    refused.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
    refused.generation_id = -1;
    refused.protocol_name = ctx.api_version < 7 ? std::optional<std::string>("") : std::nullopt;
    co_return refused;
  }
  group::join_request req;
  req.group_id = request.group_id;
  req.member_id = request.member_id;
  req.group_instance_id = request.group_instance_id;
  req.client_id = ctx.client_id;
  req.client_host = ctx.client.host;
  req.session_timeout_ms = request.session_timeout_ms;
  req.rebalance_timeout_ms = ctx.api_version == 0 ? request.session_timeout_ms : request.rebalance_timeout_ms;
  req.protocol_type = request.protocol_type;
  for (auto& p : request.protocols) req.protocols.push_back({p.name, std::move(p.metadata)});
  req.require_known_member_id = ctx.api_version >= 4;
  req.supports_skip_assignment = ctx.api_version >= 9;
  req.reason = request.reason;

  auto& groups = ctx.broker.groups();
  // A share group's id is not open to classic members (Kafka: INCONSISTENT_GROUP_PROTOCOL).
  if (ctx.broker.shares().is_share_group(req.group_id)) {
    response_t refused;
    refused.error_code = group::errc::inconsistent_group_protocol;
    refused.member_id = req.member_id;
    if (ctx.api_version < 7) refused.protocol_name = "";
    co_return refused;
  }
  auto& consumer_groups = groups.consumer_groups();
  group::join_result result;
  if (consumer_groups.has_group(req.group_id) && !consumer_groups.is_empty_group(req.group_id)) {
    const auto& settings = groups.settings();
    if (req.session_timeout_ms < settings.min_session_timeout_ms ||
        req.session_timeout_ms > settings.max_session_timeout_ms) {
      result.error = group::errc::invalid_session_timeout;
      result.member_id = req.member_id;
    } else {
      auto topics = groups.consumer_group_topics();
      result = co_await await_answer<group::join_result>(ctx.broker.io(), [&](auto done) {
        consumer_groups.classic_join(req, topics, group_service::now_ms(), std::move(done));
        groups.rearm();
      });
    }
  } else {
    if (consumer_groups.has_group(req.group_id)) consumer_groups.remove_empty_group(req.group_id);
    result = co_await await_answer<group::join_result>(ctx.broker.io(), [&](auto done) {
      groups.coordinator().join(std::move(req), group_service::now_ms(), std::move(done));
      groups.rearm();
    });
  }

  response_t response;
  response.error_code = result.error;
  response.generation_id = result.generation_id;
  response.protocol_type = result.protocol_type;
  response.protocol_name = result.protocol_name;
  // Below v7 the name is not nullable.
  if (ctx.api_version < 7 && !response.protocol_name) response.protocol_name = "";
  response.leader = result.leader_id;
  response.member_id = result.member_id;
  response.skip_assignment = result.skip_assignment;
  for (auto& m : result.members) {
    auto& out = response.members.emplace_back();
    out.member_id = m.member_id;
    out.group_instance_id = m.group_instance_id;
    out.metadata = std::move(m.metadata);
  }
  co_return response;
}

}  // namespace file_join_group
}  // namespace

void register_join_group(api_table& apis) {
  using namespace file_join_group;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::join_group), 0, 9, handle);
}

}  // namespace samsa::broker
