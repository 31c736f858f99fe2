// The share-group offset admin APIs (KIP-932):
// - DescribeShareGroupOffsets (90) v0-1: each partition's start offset (SPSO);
//   -1 for a partition the group never read; null topics = every partition
//   the group has state for. An unknown group is GROUP_ID_NOT_FOUND. v1 adds
//   the lag: records from the SPSO to the high watermark not yet
//   acknowledged or archived (-1 for a partition never read). A group asked
//   for every partition more than once is answered once
//   (handlers/first_of_each.h).
// - AlterShareGroupOffsets (91) v0: sets the start offset of partitions (their
//   in-flight state is dropped); only while the group has no members
//   (NON_EMPTY_GROUP), within [log start, high watermark].
// - DeleteShareGroupOffsets (92) v0: forgets the group's state of whole topics
//   (they start again at share.auto.offset.reset); only without members.
// Changes are durable in the share-state journal before the answer.
// Authorization, as Kafka: Describe needs DESCRIBE on the group and shows
// only topics the principal may DESCRIBE (one asked by name answers
// TOPIC_AUTHORIZATION_FAILED); Alter needs READ on the group, Delete DELETE
// (else GROUP_AUTHORIZATION_FAILED), and both READ on each topic (else
// TOPIC_AUTHORIZATION_FAILED for it, nothing changed there).
#include <algorithm>

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
#include "storage/partition_log.h"

