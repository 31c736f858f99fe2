// DeleteGroups: v0-2. Only empty groups can be deleted; the group and its
// offsets are tombstoned in __consumer_offsets before the answer. A share
// group (no members) is removed with its share-partition state, durably.
#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/group_await.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/share_service.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {

using request_t = protocol::delete_groups_request_data;
using response_t = protocol::delete_groups_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  auto& groups = ctx.broker.groups();
  share_service& shares = ctx.broker.shares();
  std::vector<std::string> classic;
  std::vector<group::group_error> results;
  for (const auto& name : request.groups_names) {
    if (!shares.known_group(name) || groups.coordinator().find_group(name)) {
      classic.push_back(name);
      continue;
    }
    results.push_back({name, static_cast<int16_t>(protocol::to_int(shares.delete_group(name)))});
  }
  if (!results.empty()) {
    if (auto e = co_await shares.make_durable(); e != protocol::error_code::none) {
      for (auto& r : results) r.error = protocol::to_int(e);
    }
  }
  if (!classic.empty()) {
    auto more = co_await await_answer<std::vector<group::group_error>>(ctx.broker.io(), [&](auto done) {
      groups.coordinator().delete_groups(classic, group_service::now_ms(), std::move(done));
      groups.rearm();
    });
    results.insert(results.end(), more.begin(), more.end());
  }
  response_t response;
  for (const auto& r : results) {
    auto& out = response.results.emplace_back();
    out.group_id = r.group_id;
    out.error_code = r.error;
  }
  co_return response;
}

}  // namespace

void register_delete_groups(api_table& apis) {
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::delete_groups), 0, 2, handle);
}

}  // namespace samsa::broker
