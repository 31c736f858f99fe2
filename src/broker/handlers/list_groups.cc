// ListGroups: v0-5. v4+ filter by state, v5+ by group type ("classic", or
// "share" for share groups, whose protocol type is "share" too).
#include <algorithm>
#include <cctype>

#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/share_service.h"
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
  auto matches = [](const std::vector<std::string>& filter, const std::string& value) {
    if (filter.empty()) return true;
    for (const auto& f : filter) {
      if (std::equal(f.begin(), f.end(), value.begin(), value.end(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        return true;
      }
    }
    return false;
  };
  for (const auto* g : ctx.broker.shares().list_groups()) {
    if (!matches(request.states_filter, g->state()) || !matches(request.types_filter, "share")) continue;
    auto& out = response.groups.emplace_back();
    out.group_id = g->id();
    out.protocol_type = "share";
    out.group_state = g->state();
    out.group_type = "share";
  }
  co_return response;
}

}  // namespace

void register_list_groups(api_table& apis) {
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::list_groups), 0, 5, handle);
}

}  // namespace samsa::broker
