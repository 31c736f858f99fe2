// ListOffsets: v0-11. Timestamp -1 = latest (the high watermark, or under
// isolation_level 1, read_committed, v2+, the last stable offset; timestamp
// answers at or past it are not given either), -2 = earliest (log start),
// -3 = the record with the largest timestamp (v7+), -4 = earliest local
// (same as earliest: no tiered storage), -5 = latest tiered (none: -1),
// -6 = earliest pending upload (v11, KIP-1023: the first offset not yet
// copied to remote storage; without tiered storage none, -1, as Kafka answers);
// anything else = first offset whose timestamp is >= the given one.
// v0 is the older offsets API (old_style_offsets.h): up to max_num_offsets
// segment starts and the log end, by segment file time.
// From v1, as Kafka 4.2 checks it: a special timestamp below the version that
// introduced it (-3: v7, -4: v8, -5: v9, -6: v11), or a negative one that is
// none of them, answers that partition UNSUPPORTED_VERSION. An answer without
// an offset (-1) carries no leader epoch either (-1).
// Each topic needs DESCRIBE (Kafka): without it its partitions answer
// TOPIC_AUTHORIZATION_FAILED, whether the topic exists or not.
// A partition listed more than once (same topic name and index, in one topic
// entry or across several) answers INVALID_REQUEST at every place it is
// listed and is not looked up, as Kafka answers v1+; the answer keeps the
// request's order. Kafka's v0 looked every entry up; here v0 is treated like
// the others, so that no version lets one request make the broker repeat a
// lookup.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/give_way.h"
#include "broker/handlers/handlers.h"
#include "broker/old_style_offsets.h"
#include "broker/storage_errors.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_list_offsets {

using request_t = protocol::list_offsets_request_data;
using response_t = protocol::list_offsets_response_data;
using partition_response_t = response_t::list_offsets_topic_response::list_offsets_partition_response;

constexpr int64_t latest_timestamp = -1;
constexpr int64_t earliest_timestamp = -2;
constexpr int64_t max_timestamp = -3;
constexpr int64_t earliest_local_timestamp = -4;
constexpr int64_t latest_tiered_timestamp = -5;
constexpr int64_t earliest_pending_upload_timestamp = -6;

// The version that introduced each special timestamp (Kafka's table).
std::optional<int16_t> minimum_version(int64_t timestamp) {
  switch (timestamp) {
    case latest_timestamp:
    case earliest_timestamp:
      return 0;
    case max_timestamp:
      return 7;
    case earliest_local_timestamp:
      return 8;
    case latest_tiered_timestamp:
      return 9;
    case earliest_pending_upload_timestamp:
      return 11;
    default:
      return std::nullopt;
  }
}

bool timestamp_unsupported(int64_t timestamp, int16_t version) {
  if (timestamp >= 0) return false;
  auto minimum = minimum_version(timestamp);
  return !minimum || version < *minimum;
}

partition_response_t lookup(const topic_entry* topic, const request_t::list_offsets_topic::list_offsets_partition& p,
                            int16_t version, int8_t isolation_level, int32_t replica_id) {
  partition_response_t out;
  out.partition_index = p.partition_index;
  storage::partition_log* found = partition_log_of(topic, p.partition_index);
  if (!found) {
    out.error_code = protocol::to_int(protocol::error_code::unknown_topic_or_partition);
    return out;
  }
  if (p.current_leader_epoch > 0) {
    out.error_code = protocol::to_int(protocol::error_code::unknown_leader_epoch);
    return out;
  }
  auto& log = *found;
  if (version == 0) {
    if (p.max_num_offsets < 0) {
      out.error_code = protocol::to_int(protocol::error_code::invalid_request);
      return out;
    }
    log_shape shape{log.segment_summaries(), log.log_start_offset(), log.log_end_offset(), log.high_watermark()};
    out.old_style_offsets =
        old_style_offsets(shape, {p.timestamp, p.max_num_offsets, replica_id == -1}, group_service::now_ms());
    return out;
  }
  if (timestamp_unsupported(p.timestamp, version)) {
    out.error_code = protocol::to_int(protocol::error_code::unsupported_version);
    return out;
  }
  // read_committed sees nothing at or past the last stable offset, as in
  // Kafka: neither as "latest" nor as the answer of a timestamp lookup.
  const bool committed = version >= 2 && isolation_level == 1;
  const int64_t fetchable_end = committed ? log.last_stable_offset() : log.high_watermark();
  auto visible = [&](int64_t offset) { return offset < fetchable_end; };
  switch (p.timestamp) {
    case latest_timestamp:
      out.offset = fetchable_end;
      break;
    case earliest_timestamp:
    case earliest_local_timestamp:
      out.offset = log.log_start_offset();
      break;
    case latest_tiered_timestamp:
    case earliest_pending_upload_timestamp:
      out.offset = -1;  // nothing is tiered
      break;
    case max_timestamp: {
      if (auto found = log.max_timestamp_offset(); found && visible(found->offset)) {
        out.offset = found->offset;
        out.timestamp = found->timestamp;
      }
      break;
    }
    default: {
      auto found = log.offset_for_timestamp(p.timestamp);
      if (!found) {
        out.error_code = protocol::to_int(storage_error_to_kafka(found.err()));
        return out;
      }
      if (*found && visible((*found)->offset)) {
        out.offset = (*found)->offset;
        out.timestamp = (*found)->timestamp;
      }
    }
  }
  // The single leader's epoch goes with an offset; "no offset" has none.
  out.leader_epoch = out.offset >= 0 ? 0 : -1;
  return out;
}

