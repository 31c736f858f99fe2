// ShareGroupDescribe: v1 (KIP-932). Members with their subscriptions and
// assignments (topic id and name). A group id that is not a share group is
// GROUP_ID_NOT_FOUND, as Kafka answers; an empty id INVALID_GROUP_ID.
// Each group needs DESCRIBE (else GROUP_AUTHORIZATION_FAILED); authorized
// operations come from the authorizer.
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/first_of_each.h"
#include "broker/handlers/handlers.h"
#include "broker/share_service.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_share_group_describe {

using request_t = protocol::share_group_describe_request_data;
using response_t = protocol::share_group_describe_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  share_service& shares = ctx.broker.shares();
  // A group named more than once is described once (handlers/first_of_each.h).
  keep_first_of_each(request.group_ids, [](const std::string& id) { return std::string_view(id); });
  for (const auto& id : request.group_ids) {
    auto& out = response.groups.emplace_back();
    out.group_id = id;
    if (!authorized(ctx, acl::operation::describe, acl::resource_type::group, id)) {
      out.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
      out.error_message = std::string(protocol::default_message(protocol::error_code::group_authorization_failed));
      continue;
    }
    if (id.empty()) {
      out.error_code = protocol::to_int(protocol::error_code::invalid_group_id);
      out.error_message = "The group id is empty.";
      continue;
    }
    // Configs alone make no group; another protocol's group is named as such (Kafka's messages).
    const share::share_group* g = shares.is_share_group(id) ? shares.find_group(id) : nullptr;
    if (!g) {
      out.error_code = protocol::to_int(protocol::error_code::group_id_not_found);
      const bool other = ctx.broker.groups().coordinator().find_group(id) ||
                         ctx.broker.groups().consumer_groups().has_group(id);
      out.error_message = "Group " + id + (other ? " is not a share group." : " not found.");
      continue;
    }
    out.group_state = g->state();
    out.group_epoch = g->group_epoch();
    out.assignment_epoch = g->assignment_epoch();
    out.assignor_name = "simple";
    if (request.include_authorized_operations) {
      out.authorized_operations = authorized_operations(ctx, acl::resource_type::group, id);
    }
    for (const auto& [mid, m] : g->members()) {
      auto& mo = out.members.emplace_back();
      mo.member_id = mid;
      mo.rack_id = m.rack;
      mo.member_epoch = m.epoch;
      mo.client_id = m.client_id;
      mo.client_host = m.client_host;
      mo.subscribed_topic_names = m.subscribed;
      for (const auto& [topic, partitions] : m.assigned) {
        const topic_entry* t = ctx.broker.topics().find(topic);
        if (!t) continue;
        auto& tp = mo.assignment.topic_partitions.emplace_back();
        tp.topic_id = t->id;
        tp.topic_name = topic;
        tp.partitions = partitions;
      }
    }
    // As Kafka: a group assigned a topic the principal may not DESCRIBE is
    // answered TOPIC_AUTHORIZATION_FAILED without its members.
    bool hidden = false;
    for (const auto& m : out.members) {
      for (const auto& tp : m.assignment.topic_partitions) {
        hidden = hidden || !authorized(ctx, acl::operation::describe, acl::resource_type::topic, tp.topic_name);
      }
    }
    if (hidden) {
      response_t::described_group replaced;
      replaced.group_id = id;
      replaced.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
      replaced.error_message = "The group has described topic(s) that the client is not authorized to describe.";
      out = std::move(replaced);
    }
  }
  co_return response;
}

}  // namespace file_share_group_describe
}  // namespace

void register_share_group_describe(api_table& apis) {
  using namespace file_share_group_describe;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::share_group_describe), 1, 1, handle);
}

}  // namespace samsa::broker
