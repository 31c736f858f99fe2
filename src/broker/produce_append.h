// The append phase of a produce, one checked batch at a time: the producer
// table's idempotence check and the partition append (which records the
// batch in the table), both under the partition log's lock. It touches only
// the log, so it may run on the worker pool; the caller keeps a
// connection's appends in arrival order (append_turns) and wakes fetch
// waiters on the handler thread.
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

// Safe on any thread: the log serializes its appends, and an idempotent
// batch's producer check runs under the same lock as its write.
partition_append append_checked(storage::partition_log& log, checked_batch& batch, int64_t now_ms);

}  // namespace samsa::broker
