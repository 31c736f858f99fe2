// OffsetFetch: v0-9. v0-7 ask for one group, v8+ for several; null topics
// (v2+) mean every committed partition of the group. v0-1 have no top-level
// error, so a group error is reported on each partition. Unknown partitions
// answer offset -1. v9+ members of a KIP-848 group send their member id and
// epoch, which must be current.
#include <map>

#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
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

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  auto& coordinator = ctx.broker.groups().coordinator();
  response_t response;
  if (ctx.api_version < 8) {
    auto asked = wanted(request.topics);
    auto result = coordinator.fetch_offsets(request.group_id, asked, request.require_stable);
    response.error_code = result.error;
    fill_topics(response.topics, result, asked, ctx.api_version < 2);
  } else {
    for (const auto& g : request.groups) {
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
    }
  }
  co_return response;
}

}  // namespace

void register_offset_fetch(api_table& apis) {
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::offset_fetch), 0, 9, handle);
}

}  // namespace samsa::broker
