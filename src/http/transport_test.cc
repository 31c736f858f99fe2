#include "http/transport.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <array>
#include <chrono>
#include <string>
#include <vector>

namespace samsa::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TEST(transport, buffer_run_keeps_the_first_sixteen_non_empty_pieces_in_order) {
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i) texts.push_back(i % 3 == 0 ? std::string() : "piece" + std::to_string(i));
  std::vector<asio::const_buffer> sequence;
  for (auto& t : texts) sequence.push_back(asio::buffer(t));

  auto run = buffer_run<asio::const_buffer>::first_of(sequence);
  ASSERT_EQ(run.count, 16u);
  size_t next = 0;
  for (const auto& piece : run) {
    while (texts[next].empty()) ++next;
    EXPECT_EQ(std::string(static_cast<const char*>(piece.data()), piece.size()), texts[next]);
    ++next;
  }
}

TEST(transport, buffer_run_of_only_empty_buffers_is_empty) {
  std::vector<asio::mutable_buffer> sequence(5);
  EXPECT_EQ(buffer_run<asio::mutable_buffer>::first_of(sequence).count, 0u);
}

// A write of more pieces than one step carries, through the erased stream
// over a real loopback connection: every byte arrives, in order.
TEST(transport, a_write_of_many_pieces_arrives_whole_over_a_socket) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  std::vector<std::string> texts;
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    texts.push_back(std::string(1000 + i, static_cast<char>('a' + i % 26)));
    expected += texts.back();
  }
  std::string received;
  bool wrote = false;

  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        tcp::socket client(io);
        co_await client.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
        boost::beast::tcp_stream stream(std::move(client));
        transport_over<boost::beast::tcp_stream> erased(stream);
        erased.expires_after(std::chrono::seconds(10));
        std::vector<asio::const_buffer> pieces;
        for (auto& t : texts) pieces.push_back(asio::buffer(t));
        auto [ec, n] = co_await asio::async_write(erased, pieces, asio::as_tuple(asio::use_awaitable));
        wrote = !ec && n == expected.size();
        erased.socket().shutdown(tcp::socket::shutdown_send);
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        tcp::socket server = co_await acceptor.async_accept(asio::use_awaitable);
        boost::beast::tcp_stream stream(std::move(server));
        transport_over<boost::beast::tcp_stream> erased(stream);
        std::array<char, 4096> chunk;
        for (;;) {
          auto [ec, n] = co_await erased.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
          received.append(chunk.data(), n);
          if (ec) break;
        }
      },
      asio::detached);
  io.run();
  EXPECT_TRUE(wrote);
  EXPECT_EQ(received.size(), expected.size());
  EXPECT_TRUE(received == expected);
}

}  // namespace
}  // namespace samsa::http
