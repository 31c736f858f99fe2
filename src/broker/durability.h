// Bridges storage's group-commit flush (completed on a sync thread) back
// into the awaiting coroutine, on the executor it runs on (a request
// handler thread or the control thread).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.h"
#include "storage/partition_log.h"

namespace samsa::broker {

struct durable_target {
  std::shared_ptr<storage::partition_log> log;
  int64_t up_to_offset = 0;  // exclusive end of what must be on disk
};

// Resumes once everything below `up_to_offset` in `log` is on disk.
boost::asio::awaitable<status> wait_durable(storage::partition_log& log, int64_t up_to_offset);

// The same for several partitions at once: every flush is requested before
// any is awaited, so they share the flusher's next round instead of taking
// one round each. Returns one status per target, in order.
boost::asio::awaitable<std::vector<status>> wait_durable(const std::vector<durable_target>& targets);

}  // namespace samsa::broker
