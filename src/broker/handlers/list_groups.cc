// ListGroups: v0-5. v4+ filter by state, v5+ by group type: "classic" groups
// from the classic coordinator, "consumer" groups (KIP-848, protocol type
// "consumer") from the consumer group coordinator, "share" groups (protocol
// type "share"). An id held by a consumer group is listed once, as that group
// (its classic entry only holds offsets).
// With an authorizer, as Kafka: DESCRIBE on the cluster lists every group;
// otherwise only the groups the principal may DESCRIBE are listed (no audit
// line for the others: a listing is a filter, not a request for them).
#include <cctype>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/share_service.h"
#include "protocol/api_keys.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_list_groups {

bool matches(const std::vector<std::string>& filter, const std::string& value) {
  if (filter.empty()) return true;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (const auto& f : filter) {
    if (lower(f) == lower(value)) return true;
  }
  return false;
}

using request_t = protocol::list_groups_request_data;
using response_t = protocol::list_groups_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  auto result = ctx.broker.groups().coordinator().list_groups(request.states_filter, request.types_filter);
  auto& consumer_groups = ctx.broker.groups().consumer_groups();
  response_t response;
  response.error_code = result.error;
  if (matches(request.types_filter, "consumer")) {
    for (auto& g : consumer_groups.list()) {
      if (!matches(request.states_filter, g.state)) continue;
      auto& out = response.groups.emplace_back();
      out.group_id = std::move(g.group_id);
      out.protocol_type = "consumer";
      out.group_state = std::move(g.state);
      out.group_type = "consumer";
    }
  }
  for (auto& g : result.groups) {
    if (consumer_groups.has_group(g.group_id)) continue;
    auto& out = response.groups.emplace_back();
    out.group_id = std::move(g.group_id);
    out.protocol_type = std::move(g.protocol_type);
    out.group_state = std::move(g.state);
    out.group_type = std::move(g.group_type);
  }
  for (const auto* g : ctx.broker.shares().list_groups()) {
    if (!matches(request.states_filter, g->state()) || !matches(request.types_filter, "share")) continue;
    auto& out = response.groups.emplace_back();
    out.group_id = g->id();
    out.protocol_type = "share";
    out.group_state = g->state();
    out.group_type = "share";
  }
  if (!authorized_on_cluster(ctx, acl::operation::describe, false)) {
    std::erase_if(response.groups, [&](const auto& g) {
      return !authorized(ctx, acl::operation::describe, acl::resource_type::group, g.group_id, false);
    });
  }
  co_return response;
}

}  // namespace file_list_groups
}  // namespace

void register_list_groups(api_table& apis) {
  using namespace file_list_groups;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::list_groups), 0, 5, handle);
}

}  // namespace samsa::broker
