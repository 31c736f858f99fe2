// The append phase of a produce, one checked batch at a time: the producer
// registry's idempotence check and the partition append (which records the
// batch in the partition's producer table). Unlike the check phase (produce_checks.h) it
// touches broker state, so it runs where the partition's appends are
// ordered (the handler thread, in arrival order); waking fetch waiters is
// left to the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "broker/produce_checks.h"
#include "broker/producer_registry.h"
#include "protocol/error_code.h"
#include "storage/partition_log.h"

namespace samsa::broker {

struct partition_append {
  protocol::error_code code = protocol::error_code::none;
  std::string message;
  storage::append_result appended{};     // valid when code is none
  bool duplicate = false;                // a retry answered from memory: nothing stored
  std::optional<error> storage_failure;  // the log refused the write (code says what Kafka sees)
  bool ok() const { return code == protocol::error_code::none; }
};

partition_append append_checked(producer_registry& producers, storage::partition_log& log, checked_batch& batch,
                                int64_t now_ms);

}  // namespace samsa::broker
