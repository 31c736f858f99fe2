// ConsumerGroupDescribe: v0-1 (KIP-848). Describes consumer-protocol groups:
// state, epochs, assignor and each member with its current and target
// assignment (topic ids with their names). v1 adds MemberType (KIP-1099):
// 1 for a consumer-protocol member, 0 for a classic member (one that joined
// the group with JoinGroup). A classic group or unknown id gets
// GROUP_ID_NOT_FOUND, as Kafka answers. Each group needs DESCRIBE (else
// GROUP_AUTHORIZATION_FAILED); a group whose assignments name a topic the
// principal may not DESCRIBE answers TOPIC_AUTHORIZATION_FAILED without its
// members, as Kafka; authorized operations come from the authorizer.
#include <fmt/format.h>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/first_of_each.h"
#include "broker/handlers/handlers.h"
#include "group/errors.h"
#include "protocol/api_keys.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_consumer_group_describe {

using request_t = protocol::consumer_group_describe_request_data;
using response_t = protocol::consumer_group_describe_response_data;

// KIP-1099 member types.
constexpr int8_t member_type_classic = 0;
constexpr int8_t member_type_consumer = 1;

response_t::assignment_entry to_wire(const group::cg_assignment& a, const group::cg_topic_metadata& topics) {
  response_t::assignment_entry out;
  for (const auto& [id, partitions] : a) {
    auto& tp = out.topic_partitions.emplace_back();
    tp.topic_id.bytes = id;
    // A topic deleted since it was assigned has no name any more.
    if (const auto* t = topics.find(id)) tp.topic_name = t->name;
    tp.partitions.assign(partitions.begin(), partitions.end());
  }
  return out;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  auto& groups = ctx.broker.groups();
  const auto& topics = groups.consumer_group_topics();
  response_t response;
  std::vector<std::string> allowed;
  // A group named more than once is described once (handlers/first_of_each.h).
  keep_first_of_each(request.group_ids, [](const std::string& id) { return std::string_view(id); });
  for (const auto& id : request.group_ids) {
    if (authorized(ctx, acl::operation::describe, acl::resource_type::group, id)) {
      allowed.push_back(id);
      continue;
    }
    auto& out = response.groups.emplace_back();
    out.group_id = id;
    out.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
    out.error_message = std::string(protocol::default_message(protocol::error_code::group_authorization_failed));
  }
  for (auto& d : groups.consumer_groups().describe(allowed, topics)) {
    auto& out = response.groups.emplace_back();
    out.group_id = d.group_id;
    out.error_code = d.error;
    out.error_message = d.error_message;
    if (d.error == group::errc::group_id_not_found && groups.coordinator().find_group(d.group_id)) {
      out.error_message = fmt::format("Group {} is not a consumer group.", d.group_id);
    }
    if (d.error != 0) continue;
    out.group_state = d.state;
    out.group_epoch = d.group_epoch;
    out.assignment_epoch = d.assignment_epoch;
    out.assignor_name = d.assignor_name;
    for (auto& m : d.members) {
      auto& mo = out.members.emplace_back();
      mo.member_id = m.member_id;
      mo.instance_id = m.instance_id;
      mo.rack_id = m.rack_id;
      mo.member_epoch = m.member_epoch;
      mo.client_id = m.client_id;
      mo.client_host = m.client_host;
      mo.subscribed_topic_names = m.subscribed_topic_names;
      mo.subscribed_topic_regex = m.subscribed_topic_regex;
      mo.assignment = to_wire(m.assignment, topics);
      mo.target_assignment = to_wire(m.target_assignment, topics);
      mo.member_type = m.classic ? member_type_classic : member_type_consumer;
    }
    if (request.include_authorized_operations) {
      out.authorized_operations = authorized_operations(ctx, acl::resource_type::group, d.group_id);
    }
    if (authorizer_enabled(ctx.broker)) {
      auto hidden = [&](const auto& assignment) {
        for (const auto& tp : assignment.topic_partitions) {
          if (tp.topic_name.empty()) continue;  // deleted since assigned: nothing to reveal
          if (!authorized(ctx, acl::operation::describe, acl::resource_type::topic, tp.topic_name)) return true;
        }
        return false;
      };
      bool refused = false;
      for (const auto& m : out.members) refused = refused || hidden(m.assignment) || hidden(m.target_assignment);
      if (refused) {
        response_t::described_group replaced;
        replaced.group_id = out.group_id;
        replaced.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
        replaced.error_message = "The group has described topic(s) that the client is not authorized to describe.";
        out = std::move(replaced);
      }
    }
  }
  co_return response;
}

}  // namespace file_consumer_group_describe
}  // namespace

void register_consumer_group_describe(api_table& apis) {
  using namespace file_consumer_group_describe;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::consumer_group_describe), 0, 1, handle);
}

}  // namespace samsa::broker
