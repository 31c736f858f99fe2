// DeleteGroups: v0-2. Only empty groups can be deleted; the group and its
// offsets are tombstoned in __consumer_offsets before the answer. A share
// group (no members) is removed with its share-partition state, durably. A
// consumer-protocol (KIP-848) group with members is NON_EMPTY_GROUP; an empty
// one is removed with its offsets. Each group needs DELETE (Kafka), else it
// answers GROUP_AUTHORIZATION_FAILED and is left alone.
#include <map>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_await.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/share_service.h"
#include "group/errors.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_delete_groups {

using request_t = protocol::delete_groups_request_data;
using response_t = protocol::delete_groups_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  auto& groups = ctx.broker.groups();
  share_service& shares = ctx.broker.shares();
  // Answers decided here (consumer-protocol and share groups), by group id.
  std::map<std::string, int16_t> answers;
  std::vector<std::string> classic;
  std::vector<std::string> share_deleted;
  for (const auto& id : request.groups_names) {
    if (!authorized(ctx, acl::operation::remove, acl::resource_type::group, id)) {
      answers[id] = protocol::to_int(protocol::error_code::group_authorization_failed);
      continue;
    }
    auto& cg = groups.consumer_groups();
    if (cg.has_group(id)) {
      // An empty KIP-848 group goes here; its offsets with the classic
      // coordinator below (which may know none: still a successful delete).
      if (!cg.remove_empty_group(id)) {
        answers[id] = group::errc::non_empty_group;
        continue;
      }
      answers[id] = group::errc::none;
      classic.push_back(id);
      continue;
    }
    if (shares.known_group(id) && !groups.coordinator().find_group(id)) {
      answers[id] = static_cast<int16_t>(protocol::to_int(shares.delete_group(id)));
      share_deleted.push_back(id);
      continue;
    }
    classic.push_back(id);
  }
  if (!share_deleted.empty()) {
    if (auto e = co_await shares.make_durable(); e != protocol::error_code::none) {
      for (const auto& id : share_deleted) answers[id] = static_cast<int16_t>(protocol::to_int(e));
    }
  }
  std::vector<group::group_error> results;
  if (!classic.empty()) {
    results = co_await await_answer<std::vector<group::group_error>>(ctx.broker.io(), [&](auto done) {
      groups.coordinator().delete_groups(classic, group_service::now_ms(), std::move(done));
      groups.rearm();
    });
  }
  std::map<std::string, int16_t> classic_answers;
  for (const auto& r : results) classic_answers[r.group_id] = r.error;
  response_t response;
  for (const auto& id : request.groups_names) {
    auto& out = response.results.emplace_back();
    out.group_id = id;
    auto cg = answers.find(id);
    if (cg != answers.end()) {
      out.error_code = cg->second;
    } else {
      auto it = classic_answers.find(id);
      out.error_code = it != classic_answers.end() ? it->second : group::errc::group_id_not_found;
    }
  }
  co_return response;
}

}  // namespace file_delete_groups
}  // namespace

void register_delete_groups(api_table& apis) {
  using namespace file_delete_groups;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::delete_groups), 0, 2, handle);
}

}  // namespace samsa::broker
