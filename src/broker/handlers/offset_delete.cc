// OffsetDelete: v0. Removes committed offsets of partitions the group is not
// consuming (GROUP_SUBSCRIBED_TO_TOPIC otherwise: a classic group's members'
// subscriptions, or a consumer-protocol group's names and pattern matches);
// a group-level error leaves the topic list empty. Needs DELETE on the group
// (else the top-level GROUP_AUTHORIZATION_FAILED) and READ on each topic
// (else its partitions answer TOPIC_AUTHORIZATION_FAILED and are not
// deleted), as in Kafka.
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_await.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_names.h"
#include "protocol/api_keys.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_offset_delete {

using request_t = protocol::offset_delete_request_data;
using response_t = protocol::offset_delete_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  if (!authorized(ctx, acl::operation::remove, acl::resource_type::group, request.group_id)) {
    response.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
    co_return response;
  }
  std::vector<group::topic_partition> partitions;
  std::vector<const request_t::offset_delete_request_topic*> denied;
  // Names longer than any topic's name no topic: answered here, never
  // expanded into one (name, partition) pair per partition (a long name
  // listed with many partitions cost the broker name x partitions bytes).
  std::vector<const request_t::offset_delete_request_topic*> unknown;
  for (const auto& t : request.topics) {
    if (t.name.size() > max_topic_name_length) {
      unknown.push_back(&t);
      continue;
    }
    if (!authorized(ctx, acl::operation::read, acl::resource_type::topic, t.name)) {
      denied.push_back(&t);
      continue;
    }
    for (const auto& p : t.partitions) partitions.push_back({t.name, p.partition_index});
  }
  auto& groups = ctx.broker.groups();
  // A consumer-protocol group keeps its offsets in the classic coordinator,
  // which does not know its members: their subscriptions are checked here.
  std::vector<group::topic_partition> subscribed;
  if (groups.consumer_groups().has_group(request.group_id)) {
    auto topics = groups.consumer_groups().subscribed_topics(request.group_id, groups.consumer_group_topics());
    std::erase_if(partitions, [&](const group::topic_partition& tp) {
      if (!topics.contains(tp.topic)) return false;
      subscribed.push_back(tp);
      return true;
    });
  }
  auto result = co_await await_answer<group::offset_delete_result>(ctx.broker.io(), [&](auto done) {
    groups.coordinator().offset_delete(request.group_id, partitions, group_service::now_ms(), std::move(done));
    groups.rearm();
  });
  response.error_code = result.error;
  for (const auto& p : result.partitions) {
    if (response.topics.empty() || response.topics.back().name != p.topic) response.topics.emplace_back().name = p.topic;
    auto& po = response.topics.back().partitions.emplace_back();
    po.partition_index = p.partition;
    po.error_code = p.error;
  }
  if (result.error == 0) {
    auto answer = [&](const std::vector<const request_t::offset_delete_request_topic*>& topics, protocol::error_code e) {
      for (const auto* t : topics) {
        auto& to = response.topics.emplace_back();
        to.name = t->name;
        for (const auto& p : t->partitions) {
          auto& po = to.partitions.emplace_back();
          po.partition_index = p.partition_index;
          po.error_code = protocol::to_int(e);
        }
      }
    };
    answer(denied, protocol::error_code::topic_authorization_failed);
    answer(unknown, protocol::error_code::unknown_topic_or_partition);
    // In request order, so a topic's partitions are consecutive.
    for (const auto& tp : subscribed) {
      if (response.topics.empty() || response.topics.back().name != tp.topic) {
        response.topics.emplace_back().name = tp.topic;
      }
      auto& po = response.topics.back().partitions.emplace_back();
      po.partition_index = tp.partition;
      po.error_code = protocol::to_int(protocol::error_code::group_subscribed_to_topic);
    }
  }
  co_return response;
}

}  // namespace file_offset_delete
}  // namespace

void register_offset_delete(api_table& apis) {
  using namespace file_offset_delete;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::offset_delete), 0, 0, handle);
}

}  // namespace samsa::broker