namespace samsa::broker {

namespace {
namespace file_share_group_offsets {

using describe_request_t = protocol::describe_share_group_offsets_request_data;
using describe_response_t = protocol::describe_share_group_offsets_response_data;
using alter_request_t = protocol::alter_share_group_offsets_request_data;
using alter_response_t = protocol::alter_share_group_offsets_response_data;
using delete_request_t = protocol::delete_share_group_offsets_request_data;
using delete_response_t = protocol::delete_share_group_offsets_response_data;

// Records between the SPSO and the high watermark that still need delivering
// (acknowledged and archived ones in flight are done).
int64_t lag_of(const share::share_partition& part, storage::partition_log* log) {
  if (!log) return -1;
  const int64_t hw = log->offsets().high_watermark;
  const int64_t done = part.count(share::record_state::acknowledged) + part.count(share::record_state::archived);
  return std::max<int64_t>(0, hw - part.start_offset() - done);
}

boost::asio::awaitable<describe_response_t> describe(request_context& ctx, describe_request_t& request) {
  describe_response_t response;
  share_service& shares = ctx.broker.shares();
  topic_registry& topics = ctx.broker.topics();
  keep_first_ask_for_all_of_each_group(request.groups);
  for (const auto& g : request.groups) {
    auto& go = response.groups.emplace_back();
    go.group_id = g.group_id;
    if (!authorized(ctx, acl::operation::describe, acl::resource_type::group, g.group_id)) {
      go.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
      go.error_message = std::string(protocol::default_message(protocol::error_code::group_authorization_failed));
      continue;
    }
    if (!shares.known_group(g.group_id)) {
      go.error_code = protocol::to_int(protocol::error_code::group_id_not_found);
      go.error_message = "Group " + g.group_id + " is not a share group.";
      continue;
    }
    if (!g.topics) {
      for (const auto& [key, part] : shares.partitions_of(g.group_id)) {
        const topic_entry* t = topics.find(protocol::uuid{key.topic});
        if (!t) continue;  // the topic was deleted
        if (!authorized(ctx, acl::operation::describe, acl::resource_type::topic, t->name)) continue;
        if (go.topics.empty() || go.topics.back().topic_id != t->id) {
          auto& to = go.topics.emplace_back();
          to.topic_name = t->name;
          to.topic_id = t->id;
        }
        auto& po = go.topics.back().partitions.emplace_back();
        po.partition_index = key.partition;
        po.start_offset = part->start_offset();
        po.lag = lag_of(*part, partition_log_of(t, key.partition));
      }
      continue;
    }
    for (const auto& t : *g.topics) {
      auto& to = go.topics.emplace_back();
      to.topic_name = t.topic_name;
      if (!authorized(ctx, acl::operation::describe, acl::resource_type::topic, t.topic_name)) {
        for (int32_t p : t.partitions) {
          auto& po = to.partitions.emplace_back();
          po.partition_index = p;
          po.start_offset = -1;
          po.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
          po.error_message = std::string(protocol::default_message(protocol::error_code::topic_authorization_failed));
        }
        continue;
      }
      const topic_entry* topic = topics.find(t.topic_name);
      if (topic) to.topic_id = topic->id;
      for (int32_t p : t.partitions) {
        auto& po = to.partitions.emplace_back();
        po.partition_index = p;
        if (!partition_log_of(topic, p)) {
          po.start_offset = -1;
          po.error_code = protocol::to_int(protocol::error_code::unknown_topic_or_partition);
          po.error_message = "No such topic partition.";
          continue;
        }
        auto* part = shares.find_partition(g.group_id, topic->id, p);
        po.start_offset = part ? part->start_offset() : -1;
        po.lag = part ? lag_of(*part, partition_log_of(topic, p)) : -1;
      }
    }
  }
  co_return response;
}

// NON_EMPTY_GROUP when the group has members (offsets move only while no
// one consumes), else none.
protocol::error_code check_empty(share_service& shares, const std::string& group) {
  const auto* g = shares.find_group(group);
  if (g && !g->members().empty()) return protocol::error_code::non_empty_group;
  return protocol::error_code::none;
}

boost::asio::awaitable<alter_response_t> alter(request_context& ctx, alter_request_t& request) {
  alter_response_t response;
  share_service& shares = ctx.broker.shares();
  topic_registry& topics = ctx.broker.topics();
  protocol::error_code group_error = protocol::error_code::none;
  std::string group_message;
  if (!authorized(ctx, acl::operation::read, acl::resource_type::group, request.group_id)) {
    group_error = protocol::error_code::group_authorization_failed;
    group_message = std::string(protocol::default_message(group_error));
  } else if (request.group_id.empty()) {
    group_error = protocol::error_code::invalid_group_id;
    group_message = "The group id is empty.";
  } else if (ctx.broker.groups().coordinator().find_group(request.group_id)) {
    group_error = protocol::error_code::group_id_not_found;
    group_message = "Group " + request.group_id + " is not a share group.";
  } else if (auto e = check_empty(shares, request.group_id); e != protocol::error_code::none) {
    group_error = e;
    group_message = "The share group has members; stop them before altering its offsets.";
  } else if (auto refused = shares.new_group_refusal(request.group_id)) {
    // Setting offsets under a new id makes a share group, as a join does.
    group_error = refused->error;
    group_message = refused->message;
  }
  if (group_error != protocol::error_code::none) {
    response.error_code = protocol::to_int(group_error);
    response.error_message = group_message;
  }
  const uint64_t before = shares.journal_bytes();
  for (const auto& t : request.topics) {
    auto& to = response.responses.emplace_back();
    to.topic_name = t.topic_name;
    const topic_entry* topic = topics.find(t.topic_name);
    if (topic) to.topic_id = topic->id;
    const bool topic_denied = group_error == protocol::error_code::none &&
                              !authorized(ctx, acl::operation::read, acl::resource_type::topic, t.topic_name);
    for (const auto& p : t.partitions) {
      auto& po = to.partitions.emplace_back();
      po.partition_index = p.partition_index;
      if (group_error != protocol::error_code::none) {
        po.error_code = protocol::to_int(group_error);
        po.error_message = group_message;
        continue;
      }
      if (topic_denied) {
        po.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
        po.error_message = std::string(protocol::default_message(protocol::error_code::topic_authorization_failed));
        continue;
      }
      auto* log = partition_log_of(topic, p.partition_index);
      if (!log) {
        po.error_code = protocol::to_int(protocol::error_code::unknown_topic_or_partition);
        po.error_message = "No such topic partition.";
        continue;
      }
      const auto offsets = log->offsets();
      if (p.start_offset < offsets.log_start_offset || p.start_offset > offsets.high_watermark) {
        po.error_code = protocol::to_int(protocol::error_code::invalid_request);
        po.error_message = "Start offset " + std::to_string(p.start_offset) + " is outside the log (" +
                           std::to_string(offsets.log_start_offset) + ".." + std::to_string(offsets.high_watermark) +
                           ").";
        continue;
      }
      shares.reset_partition(request.group_id, *topic, p.partition_index, p.start_offset);
    }
  }
  if (shares.journal_bytes() != before) {
    if (auto e = co_await shares.make_durable(); e != protocol::error_code::none) {
      response.error_code = protocol::to_int(e);
      response.error_message = "The new start offsets could not be made durable.";
      for (auto& t : response.responses) {
        for (auto& p : t.partitions) {
          if (p.error_code == 0) p.error_code = protocol::to_int(e);
        }
      }
    }
  }
  co_return response;
}

boost::asio::awaitable<delete_response_t> remove(request_context& ctx, delete_request_t& request) {
  delete_response_t response;
  share_service& shares = ctx.broker.shares();
  topic_registry& topics = ctx.broker.topics();
  if (!authorized(ctx, acl::operation::remove, acl::resource_type::group, request.group_id)) {
    response.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
    response.error_message = std::string(protocol::default_message(protocol::error_code::group_authorization_failed));
    co_return response;
  }
  if (!shares.known_group(request.group_id)) {
    response.error_code = protocol::to_int(protocol::error_code::group_id_not_found);
    response.error_message = "Group " + request.group_id + " is not a share group.";
    co_return response;
  }
  if (auto e = check_empty(shares, request.group_id); e != protocol::error_code::none) {
    response.error_code = protocol::to_int(e);
    response.error_message = "The share group has members; stop them before deleting its offsets.";
    co_return response;
  }
  const uint64_t before = shares.journal_bytes();
  for (const auto& t : request.topics) {
    auto& to = response.responses.emplace_back();
    to.topic_name = t.topic_name;
    if (!authorized(ctx, acl::operation::read, acl::resource_type::topic, t.topic_name)) {
      to.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
      to.error_message = std::string(protocol::default_message(protocol::error_code::topic_authorization_failed));
      continue;
    }
    const topic_entry* topic = topics.find(t.topic_name);
    if (!topic) {
      to.error_code = protocol::to_int(protocol::error_code::unknown_topic_or_partition);
      to.error_message = "Topic " + t.topic_name + " does not exist.";
      continue;
    }
    to.topic_id = topic->id;
    shares.delete_topic_state(request.group_id, topic->id);
  }
  if (shares.journal_bytes() != before) {
    if (auto e = co_await shares.make_durable(); e != protocol::error_code::none) {
      response.error_code = protocol::to_int(e);
      response.error_message = "The deletion could not be made durable.";
    }
  }
  co_return response;
}

}  // namespace file_share_group_offsets
}  // namespace

void register_share_group_offsets(api_table& apis) {
  using namespace file_share_group_offsets;
  apis.add<describe_request_t, describe_response_t>(
      static_cast<int16_t>(protocol::api_key::describe_share_group_offsets), 0, 1, describe);
  apis.add<alter_request_t, alter_response_t>(static_cast<int16_t>(protocol::api_key::alter_share_group_offsets), 0,
                                              0, alter);
  apis.add<delete_request_t, delete_response_t>(
      static_cast<int16_t>(protocol::api_key::delete_share_group_offsets), 0, 0, remove);
}

}  // namespace samsa::broker
