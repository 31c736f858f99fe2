// Fuzz target for the bytes the coordinator reads from outside: records
// replayed from __consumer_offsets and the consumer subscription a client
// sends as JoinGroup metadata (ConsumerProtocolSubscription, every version),
// and the ConsumerProtocolAssignment a classic group hands over when it
// becomes a consumer-protocol group. Input: one mode byte, a 2-byte key length,
// the key, then the value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "group/coordinator.h"
#include "group/memory_offset_log.h"
#include "group/offsets_codec.h"
#include "group/subscription.h"

using namespace samsa::group;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t mode = data[0];
  const size_t key_len = std::min<size_t>((size_t{data[1]} << 8) | data[2], size - 3);
  const bytes key(data + 3, data + 3 + key_len);
  const bytes value(data + 3 + key_len, data + size);

  if (mode % 2 == 0) {
    // Decoders must reject or accept without crashing; accepted values must
    // survive a re-encode at the current version.
    if (auto v = decode_group_metadata_value(value); v.ok()) {
      auto again = decode_group_metadata_value(encode_group_metadata_value(*v));
      if (!again.ok() || again->members.size() != v->members.size() || again->generation != v->generation) abort();
    }
    if (auto v = decode_offset_commit_value(value); v.ok()) {
      auto again = decode_offset_commit_value(encode_offset_commit_value(*v));
      if (!again.ok() || again->offset != v->offset || again->metadata != v->metadata) abort();
    }
    (void)decode_record_key(key);
    if (auto sub = decode_consumer_subscription(value); sub.ok() && sub->version >= 1) {
      // Every field a version carries survives a re-encode at that version (up to 3).
      const int16_t version = std::min<int16_t>(sub->version, 3);
      auto again = decode_consumer_subscription(encode_consumer_subscription(version, sub->topics, sub->owned,
                                                                             sub->rack_id));
      if (!again.ok() || again->topics != sub->topics || again->owned != sub->owned) abort();
    }
    if (auto a = decode_consumer_assignment(value); a.ok()) {
      auto again = decode_consumer_assignment(encode_consumer_assignment(0, a->partitions));
      if (!again.ok() || again->partitions != a->partitions) abort();
    }
    (void)java_string_hash(std::string(key.begin(), key.end()));
    return 0;
  }

  // Replay the record, then use the group the way clients would.
  memory_offset_log log;
  coordinator_config cfg;
  cfg.make_uuid = [] { return std::string("u"); };
  coordinator c(cfg, log);
  (void)c.load_record(key, value, 0);
  (void)c.load_record(key, std::nullopt, 0);
  (void)c.load_record(key, value, 0);
  // The same record as part of a transaction, decided by a marker or not.
  (void)c.load_transactional_record(9, key, value, 0);
  if (mode % 4 == 1) {
    for (int32_t p = 0; p < cfg.offsets_topic_partitions; ++p) c.on_transaction_marker(p, 9, mode % 8 == 1);
  }
  c.finish_loading(0);
  for (const auto& g : c.list_groups().groups) {
    (void)c.describe_groups({g.group_id});
    (void)c.fetch_offsets(g.group_id, std::nullopt, /*require_stable=*/true);
    const group_metadata* gm = c.find_group(g.group_id);
    std::string member = gm && !gm->members().empty() ? gm->members().front()->member_id : "";
    join_request j;
    j.group_id = g.group_id;
    j.member_id = member;
    j.client_id = "fuzz";
    j.session_timeout_ms = 10000;
    j.rebalance_timeout_ms = 10000;
    j.protocol_type = "consumer";
    j.protocols = {protocol_entry{gm && gm->protocol_name ? *gm->protocol_name : "range", value}};
    c.join(j, 1, [](join_result) {});
    (void)c.heartbeat(heartbeat_request{g.group_id, 1, member, std::nullopt}, 2);
    c.tick(100000);
    c.tick(10000000);
  }
  return 0;
}
