#include "cli/record_explain.h"

#include <fmt/format.h>

#include "cli/key_hash.h"

namespace samsa::cli {

record_explanation explain_record(const client::consumed_message& m, const explain_context& ctx) {
  record_explanation e;
  if (auto it = ctx.partition_counts.find(m.topic); it != ctx.partition_counts.end()) e.partitions = it->second;
  if (!m.key) {
    e.placement = fmt::format(
        "no key, so no hash: the producer chose partition {} itself (sticky or round-robin: keyless records are "
        "spread for balance, not grouped)",
        m.partition);
  } else if (e.partitions <= 0) {
    e.placement = fmt::format("key \"{}\": the partition count of {} is unknown, so the hash cannot be checked",
                              m.key->size() > 40 ? m.key->substr(0, 40) + "…" : *m.key, m.topic);
  } else {
    uint32_t hash = static_cast<uint32_t>(murmur2(*m.key)) & 0x7fffffffu;
    int32_t expected = static_cast<int32_t>(hash % static_cast<uint32_t>(e.partitions));
    e.hash = hash;
    e.expected_partition = expected;
    std::string key = m.key->size() > 40 ? m.key->substr(0, 40) + "…" : *m.key;
    if (expected == m.partition) {
      e.placement = fmt::format("key \"{}\": murmur2 = {}, {} % {} partitions = {}: every record with this key goes "
                                "to partition {}, so their order is kept",
                                key, hash, hash, e.partitions, expected, m.partition);
    } else {
      e.placement = fmt::format(
          "key \"{}\": murmur2 = {}, {} % {} partitions = {}, yet the record is in partition {}: the producer chose "
          "the partition itself, used another partitioner, or the topic had fewer partitions when it was written",
          key, hash, hash, e.partitions, expected, m.partition);
    }
  }
  if (ctx.group.empty()) {
    e.reader = fmt::format("read without a group: this consumer was given {}[{}] directly", m.topic, m.partition);
  } else {
    e.reader = fmt::format(
        "group {} assigned {}[{}] to this member ({}): no other member of the group reads it until a rebalance",
        ctx.group, m.topic, m.partition, ctx.member_id.empty() ? "member id not known yet" : ctx.member_id);
  }
  return e;
}

std::string explanation_text(const record_explanation& e) {
  return fmt::format("  why: {}\n  who: {}\n", e.placement, e.reader);
}

nlohmann::json explanation_json(const record_explanation& e) {
  nlohmann::json j{{"placement", e.placement}, {"reader", e.reader}};
  j["partitions"] = e.partitions > 0 ? nlohmann::json(e.partitions) : nlohmann::json(nullptr);
  j["murmur2"] = e.hash ? nlohmann::json(*e.hash) : nlohmann::json(nullptr);
  j["key_partition"] = e.expected_partition ? nlohmann::json(*e.expected_partition) : nlohmann::json(nullptr);
  return j;
}

}  // namespace samsa::cli
