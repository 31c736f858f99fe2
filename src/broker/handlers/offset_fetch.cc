// OffsetFetch: v0-10. v0-7 ask for one group, v8+ for several; null topics
// (v2+) mean every committed partition of the group. v0-1 have no top-level
// error, so a group error is reported on each partition. Unknown partitions
// answer offset -1. v9+ members of a KIP-848 group send their member id and
// epoch, which must be current. v10 (Kafka 4.2, KIP-848) names topics by id
// in the request and the answer: an id no topic has answers its partitions
// UNKNOWN_TOPIC_ID, and "every committed partition" leaves out topics that no
// longer exist (their offsets have no id to be named by).
// Authorization, as Kafka: DESCRIBE on the group (else the group answers
// GROUP_AUTHORIZATION_FAILED), and offsets are shown only for topics the
// principal may DESCRIBE: a topic asked by name without it answers
// TOPIC_AUTHORIZATION_FAILED on its partitions, and "every committed
// partition" leaves such topics out. v8+: a group asked for every committed
// partition more than once is answered once (handlers/first_of_each.h).
#include <map>
#include <set>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/first_of_each.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_names.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_offset_fetch {

using request_t = protocol::offset_fetch_request_data;
using response_t = protocol::offset_fetch_response_data;

template <typename Topics>
std::optional<std::vector<group::topic_partition>> wanted(const std::optional<Topics>& topics) {
  if (!topics) return std::nullopt;
  std::vector<group::topic_partition> out;
  for (const auto& t : *topics) {
    for (int32_t p : t.partition_indexes) out.push_back({t.name, p});
  }
  return out;
}

// Groups a flat result by topic into the response's topic/partition structs.
template <typename TopicOut>
void fill_topics(std::vector<TopicOut>& out, const group::offset_fetch_result& result,
                 const std::optional<std::vector<group::topic_partition>>& asked, bool error_per_partition) {
  std::map<std::string, size_t> index;
  auto add = [&](const group::committed_offset& c) {
    auto [it, fresh] = index.emplace(c.topic, out.size());
    if (fresh) out.emplace_back().name = c.topic;
    auto& p = out[it->second].partitions.emplace_back();
    p.partition_index = c.partition;
    p.committed_offset = c.offset;
    p.committed_leader_epoch = c.leader_epoch;
    p.metadata = c.metadata;
    p.error_code = c.error;
    if (error_per_partition && result.error != 0) p.error_code = result.error;
  };
  if (result.error != 0 && result.partitions.empty() && asked && error_per_partition) {
    for (const auto& tp : *asked) add({tp.topic, tp.partition, -1, -1, std::string{}, result.error});
    return;
  }
  for (const auto& c : result.partitions) add(c);
}

constexpr int16_t topic_ids_from = 10;

bool may_describe_topic(const request_context& ctx, const std::string& name) {
  return authorized(ctx, acl::operation::describe, acl::resource_type::topic, name);
}

// Takes the asked topics the principal may not DESCRIBE out of `topics`;
// they are answered TOPIC_AUTHORIZATION_FAILED (add_denied) and never asked
// of the coordinator.
template <typename Topic>
std::vector<Topic> take_denied(const request_context& ctx, std::optional<std::vector<Topic>>& topics) {
  std::vector<Topic> denied;
  if (!topics) return denied;
  std::erase_if(*topics, [&](const Topic& t) {
    if (may_describe_topic(ctx, t.name)) return false;
    denied.push_back(t);
    return true;
  });
  return denied;
}

// Takes the asked topics whose names are longer than any topic's out of
// `topics`: nothing was ever committed under them, so they are answered
// here (add_answered, no offset) and never expanded into one (topic,
// partition) pair per partition, which for a long name listed with many
// partitions made the broker hold name x partitions bytes (a 112 KB request
// once took 1.76 GB and 9 s of the handler thread).
template <typename Topic>
std::vector<Topic> take_impossible_names(std::optional<std::vector<Topic>>& topics) {
  std::vector<Topic> impossible;
  if (!topics) return impossible;
  std::erase_if(*topics, [&](Topic& t) {
    if (t.name.size() <= max_topic_name_length) return false;
    impossible.push_back(std::move(t));
    return true;
  });
  return impossible;
}

// Answers every partition of `topics` with `error` and no committed offset.
template <typename TopicOut, typename Topic>
void add_answered(std::vector<TopicOut>& out, const std::vector<Topic>& topics, int16_t error) {
  for (const auto& t : topics) {
    auto& tr = out.emplace_back();
    tr.name = t.name;
    if constexpr (requires { tr.topic_id = t.topic_id; }) tr.topic_id = t.topic_id;
    for (int32_t index : t.partition_indexes) {
      auto& p = tr.partitions.emplace_back();
      p.partition_index = index;
      p.committed_offset = -1;
      p.error_code = error;
    }
  }
}

template <typename TopicOut, typename Topic>
void add_denied(std::vector<TopicOut>& out, const std::vector<Topic>& denied) {
  add_answered(out, denied, protocol::to_int(protocol::error_code::topic_authorization_failed));
}

// "Every committed partition": topics the principal may not DESCRIBE are left out.
template <typename TopicOut>
void drop_undescribable(const request_context& ctx, std::vector<TopicOut>& out) {
  std::erase_if(out, [&](const TopicOut& t) { return !may_describe_topic(ctx, t.name); });
}

