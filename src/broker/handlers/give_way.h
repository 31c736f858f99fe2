// Handlers whose work grows with the entries a request lists (a ListOffsets
// of millions of partitions, most of them the same one) give the handler
// thread back every so often, so the requests of every other connection run
// in between instead of waiting for the whole loop: 3,000,000 ListOffsets
// entries once held every client's Metadata for 28 s.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>

namespace samsa::broker {

// Entries a handler works through between two turns of the others.
inline constexpr size_t entries_per_turn = 2048;

// Counts one entry; every entries_per_turn-th call goes to the back of the
// handler thread's queue (`co_await give_way(...)`).
inline boost::asio::awaitable<void> give_way(boost::asio::io_context& io, size_t& entries) {
  if (++entries % entries_per_turn == 0) co_await boost::asio::post(io, boost::asio::use_awaitable);
}

}  // namespace samsa::broker
