// ListGroups: v0-5. v4+ filter by state, v5+ by group type (every group here
// is "classic").
#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {

using request_t = protocol::list_groups_request_data;
using response_t = protocol::list_groups_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  auto result = ctx.broker.groups().coordinator().list_groups(request.states_filter, request.types_filter);
  response_t response;
  response.error_code = result.error;
  for (auto& g : result.groups) {
    auto& out = response.groups.emplace_back();
    out.group_id = std::move(g.group_id);
    out.protocol_type = std::move(g.protocol_type);
    out.group_state = std::move(g.state);
    out.group_type = std::move(g.group_type);
  }
  co_return response;
}

}  // namespace

void register_list_groups(api_table& apis) {
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::list_groups), 0, 5, handle);
}

}  // namespace samsa::broker
