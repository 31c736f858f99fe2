// What the broker checks in a produce request's records before they reach
// the log: framing, CRC, magic, sizes, every record's layout, timestamp
// (message.timestamp.*) and key (compacted topics), and recompression when the
// topic's compression.type is not "producer".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/error_code.h"
#include "storage/log_config.h"

namespace samsa::broker {

struct record_error {
  int32_t batch_index = 0;  // index of the bad record within its batch (Kafka's "batch index")
  std::string message;
};

struct produce_check {
  protocol::error_code code = protocol::error_code::none;
  std::string message;
  std::vector<record_error> record_errors;
  // Set when the broker rewrote the batches (recompression); append these instead.
  std::optional<std::vector<uint8_t>> rewritten;
  int32_t record_count = 0;
  bool ok() const { return code == protocol::error_code::none; }
};

// May rewrite `records` in place (a batch's maxTimestamp, with its CRC, when
// it is not the largest record timestamp, as Kafka stores it).
produce_check check_produce_records(std::span<uint8_t> records, const storage::log_config& config,
                                    int64_t now_ms);

}  // namespace samsa::broker
