#include "broker/connection.h"

#include <spdlog/spdlog.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "broker/request_router.h"

namespace samsa::broker {

namespace asio = boost::asio;
using asio::use_awaitable;
constexpr auto no_throw = asio::as_tuple(asio::use_awaitable);

connection::connection(asio::ip::tcp::socket socket, request_router& router, connection_limits limits,
                       std::string listener_name)
    : socket_(std::move(socket)),
      router_(router),
      limits_(limits),
      listener_name_(std::move(listener_name)),
      writer_wakeup_(socket_.get_executor()),
      reader_wakeup_(socket_.get_executor()),
      idle_timer_(socket_.get_executor()) {
  boost::system::error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  peer_ = ec ? "unknown peer" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

void connection::start() {
  auto self = shared_from_this();
  asio::co_spawn(socket_.get_executor(), [self]() { return self->read_loop(); }, asio::detached);
  asio::co_spawn(socket_.get_executor(), [self]() { return self->write_loop(); }, asio::detached);
  if (limits_.max_idle_ms > 0) {
    asio::co_spawn(socket_.get_executor(), [self]() { return self->idle_watchdog(); }, asio::detached);
  }
}

void connection::close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  if (!reason.empty()) spdlog::info("connection {} closed: {}", peer_, reason);
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  writer_wakeup_.cancel();
  reader_wakeup_.cancel();
  idle_timer_.cancel();
}

void connection::stop_reading() {
  reading_ = false;
  // Interrupt a pending read by shutting down only the receive side.
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_receive, ignored);
  if (pending_.empty()) close("");
}

void connection::wake_writer() { writer_wakeup_.cancel(); }

asio::awaitable<void> connection::idle_watchdog() {
  auto self = shared_from_this();
  while (!closed_) {
    idle_timer_.expires_after(std::chrono::milliseconds(limits_.max_idle_ms));
    auto [ec] = co_await idle_timer_.async_wait(no_throw);
    if (closed_) break;
    // A fresh request cancels the timer (ec set); expiry with nothing pending means idle.
    if (!ec && pending_.empty()) {
      close("idle for more than connections.max.idle.ms=" + std::to_string(limits_.max_idle_ms));
    }
  }
}

asio::awaitable<void> connection::read_loop() {
  auto self = shared_from_this();
  while (!closed_ && reading_) {
    uint8_t size_bytes[4];
    auto [ec, n] = co_await asio::async_read(socket_, asio::buffer(size_bytes), no_throw);
    if (ec) {
      if (!reading_) break;  // shutting down: the writer closes once answers are out
      if (ec != asio::error::eof && ec != asio::error::operation_aborted) {
        close("read failed: " + ec.message());
      } else {
        close("");
      }
      break;
    }
    idle_timer_.cancel();
    int32_t size = static_cast<int32_t>((uint32_t(size_bytes[0]) << 24) | (uint32_t(size_bytes[1]) << 16) |
                                        (uint32_t(size_bytes[2]) << 8) | uint32_t(size_bytes[3]));
    // Check the size before allocating anything for the frame.
    if (size < 8 || size > limits_.max_request_bytes) {
      close("request size " + std::to_string(size) + " is outside [8, socket.request.max.bytes=" +
            std::to_string(limits_.max_request_bytes) + "]");
      break;
    }
    // Grow the buffer as bytes arrive rather than reserving the announced
    // size: a peer that announces 100 MiB and sends 10 bytes costs 64 KiB.
    auto frame = std::make_shared<std::vector<uint8_t>>();
    size_t wanted = static_cast<size_t>(size);
    boost::system::error_code body_ec;
    while (frame->size() < wanted) {
      size_t have = frame->size();
      size_t chunk = std::min(wanted - have, std::max<size_t>(have, 64 * 1024));
      frame->resize(have + chunk);
      auto [ec_part, n_part] = co_await asio::async_read(socket_, asio::buffer(frame->data() + have, chunk), no_throw);
      if (ec_part) {
        body_ec = ec_part;
        break;
      }
    }
    if (body_ec) {
      close(body_ec == asio::error::eof ? "client closed mid-request" : "read failed: " + body_ec.message());
      break;
    }
    auto answer = std::make_shared<slot>();
    pending_.push_back(answer);
    // Handlers run synchronously up to their first suspension, so requests of
    // one connection reach the partition logs in the order they were sent.
    asio::co_spawn(socket_.get_executor(), serve_request(std::move(frame), answer), asio::detached);
    while (!closed_ && pending_.size() >= limits_.max_in_flight) {
      reader_wakeup_.expires_at(asio::steady_timer::time_point::max());
      co_await reader_wakeup_.async_wait(no_throw);
    }
  }
}

asio::awaitable<void> connection::serve_request(std::shared_ptr<std::vector<uint8_t>> frame,
                                                std::shared_ptr<slot> answer) {
  auto self = shared_from_this();
  client_info client{peer_, peer_.substr(0, peer_.rfind(':')), listener_name_};
  auto routed = co_await router_.route(std::move(frame), client);
  if (!routed) {
    close(routed.err().message);
    co_return;
  }
  answer->frame = std::move(*routed);
  answer->ready = true;
  wake_writer();
}

asio::awaitable<void> connection::write_loop() {
  auto self = shared_from_this();
  while (!closed_) {
    if (pending_.empty() || !pending_.front()->ready) {
      writer_wakeup_.expires_at(asio::steady_timer::time_point::max());
      co_await writer_wakeup_.async_wait(no_throw);
      continue;
    }
    auto next = pending_.front();
    pending_.pop_front();
    reader_wakeup_.cancel();
    if (next->frame && !co_await send_frame(*next->frame)) {
      close("write failed");
      break;
    }
    if (!reading_ && pending_.empty()) close("");
  }
}

// Sends buffer parts with write() and log segment slices with sendfile(), so
// fetched record bytes go from the page cache to the socket without a copy.
asio::awaitable<bool> connection::send_frame(const protocol::writer& frame) {
  const auto& buffer = frame.buffer();
  size_t written = 0;
  for (const auto& splice : frame.splices()) {
    if (splice.position > written) {
      auto [ec, n] = co_await asio::async_write(
          socket_, asio::buffer(buffer.data() + written, splice.position - written), no_throw);
      if (ec) co_return false;
      written = splice.position;
    }
    off_t offset = splice.slice.position;
    size_t left = static_cast<size_t>(splice.slice.length);
    socket_.non_blocking(true);
    while (left > 0) {
      ssize_t sent = ::sendfile(socket_.native_handle(), splice.slice.fd, &offset, left);
      if (sent > 0) {
        left -= static_cast<size_t>(sent);
        continue;
      }
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        auto [ec] = co_await socket_.async_wait(asio::ip::tcp::socket::wait_write, no_throw);
        if (ec) co_return false;
        continue;
      }
      if (sent < 0 && errno == EINTR) continue;
      // The file shrank under us (retention deleted it mid-send) or the peer went away:
      // the frame cannot be completed, so the connection must close.
      spdlog::warn("connection {}: sendfile failed with {} bytes left: {}", peer_, left,
                   sent < 0 ? std::strerror(errno) : "unexpected end of file");
      co_return false;
    }
  }
  if (buffer.size() > written) {
    auto [ec, n] =
        co_await asio::async_write(socket_, asio::buffer(buffer.data() + written, buffer.size() - written), no_throw);
    if (ec) co_return false;
  }
  co_return true;
}

}  // namespace samsa::broker