const group::offset_fetch_result group_denied{protocol::to_int(protocol::error_code::group_authorization_failed), {}};

using group_request_t = request_t::offset_fetch_request_group;
using group_response_t = response_t::offset_fetch_response_group;

// v10: turns the group's topic ids into names (the offsets are kept by
// name); the ids no topic has are returned, to be answered UNKNOWN_TOPIC_ID.
std::vector<group_request_t::offset_fetch_request_topics> resolve_ids(const topic_registry& topics,
                                                                      group_request_t& g) {
  std::vector<group_request_t::offset_fetch_request_topics> unknown;
  if (!g.topics) return unknown;
  for (auto& t : *g.topics) {
    if (const topic_entry* topic = topics.find(t.topic_id)) {
      t.name = topic->name;
    } else {
      t.name.clear();
      unknown.push_back(t);
    }
  }
  // Only the known ones are asked of the coordinator.
  std::erase_if(*g.topics, [&](const auto& t) { return t.name.empty(); });
  return unknown;
}

// v10: every topic of the answer carries its id; a committed topic that no
// longer exists has none and is left out.
void name_by_id(const topic_registry& topics, group_response_t& out,
                const std::vector<group_request_t::offset_fetch_request_topics>& unknown) {
  std::erase_if(out.topics, [&](auto& t) {
    const topic_entry* topic = topics.find(t.name);
    if (topic) t.topic_id = topic->id;
    return topic == nullptr;
  });
  for (const auto& t : unknown) {
    auto& tr = out.topics.emplace_back();
    tr.topic_id = t.topic_id;
    for (int32_t index : t.partition_indexes) {
      auto& p = tr.partitions.emplace_back();
      p.partition_index = index;
      p.committed_offset = -1;
      p.error_code = protocol::to_int(protocol::error_code::unknown_topic_id);
    }
  }
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  auto& coordinator = ctx.broker.groups().coordinator();
  response_t response;
  if (ctx.api_version < 8) {
    auto impossible = take_impossible_names(request.topics);
    if (!authorized(ctx, acl::operation::describe, acl::resource_type::group, request.group_id)) {
      auto asked = wanted(request.topics);
      response.error_code = group_denied.error;
      fill_topics(response.topics, group_denied, asked, ctx.api_version < 2);
      add_answered(response.topics, impossible, ctx.api_version < 2 ? group_denied.error : int16_t{0});
      co_return response;
    }
    const bool every_partition = !request.topics.has_value();
    auto denied = take_denied(ctx, request.topics);
    auto asked = wanted(request.topics);
    auto result = coordinator.fetch_offsets(request.group_id, asked, request.require_stable);
    response.error_code = result.error;
    fill_topics(response.topics, result, asked, ctx.api_version < 2);
    if (every_partition) drop_undescribable(ctx, response.topics);
    if (result.error == 0 || ctx.api_version < 2) add_denied(response.topics, denied);
    add_answered(response.topics, impossible, ctx.api_version < 2 ? result.error : int16_t{0});
  } else {
    keep_first_ask_for_all_of_each_group(request.groups);
    for (auto& g : request.groups) {
      if (!authorized(ctx, acl::operation::describe, acl::resource_type::group, g.group_id)) {
        auto& out = response.groups.emplace_back();
        out.group_id = g.group_id;
        out.error_code = group_denied.error;
        continue;
      }
      std::vector<group_request_t::offset_fetch_request_topics> unknown_ids;
      if (ctx.api_version >= topic_ids_from) unknown_ids = resolve_ids(ctx.broker.topics(), g);
      const bool every_partition = !g.topics.has_value();
      auto impossible = take_impossible_names(g.topics);
      auto denied = take_denied(ctx, g.topics);
      auto asked = wanted(g.topics);
      auto result = coordinator.fetch_offsets(g.group_id, asked, request.require_stable);
      // v9+: a consumer-protocol member fetching its group's offsets must be
      // current (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH); admin fetches send no member id.
      if (ctx.api_version >= 9 && g.member_id) {
        auto check = ctx.broker.groups().consumer_groups().validate_offset_fetch(g.group_id, *g.member_id,
                                                                                  g.member_epoch);
        if (check && *check != 0) result = group::offset_fetch_result{*check, {}};
      }
      auto& out = response.groups.emplace_back();
      out.group_id = g.group_id;
      out.error_code = result.error;
      fill_topics(out.topics, result, asked, false);
      if (every_partition) drop_undescribable(ctx, out.topics);
      if (ctx.api_version >= topic_ids_from && result.error == 0) name_by_id(ctx.broker.topics(), out, unknown_ids);
      if (result.error == 0) add_denied(out.topics, denied);
      if (result.error == 0) add_answered(out.topics, impossible, 0);
    }
  }
  co_return response;
}

}  // namespace file_offset_fetch
}  // namespace

// Served up to v10 (Kafka 4.2's newest), pinned like every handler.
constexpr int16_t offset_fetch_max_served = 10;

void register_offset_fetch(api_table& apis) {
  using namespace file_offset_fetch;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::offset_fetch), 0,
                                  offset_fetch_max_served, handle);
}

}  // namespace samsa::broker
