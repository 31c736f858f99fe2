// ListOffsets: v0-10. Timestamp -1 = latest (the high watermark, or under
// isolation_level 1, read_committed, v2+, the last stable offset; timestamp
// answers at or past it are not given either), -2 = earliest (log start),
// -3 = the record with the largest timestamp (v7+), -4 = earliest local
// (same as earliest: no tiered storage), -5 = latest tiered (none: -1);
// anything else = first offset whose timestamp is >= the given one.
// v0 is the older offsets API (old_style_offsets.h): up to max_num_offsets
// segment starts and the log end, by segment file time.
#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/old_style_offsets.h"
#include "broker/storage_errors.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {

using request_t = protocol::list_offsets_request_data;
using response_t = protocol::list_offsets_response_data;
using partition_response_t = response_t::list_offsets_topic_response::list_offsets_partition_response;

constexpr int64_t latest_timestamp = -1;
constexpr int64_t earliest_timestamp = -2;
constexpr int64_t max_timestamp = -3;
constexpr int64_t earliest_local_timestamp = -4;
constexpr int64_t latest_tiered_timestamp = -5;

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
  out.leader_epoch = 0;
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
      out.offset = -1;
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
  return out;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  for (const auto& t : request.topics) {
    const topic_entry* topic = ctx.broker.topics().find(t.name);
    auto& tr = response.topics.emplace_back();
    tr.name = t.name;
    for (const auto& p : t.partitions) tr.partitions.push_back(
        lookup(topic, p, ctx.api_version, request.isolation_level, request.replica_id));
  }
  co_return response;
}

}  // namespace

void register_list_offsets(api_table& apis) {
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::list_offsets), 0,
                                  10, handle);
}

}  // namespace samsa::broker
