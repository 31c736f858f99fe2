// OffsetFetch: v0-10. v0-7 ask for one group, v8+ for several; null topics
// (v2+) mean every committed partition of the group. v0-1 have no top-level
// error, so a group error is reported on each partition. Unknown partitions
// answer offset -1. v9+ members of a KIP-848 group send their member id and
// epoch, which must be current. v10 (Kafka 4.2, KIP-848) names topics by id
// in the request and the answer: an id no topic has answers its partitions
// UNKNOWN_TOPIC_ID, and "every committed partition" leaves out topics that no
// longer exist (their offsets have no id to be named by).
#include <map>
#include <set>

#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {

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
    auto asked = wanted(request.topics);
    auto result = coordinator.fetch_offsets(request.group_id, asked, request.require_stable);
    response.error_code = result.error;
    fill_topics(response.topics, result, asked, ctx.api_version < 2);
  } else {
    for (auto& g : request.groups) {
      std::vector<group_request_t::offset_fetch_request_topics> unknown_ids;
      if (ctx.api_version >= topic_ids_from) unknown_ids = resolve_ids(ctx.broker.topics(), g);
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
      if (ctx.api_version >= topic_ids_from && result.error == 0) name_by_id(ctx.broker.topics(), out, unknown_ids);
    }
  }
  co_return response;
}

}  // namespace

// Served up to v10 (Kafka 4.2's newest), pinned like every handler.
constexpr int16_t offset_fetch_max_served = 10;

void register_offset_fetch(api_table& apis) {
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::offset_fetch), 0,
                                  offset_fetch_max_served, handle);
}

}  // namespace samsa::broker
