// Fuzz target for the KIP-848 consumer group records replayed from
// __consumer_offsets (consumer_group_records.h): the decoders must refuse
// or accept without crashing, accepted values must survive a re-encode, and
// a coordinator that loaded the record must describe it and take a
// heartbeat. Input: one mode byte, a 2-byte key length, the key, the value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "group/consumer_group_coordinator.h"
#include "group/consumer_group_records.h"
#include "group/memory_offset_log.h"

using namespace samsa::group;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t mode = data[0];
  const size_t key_len = std::min<size_t>((size_t{data[1]} << 8) | data[2], size - 3);
  const bytes key(data + 3, data + 3 + key_len);
  const bytes value(data + 3 + key_len, data + size);

  if (auto k = decode_cg_key(key); k.ok()) {
    auto again = decode_cg_key(encode_cg_key(*k));
    if (!again.ok() || again->group_id != k->group_id || again->member_id != k->member_id) abort();
  }
  if (auto v = decode_cg_member_value(value); v.ok()) {
    auto again = decode_cg_member_value(encode_cg_member_value(*v));
    if (!again.ok() || !(*again == *v)) abort();
  }
  if (auto v = decode_cg_assignment_value(value); v.ok()) {
    auto again = decode_cg_assignment_value(encode_cg_assignment_value(*v));
    if (!again.ok() || *again != *v) abort();
  }
  if (auto v = decode_cg_current_value(value); v.ok()) {
    auto again = decode_cg_current_value(encode_cg_current_value(*v));
    if (!again.ok() || !(*again == *v)) abort();
  }
  (void)decode_cg_group_value(value);
  (void)decode_cg_target_epoch_value(value);
  if (mode % 2 == 0) return 0;

  memory_offset_log log;
  consumer_group_config cfg;
  cfg.make_member_id = [] { return std::string("m"); };
  consumer_group_coordinator c(cfg, log);
  c.set_downgrade_handler([](classic_group_snapshot) {});
  (void)c.load_record(key, value);
  if (mode % 4 == 3) (void)c.load_record(key, std::nullopt);
  c.finish_loading(0);
  cg_topic_metadata topics;
  topics.by_name["t"] = cg_topic{topic_id{}, "t", 3, false};
  for (const auto& g : c.list()) {
    auto d = c.describe({g.group_id}, topics);
    for (const auto& m : d.front().members) {
      if (m.classic) {
        // A replayed classic member is driven by the classic APIs.
        (void)c.classic_heartbeat({g.group_id, m.member_epoch, m.member_id, m.instance_id}, 1);
        (void)c.classic_sync({g.group_id, m.member_epoch, m.member_id, m.instance_id, std::nullopt, std::nullopt, {}},
                             topics, 1);
      }
      cg_heartbeat_request r;
      r.group_id = g.group_id;
      r.member_id = m.member_id;
      r.member_epoch = m.member_epoch;
      r.owned = m.assignment;
      c.heartbeat(r, topics, 1, [](cg_heartbeat_result) {});
      (void)c.validate_offset_commit(g.group_id, m.member_id, m.member_epoch, 9, {{topic_id{}, 0}});
    }
  }
  c.tick(1'000'000);
  return 0;
}
