// `samsa consume --explain`: why each record is where it is. The partition
// comes from the producer's partitioner (murmur2 of the key modulo the
// partition count, for keyed records, in every Kafka client's default), and
// which consumer reads it comes from the group's assignment: the tour's
// lesson, applied to real data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "client/types.h"

namespace samsa::cli {

struct explain_context {
  std::map<std::string, int32_t> partition_counts;  // per topic, as described at start
  std::string group;                                // empty: no group (partitions assigned by hand)
  std::string member_id;                            // this consumer's id in the group
};

struct record_explanation {
  std::optional<uint32_t> hash;             // murmur2 & 0x7fffffff, for keyed records
  std::optional<int32_t> expected_partition;
  int32_t partitions = 0;                   // 0: not known
  std::string placement;                    // one sentence on the partition
  std::string reader;                       // one sentence on who reads it
};

record_explanation explain_record(const client::consumed_message& m, const explain_context& ctx);
// "  why: ..." lines for the text output.
std::string explanation_text(const record_explanation& e);
nlohmann::json explanation_json(const record_explanation& e);

}  // namespace samsa::cli