// One flag per partition entry, in request order: whether its (topic name,
// partition) is listed more than once in the whole request. Reads only the
// request, so it may run on the worker pool.
std::vector<bool> duplicated_entries(const request_t& request) {
  // Each distinct name gets a number; (number, partition) packs into one
  // integer, so finding repeats is a sort of integers, not of strings.
  std::unordered_map<std::string_view, uint32_t> names;
  std::vector<uint64_t> keys;
  for (const auto& t : request.topics) {
    const uint64_t name = names.try_emplace(t.name, static_cast<uint32_t>(names.size())).first->second;
    for (const auto& p : t.partitions) keys.push_back(name << 32 | static_cast<uint32_t>(p.partition_index));
  }
  std::vector<uint64_t> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint64_t> repeated;
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i] == sorted[i - 1] && (repeated.empty() || repeated.back() != sorted[i])) repeated.push_back(sorted[i]);
  }
  std::vector<bool> out(keys.size(), false);
  if (repeated.empty()) return out;
  for (size_t i = 0; i < keys.size(); ++i) out[i] = std::binary_search(repeated.begin(), repeated.end(), keys[i]);
  return out;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  size_t listed = 0;
  for (const auto& t : request.topics) listed += t.partitions.size();
  // Sorting millions of entries would hold every other client's requests:
  // a large request has its repeats found on the worker pool.
  std::vector<bool> duplicated;
  if (listed <= entries_per_turn) {
    duplicated = duplicated_entries(request);
  } else {
    auto find = [&request] { return duplicated_entries(request); };
    duplicated = co_await ctx.broker.workers().run(find);
  }
  size_t entries = 0;
  size_t index = 0;  // of the entry in the whole request, for `duplicated`
  for (const auto& t : request.topics) {
    auto& tr = response.topics.emplace_back();
    tr.name = t.name;
    if (!authorized(ctx, acl::operation::describe, acl::resource_type::topic, t.name)) {
      // Authorization is decided before repeats, as in Kafka.
      for (const auto& p : t.partitions) {
        auto& out = tr.partitions.emplace_back();
        out.partition_index = p.partition_index;
        out.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
      }
      index += t.partitions.size();
      continue;
    }
    const topic_entry* topic = ctx.broker.topics().find(t.name);
    for (const auto& p : t.partitions) {
      // A lookup may read an index; the topic is looked up again after a
      // turn of the others (it may have been deleted meanwhile). Repeats
      // count too: answering millions of them is work of its own.
      const size_t before = entries;
      co_await give_way(ctx.broker.io(), entries);
      if (entries / entries_per_turn != before / entries_per_turn) topic = ctx.broker.topics().find(t.name);
      if (duplicated[index++]) {
        auto& out = tr.partitions.emplace_back();
        out.partition_index = p.partition_index;
        out.error_code = protocol::to_int(protocol::error_code::invalid_request);
        continue;
      }
      tr.partitions.push_back(lookup(topic, p, ctx.api_version, request.isolation_level, request.replica_id));
    }
  }
  co_return response;
}

}  // namespace file_list_offsets
}  // namespace

// Served up to v11 (Kafka 4.2's newest), pinned like every handler.
constexpr int16_t list_offsets_max_served = 11;

void register_list_offsets(api_table& apis) {
  using namespace file_list_offsets;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::list_offsets), 0,
                                  list_offsets_max_served, handle);
}

}  // namespace samsa::broker
