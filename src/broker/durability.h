// Bridges storage's group-commit flush (completed on the flusher thread) back
// into a coroutine on the network thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>

#include "base/result.h"
#include "storage/partition_log.h"

namespace samsa::broker {

// Resumes once everything below `up_to_offset` in `log` is on disk.
boost::asio::awaitable<status> wait_durable(boost::asio::io_context& io, storage::partition_log& log,
                                            int64_t up_to_offset);

}  // namespace samsa::broker
