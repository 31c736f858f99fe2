#include "broker/connection.h"

#include "base/metrics.h"

#include "base/big_endian.h"
#include "base/refusal_log.h"
#include "broker/context_threads.h"
#include "broker/sasl_session.h"
#include "protocol/api_keys.h"

#include <spdlog/spdlog.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>

namespace samsa::broker {

namespace asio = boost::asio;
using asio::use_awaitable;
constexpr auto no_throw = asio::as_tuple(asio::use_awaitable);

namespace {

// A frame grows in steps of at least this as its bytes arrive.
constexpr size_t min_read_step = 4 * 1024;
constexpr size_t max_iovecs = 64;
// How often a reader waiting for broker-wide request memory looks again.
constexpr auto memory_retry = std::chrono::milliseconds(5);
// TLS: answers are coalesced, and file slices read, through this much memory
// per connection (four full TLS records).
constexpr size_t tls_staging_bytes = 64 * 1024;

std::atomic<int64_t> pinned_bytes{0};

std::string millis(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

frame_pool::~frame_pool() {
  for (auto* buffer : free_) delete buffer;
}

std::shared_ptr<request_frame> frame_pool::take() {
  request_frame* buffer = nullptr;
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      buffer = free_.back();
      free_.pop_back();
      bytes_ -= buffer->capacity();
    }
  }
  if (buffer == nullptr) buffer = new request_frame();
  // The deleter keeps the pool alive for as long as any of its buffers is.
  return std::shared_ptr<request_frame>(
      buffer, [pool = shared_from_this()](request_frame* b) { pool->give_back(b); });
}

size_t frame_pool::retained_bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

void frame_pool::give_back(request_frame* buffer) {
  size_t capacity = buffer->capacity();
  if (capacity <= max_buffer_bytes) {
    std::lock_guard lock(mu_);
    if (free_.size() < max_buffers && bytes_ + capacity <= max_retained_bytes) {
      free_.push_back(buffer);
      bytes_ += capacity;
      return;
    }
  }
  delete buffer;
}

int64_t connection::pinned_file_bytes() { return pinned_bytes.load(std::memory_order_relaxed); }

connection::slot::~slot() {
  if (pinned != 0) pinned_bytes.fetch_sub(pinned, std::memory_order_relaxed);
}

connection::connection(asio::ip::tcp::socket socket, connection_services services, connection_limits limits,
                       listener_security security, std::unique_ptr<connection_admission::place> place)
    : socket_(std::move(socket)),
      handshake_timeout_(security.handshake_timeout),
      services_(std::move(services)),
      limits_(limits),
      place_(std::move(place)),
      writer_wakeup_(socket_.get_executor()),
      reader_wakeup_(socket_.get_executor()),
      watchdog_timer_(socket_.get_executor()),
      handshake_timer_(socket_.get_executor()),
      last_progress_(std::chrono::steady_clock::now()) {
  if (!services_.frames) services_.frames = std::make_shared<frame_pool>();
  data_handler_ = services_.data_handlers ? services_.data_handlers->next().get_executor() : services_.handlers;
  boost::system::error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  client_.peer = ec ? "unknown peer" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  client_.host = client_.peer.substr(0, client_.peer.rfind(':'));
  client_.listener_name = std::move(security.name);
  client_.protocol = security.protocol;
  // SASL listeners serve nothing but the SASL exchange until it succeeds.
  client_.authenticated = !uses_sasl(security.protocol);
  if (uses_sasl(security.protocol) && security.sasl) client_.sasl = std::make_shared<sasl_session>(security.sasl);
  if (security.tls) tls_ = std::make_unique<security::tls::tls_session>(security.tls, socket_.native_handle());
  handshake_done_ = !tls_;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  // sendmsg() and sendfile() are called directly and must not block. Set
  // once: asio issues an ioctl() each time this is called.
  socket_.non_blocking(true, ec);
}

connection::~connection() = default;

void connection::start() {
  auto self = shared_from_this();
  if (tls_) {
    asio::co_spawn(socket_.get_executor(), [self]() { return self->tls_handshake(); }, asio::detached);
  } else {
    start_serving();
  }
  if (limits_.max_idle_ms > 0 || limits_.max_write_stall_ms > 0) {
    asio::co_spawn(socket_.get_executor(), [self]() { return self->watchdog(); }, asio::detached);
  }
}

void connection::start_serving() {
  auto self = shared_from_this();
  if (client_.sasl) start_sasl_deadline();
  asio::co_spawn(socket_.get_executor(), [self]() { return self->read_loop(); }, asio::detached);
  asio::co_spawn(socket_.get_executor(), [self]() { return self->write_loop(); }, asio::detached);
}

// A client that connects to a SASL listener and never finishes (or never
// starts) the exchange holds a connection slot: it gets
// sasl.authentication.timeout.ms from the moment requests may be read.
void connection::start_sasl_deadline() {
  auto timeout = std::chrono::milliseconds(client_.sasl->config().authentication_timeout_ms);
  handshake_timer_.expires_after(timeout);
  handshake_timer_.async_wait([weak = weak_from_this(), timeout](const boost::system::error_code& ec) {
    auto conn = weak.lock();
    if (ec || !conn || conn->closed_ || conn->client_.sasl->ever_authenticated()) return;
    log_refusal(refusal::sasl, "connection " + conn->client_.peer + " on listener " + conn->client_.listener_name +
                                   " closed: SASL authentication not finished within " +
                                   std::to_string(timeout.count()) + " ms (sasl.authentication.timeout.ms)");
    conn->close("");
  });
}

// The handshake runs on the network thread, event by event, so a client that
// sends nothing, or a byte a minute, holds no thread: only its connection
// slot (counted against max.connections) and OpenSSL's buffers, until the
// deadline closes it.
asio::awaitable<void> connection::tls_handshake() {
  auto self = shared_from_this();
  const std::string where = client_.peer + " on listener " + client_.listener_name;
  if (!tls_->valid()) {
    log_refusal(refusal::tls, "connection " + where + " closed: no TLS session: " +
                                  security::tls::drain_openssl_errors());
    close("");
    co_return;
  }
  handshake_timer_.expires_after(handshake_timeout_);
  handshake_timer_.async_wait([weak = weak_from_this(), where, timeout = handshake_timeout_](
                                  const boost::system::error_code& ec) {
    auto conn = weak.lock();
    if (ec || !conn || conn->handshake_done_ || conn->closed_) return;
    log_refusal(refusal::tls, "connection " + where + " closed: TLS handshake not finished within " +
                                  std::to_string(timeout.count()) + " ms (ssl.handshake.timeout.ms)");
    conn->close("");
  });
  for (;;) {
    auto r = tls_->handshake();
    if (r.state == security::tls::io_state::done) break;
    if (r.state == security::tls::io_state::want_read || r.state == security::tls::io_state::want_write) {
      auto [ec] = co_await socket_.async_wait(r.state == security::tls::io_state::want_read
                                                  ? asio::ip::tcp::socket::wait_read
                                                  : asio::ip::tcp::socket::wait_write,
                                              no_throw);
      if (ec || closed_) co_return;
      note_progress();
      continue;
    }
    std::string why = r.error.empty() ? "the client closed the connection during the TLS handshake" : r.error;
    // A Kafka frame's first bytes read as a record of an unknown version.
    if (why.find("wrong version number") != std::string::npos || why.find("http request") != std::string::npos ||
        why.find("packet length too long") != std::string::npos) {
      why += " (is a plaintext client talking to this TLS listener?)";
    }
    log_refusal(refusal::tls, "connection " + where + " closed: " + why);
    close("");
    co_return;
  }
  handshake_done_ = true;
  handshake_timer_.cancel();
  auto who = tls_->peer_principal();
  if (!who) {
    log_refusal(refusal::tls, "connection " + where + " closed: " + who.err().message);
    close("");
    co_return;
  }
  client_.principal = *who;
  if (!who->is_anonymous()) {
    spdlog::info("TLS client {} authenticated by certificate as {} ({}, subject '{}')", where, who->to_string(),
                 tls_->describe(), tls_->peer_subject());
  } else {
    spdlog::debug("TLS client {} connected without a client certificate ({})", where, tls_->describe());
  }
  note_progress();
  start_serving();
}

asio::awaitable<std::pair<boost::system::error_code, size_t>> connection::read_some(uint8_t* buffer, size_t size) {
  if (!tls_) {
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer, size), no_throw);
    co_return std::pair{ec, n};
  }
  for (;;) {
    if (closed_) co_return std::pair{boost::system::error_code(asio::error::operation_aborted), size_t{0}};
    auto r = tls_->read(buffer, size);
    switch (r.state) {
      case security::tls::io_state::done:
        co_return std::pair{boost::system::error_code{}, r.bytes};
      case security::tls::io_state::want_read:
      case security::tls::io_state::want_write: {
        auto [ec] = co_await socket_.async_wait(r.state == security::tls::io_state::want_read
                                                    ? asio::ip::tcp::socket::wait_read
                                                    : asio::ip::tcp::socket::wait_write,
                                                no_throw);
        if (ec) co_return std::pair{ec, size_t{0}};
        continue;
      }
      case security::tls::io_state::closed:
        co_return std::pair{boost::system::error_code(asio::error::eof), size_t{0}};
      case security::tls::io_state::failed:
        log_refusal(refusal::tls, "connection " + client_.peer + " on listener " + client_.listener_name +
                                      " closed: " + r.error);
        co_return std::pair{boost::system::error_code(asio::error::connection_aborted), size_t{0}};
    }
  }
}

asio::awaitable<bool> connection::tls_write_all(const uint8_t* data, size_t size) {
  while (size > 0) {
    if (closed_) co_return false;
    auto r = tls_->write(data, size);
    switch (r.state) {
      case security::tls::io_state::done:
        data += r.bytes;
        size -= r.bytes;
        note_progress();
        continue;
      case security::tls::io_state::want_read:
      case security::tls::io_state::want_write: {
        writer_blocked_ = true;
        auto [ec] = co_await socket_.async_wait(r.state == security::tls::io_state::want_read
                                                    ? asio::ip::tcp::socket::wait_read
                                                    : asio::ip::tcp::socket::wait_write,
                                                no_throw);
        writer_blocked_ = false;
        if (ec || closed_) co_return false;
        continue;
      }
      case security::tls::io_state::closed:
      case security::tls::io_state::failed:
        if (!r.error.empty()) spdlog::info("connection {}: {}", client_.peer, r.error);
        co_return false;
    }
  }
  co_return true;
}

// Small answers are coalesced into full TLS records rather than one record each.
asio::awaitable<bool> connection::tls_flush_gathered() {
  if (!tls_staging_) tls_staging_.reset(new uint8_t[tls_staging_bytes]);
  size_t used = 0;
  for (const auto& part : gathered_) {
    const auto* p = static_cast<const uint8_t*>(part.data());
    size_t left = part.size();
    while (left > 0) {
      if (used == tls_staging_bytes) {
        if (!co_await tls_write_all(tls_staging_.get(), used)) co_return false;
        used = 0;
      }
      size_t n = std::min(left, tls_staging_bytes - used);
      std::memcpy(tls_staging_.get() + used, p, n);
      used += n;
      p += n;
      left -= n;
    }
  }
  if (used > 0 && !co_await tls_write_all(tls_staging_.get(), used)) co_return false;
  gathered_.clear();
  co_return true;
}

// Over TLS the bytes must pass through OpenSSL: with kernel TLS the kernel
// encrypts the file pages itself (SSL_sendfile); otherwise the slice is read
// into the staging buffer and written as records (one copy).
asio::awaitable<bool> connection::tls_send_file(const protocol::file_slice& slice) {
  off_t offset = slice.position;
  size_t left = static_cast<size_t>(slice.length);
  if (tls_->ktls_send()) {
    while (left > 0) {
      auto r = tls_->sendfile(slice.fd, offset, left);
      if (r.state == security::tls::io_state::done && r.bytes > 0) {
        offset += static_cast<off_t>(r.bytes);
        left -= r.bytes;
        note_progress();
        continue;
      }
      if (r.state == security::tls::io_state::want_write) {
        writer_blocked_ = true;
        auto [ec] = co_await socket_.async_wait(asio::ip::tcp::socket::wait_write, no_throw);
        writer_blocked_ = false;
        if (ec || closed_) co_return false;
        continue;
      }
      spdlog::warn("connection {}: TLS sendfile failed with {} bytes left: {}", client_.peer, left,
                   r.error.empty() ? "unexpected end of file" : r.error);
      co_return false;
    }
    co_return true;
  }
  if (!tls_staging_) tls_staging_.reset(new uint8_t[tls_staging_bytes]);
  while (left > 0) {
    ssize_t n = ::pread(slice.fd, tls_staging_.get(), std::min(left, tls_staging_bytes), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      spdlog::warn("connection {}: reading a log slice for TLS failed with {} bytes left: {}", client_.peer, left,
                   n < 0 ? std::strerror(errno) : "unexpected end of file");
      co_return false;
    }
    if (!co_await tls_write_all(tls_staging_.get(), static_cast<size_t>(n))) co_return false;
    offset += n;
    left -= static_cast<size_t>(n);
  }
  co_return true;
}

void connection::close_async(std::string reason) {
  asio::post(socket_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] { self->close(reason); });
}

void connection::stop_reading_async() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->stop_reading(); });
}

void connection::close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  if (!reason.empty()) spdlog::info("connection {} closed: {}", client_.peer, reason);
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  writer_wakeup_.cancel();
  reader_wakeup_.cancel();
  watchdog_timer_.cancel();
  handshake_timer_.cancel();
  // Answers that will never be written release their pinned files now.
  pending_.clear();
  update_in_flight();
}

void connection::update_in_flight() {
  // Once closed, only requests still in a handler count (shutdown waits for them).
  in_flight_.store(closed_ ? running_.total() : pending_.size(), std::memory_order_release);
}

void connection::stop_reading() {
  reading_ = false;
  // Interrupt a pending read by shutting down only the receive side.
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_receive, ignored);
  reader_wakeup_.cancel();
  if (pending_.empty()) close("");
}

void connection::wake_writer() { writer_wakeup_.cancel(); }

// Kafka closes a connection idle for connections.max.idle.ms. An answer that
// is being computed (a parked fetch, a join waiting for its group) is not
// idleness; an answer the client does not read is, after
// connections.max.write.stall.ms without a byte written: otherwise a client
// that never reads would hold its answers, and the log files they pin,
// forever.
asio::awaitable<void> connection::watchdog() {
  auto self = shared_from_this();
  const auto idle = std::chrono::milliseconds(limits_.max_idle_ms);
  const auto stall = std::chrono::milliseconds(limits_.max_write_stall_ms);
  const std::chrono::steady_clock::duration far = std::chrono::hours(24 * 365);
  while (!closed_) {
    auto now = std::chrono::steady_clock::now();
    auto quiet = now - last_progress_;
    if (limits_.max_write_stall_ms > 0 && writer_blocked_ && quiet >= stall) {
      int64_t pinned = 0;
      for (const auto& s : pending_) pinned += s->pinned;
      log_refusal(refusal::stalled, "connection " + client_.peer + " closed: its answers made no write progress for " +
                                        millis(quiet) + " (connections.max.write.stall.ms=" +
                                        std::to_string(limits_.max_write_stall_ms) + "); " +
                                        std::to_string(pinned) + " bytes of log files released");
      close("");
      break;
    }
    if (limits_.max_idle_ms > 0 && pending_.empty() && quiet >= idle) {
      close("idle for more than connections.max.idle.ms=" + std::to_string(limits_.max_idle_ms));
      break;
    }
    std::chrono::steady_clock::duration next = far;
    if (limits_.max_idle_ms > 0) next = std::min<std::chrono::steady_clock::duration>(next, idle);
    if (limits_.max_write_stall_ms > 0) next = std::min<std::chrono::steady_clock::duration>(next, stall);
    // Look again when the earliest limit could be reached from the last progress.
    auto wake = last_progress_ + next;
    if (wake <= now) wake = now + std::min<std::chrono::steady_clock::duration>(next, std::chrono::seconds(1));
    watchdog_timer_.expires_at(wake);
    co_await watchdog_timer_.async_wait(no_throw);
  }
}

asio::awaitable<boost::system::error_code> connection::fill_input(size_t need) {
  if (input_begin_ > 0) {
    size_t unread = input_end_ - input_begin_;
    if (unread > 0) std::memmove(input_.get(), input_.get() + input_begin_, unread);
    input_begin_ = 0;
    input_end_ = unread;
  }
  while (input_end_ < need) {
    auto [ec, n] = co_await read_some(input_.get() + input_end_, input_buffer_bytes - input_end_);
    if (ec) co_return ec;
    input_end_ += n;
    note_progress();
  }
  co_return boost::system::error_code{};
}

asio::awaitable<boost::system::error_code> connection::read_body(request_frame& frame, size_t size,
                                                                  int64_t& reserved) {
  // The frame grows only as its bytes arrive, and only what it holds counts
  // against queued.max.request.bytes: a client that announces 100 MiB and
  // sends 100 bytes holds a few KiB, not 100 MiB of everyone's budget.
  auto grow_to = [&](size_t bytes) -> asio::awaitable<bool> {
    if (!co_await reserve_memory(static_cast<int64_t>(bytes) - reserved)) co_return false;
    reserved = static_cast<int64_t>(std::max<size_t>(bytes, static_cast<size_t>(reserved)));
    frame.resize(bytes);
    co_return true;
  };
  size_t buffered = std::min(input_end_ - input_begin_, size);
  if (!co_await grow_to(std::max(buffered, std::min(size, min_read_step)))) co_return asio::error::operation_aborted;
  std::memcpy(frame.data(), input_.get() + input_begin_, buffered);
  input_begin_ += buffered;
  size_t got = buffered;
  while (got < size) {
    if (frame.size() == got) {
      // What the kernel already holds, or double what arrived (few reads
      // for a large request that is streaming in), at least one step.
      boost::system::error_code ignored;
      size_t waiting = socket_.available(ignored) + (tls_ ? tls_->buffered() : 0);
      size_t step = std::max({min_read_step, waiting, got});
      if (!co_await grow_to(std::min(size, got + step))) co_return asio::error::operation_aborted;
    }
    auto [ec, n] = co_await read_some(frame.data() + got, frame.size() - got);
    if (ec) co_return ec;
    got += n;
    note_progress();
  }
  co_return boost::system::error_code{};
}

asio::awaitable<void> connection::pause_reader(std::chrono::steady_clock::duration at_most) {
  reader_wakeup_.expires_after(at_most);
  co_await reader_wakeup_.async_wait(no_throw);
}

asio::awaitable<bool> connection::reserve_memory(int64_t bytes) {
  if (!services_.memory || bytes <= 0) co_return !closed_;
  // Nothing is read while the broker holds queued.max.request.bytes of
  // requests: the client's bytes wait in its socket, as in Kafka.
  while (!closed_ && reading_ && !services_.memory->try_acquire(bytes)) co_await pause_reader(memory_retry);
  co_return !closed_ && reading_;
}

asio::awaitable<bool> connection::wait_to_start(request_kind kind, int64_t bytes) {
  auto allowed = [&] {
    if (running_.total() == 0 && pending_.size() < limits_.max_in_flight) return true;
    return may_start(kind, running_) && pending_.size() < limits_.max_in_flight &&
           held_bytes_ + bytes <= limits_.max_request_bytes;
  };
  while (!closed_ && !allowed()) co_await pause_reader(std::chrono::hours(1));
  co_return !closed_;
}

// Client quotas (client_quotas.h): while the handler thread has muted this
// connection, nothing more is read or started, as Kafka mutes a throttled channel.
asio::awaitable<void> connection::wait_out_quota_mute() {
  for (;;) {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
                   .count();
    int64_t until = client_.muted_until_ms->load(std::memory_order_relaxed);
    if (closed_ || !reading_ || until <= now) co_return;
    co_await pause_reader(std::chrono::milliseconds(until - now));
  }
}

asio::awaitable<void> connection::read_loop() {
  auto self = shared_from_this();
  input_.reset(new uint8_t[input_buffer_bytes]);
  while (!closed_ && reading_) {
    co_await wait_out_quota_mute();
    if (!co_await wait_for_sasl_turn()) break;
    // After SaslHandshake v0 the client's next bytes are a bare token; until
    // authenticated, every read is bounded by sasl.server.max.receive.size.
    const bool raw_token = client_.sasl && client_.sasl->expects_raw_token();
    const bool pre_auth = client_.sasl && client_.sasl->in_exchange();
    const int32_t max_size =
        pre_auth ? std::min(limits_.max_request_bytes, client_.sasl->config().max_receive_size)
                 : limits_.max_request_bytes;
    if (input_end_ - input_begin_ < 4) {
      auto ec = co_await fill_input(4);
      if (ec) {
        if (!reading_) break;  // shutting down: the writer closes once answers are out
        if (ec != asio::error::eof && ec != asio::error::operation_aborted) {
          close("read failed: " + ec.message());
        } else if (input_end_ - input_begin_ > 0) {
          log_refusal(refusal::frame, "connection " + client_.peer + " closed mid-frame: " +
                                          std::to_string(input_end_ - input_begin_) + " byte(s) of a size prefix");
          close("");
        } else {
          close("");
        }
        break;
      }
    }
    int32_t size = big_endian::load<int32_t>(input_.get() + input_begin_);
    input_begin_ += 4;
    // Check the size before allocating anything for the frame.
    if (size < (raw_token ? 0 : 8) || size > max_size) {
      log_refusal(refusal::frame,
                  "connection " + client_.peer + " closed: " + (raw_token ? "SASL token" : "request") + " size " +
                      std::to_string(size) + " is outside [" + (raw_token ? "0" : "8") + ", " +
                      (max_size < limits_.max_request_bytes ? "sasl.server.max.receive.size="
                                                            : "socket.request.max.bytes=") +
                      std::to_string(max_size) + "]" + (pre_auth ? " before SASL authentication" : ""));
      close("");
      break;
    }
    auto frame = services_.frames->take();
    size_t wanted = static_cast<size_t>(size);
    int64_t reserved = 0;  // bytes of this frame counted in the broker's request memory
    if (input_end_ - input_begin_ >= wanted) {
      // The whole request is already buffered (the common case for small ones).
      if (!co_await reserve_memory(size)) break;
      reserved = size;
      frame->resize(wanted);
      std::memcpy(frame->data(), input_.get() + input_begin_, wanted);
      input_begin_ += wanted;
    } else {
      auto ec = co_await read_body(*frame, wanted, reserved);
      if (ec) {
        if (services_.memory) services_.memory->release(reserved);
        if (ec == asio::error::eof) {
          log_refusal(refusal::frame, "connection " + client_.peer + " closed mid-request (" +
                                          std::to_string(size) + "-byte frame announced)");
          close("");
        } else if (ec != asio::error::operation_aborted) {
          close("read failed: " + ec.message());
        }
        break;
      }
    }
    request_kind kind = request_kind::other;
    if (!raw_token) {
      int16_t api_key = big_endian::load<int16_t>(frame->data());
      kind = classify_request(api_key);
      // The answer to a SASL request decides how the next bytes are framed
      // (raw tokens after a v0 handshake) and whether the session goes on.
      if (client_.sasl && (api_key == static_cast<int16_t>(protocol::api_key::sasl_handshake) ||
                           api_key == static_cast<int16_t>(protocol::api_key::sasl_authenticate))) {
        sasl_turn_ = true;
      }
    } else {
      sasl_turn_ = true;
    }
    if (!co_await wait_to_start(kind, size)) {
      if (services_.memory) services_.memory->release(reserved);
      break;
    }
    co_await wait_out_quota_mute();
    running_.add(kind);
    held_bytes_ += size;
    auto answer = std::make_shared<slot>();
    pending_.push_back(answer);
    update_in_flight();
    asio::co_spawn(socket_.get_executor(), serve_request(std::move(frame), answer, kind, raw_token), asio::detached);
  }
}

asio::awaitable<bool> connection::wait_for_sasl_turn() {
  if (!client_.sasl || !(sasl_turn_ || client_.sasl->in_exchange())) co_return !closed_;
  while (!closed_ && reading_ && running_.total() > 0) co_await pause_reader(std::chrono::hours(1));
  sasl_turn_ = false;
  co_return !closed_ && reading_;
}

asio::awaitable<void> connection::serve_request(std::shared_ptr<request_frame> frame,
                                                std::shared_ptr<slot> answer, request_kind kind,
                                                bool raw_sasl_token) {
  auto self = shared_from_this();
  const auto size = static_cast<int64_t>(frame->size());
  result<routed_response> routed = make_error(std::errc::io_error, "request was not handled");
  try {
    // The handler runs on the connection's request handler thread (Produce,
    // Fetch) or on the control thread (everything else); this resumes on
    // the network thread.
    // (Wrapped in an optional: co_spawn needs a default-constructible result.)
    auto handled = co_await asio::co_spawn(
        kind == request_kind::other ? services_.handlers : data_handler_,
        [](request_router* router, std::shared_ptr<request_frame> request, client_info& client,
           bool raw, std::chrono::steady_clock::time_point queued) -> asio::awaitable<std::optional<result<routed_response>>> {
          metrics::record_queue_time(*request, queued);  // /metrics: handed over -> started on the handler thread
          if (raw) co_return co_await router->route_sasl_token(std::move(request), client);
          co_return co_await router->route(std::move(request), client);
        }(services_.router, frame, client_, raw_sasl_token, std::chrono::steady_clock::now()),
        asio::use_awaitable);
    if (handled) routed = std::move(*handled);
  } catch (const std::exception& e) {
    routed = make_error(std::errc::io_error, std::string("request handler failed: ") + e.what());
  }
  frame.reset();
  if (services_.memory) services_.memory->release(size);
  held_bytes_ -= size;
  running_.remove(kind);
  update_in_flight();
  reader_wakeup_.cancel();
  if (!routed) {
    auto code = routed.err().code;
    // Already logged where it was decided (a failed raw SASL token).
    if (code == std::errc::operation_canceled) {
      close("");
      co_return;
    }
    log_refusal(code == std::errc::not_supported       ? refusal::unsupported
                : code == std::errc::permission_denied ? refusal::unauthenticated
                                                       : refusal::frame,
                "connection " + client_.peer + " closed: " + routed.err().message);
    close("");
    co_return;
  }
  answer->frame = std::move(*routed);
  if (client_.sasl && client_.sasl->take_close_after_answer()) answer->close_after = true;
  if (answer->frame) {
    for (const auto& splice : answer->frame->splices()) answer->pinned += splice.slice.length;
    if (answer->pinned != 0) pinned_bytes.fetch_add(answer->pinned, std::memory_order_relaxed);
  }
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
    // Every answer that is ready goes out together: pipelined requests
    // (a producer's in-flight batches) cost one writev() instead of one each.
    sending_.clear();
    bool close_after = false;
    while (!pending_.empty() && pending_.front()->ready && !close_after) {
      close_after = pending_.front()->close_after;
      sending_.push_back(std::move(pending_.front()));
      pending_.pop_front();
    }
    bool sent = co_await send_frames(sending_);
    sending_.clear();
    if (sent && close_after) {
      // A failed SASL exchange: its answer is out, the connection ends.
      close("");
      break;
    }
    // Idle TLS connections hold no staging buffer (many idle clients, little memory).
    if (pending_.empty()) tls_staging_.reset();
    update_in_flight();
    reader_wakeup_.cancel();
    if (!sent) {
      close(closed_ ? "" : "write failed");
      break;
    }
    if (!reading_ && pending_.empty()) close("");
  }
}

asio::awaitable<bool> connection::send_frames(const std::vector<std::shared_ptr<slot>>& batch) {
  gathered_.clear();
  for (const auto& answer : batch) {
    if (!answer->frame) continue;
    const auto& buffer = answer->frame->buffer();
    size_t written = 0;
    for (const auto& splice : answer->frame->splices()) {
      if (splice.position > written) {
        gathered_.emplace_back(buffer.data() + written, splice.position - written);
        written = splice.position;
      }
      if (!co_await flush_gathered()) co_return false;
      if (!co_await send_file(splice.slice)) co_return false;
    }
    if (buffer.size() > written) gathered_.emplace_back(buffer.data() + written, buffer.size() - written);
  }
  co_return co_await flush_gathered();
}

// Writes gathered_ with sendmsg(). MSG_MORE is not used: answers are written
// only when complete, and Nagle is off, so each call is a full unit.
asio::awaitable<bool> connection::flush_gathered() {
  if (tls_) co_return co_await tls_flush_gathered();
  size_t index = 0;
  size_t offset = 0;  // bytes of gathered_[index] already sent
  while (index < gathered_.size()) {
    iovec iov[max_iovecs];
    size_t count = 0;
    for (size_t i = index; i < gathered_.size() && count < max_iovecs; ++i, ++count) {
      size_t skip = i == index ? offset : 0;
      iov[count].iov_base = const_cast<uint8_t*>(static_cast<const uint8_t*>(gathered_[i].data())) + skip;
      iov[count].iov_len = gathered_[i].size() - skip;
    }
    msghdr message{};
    message.msg_iov = iov;
    message.msg_iovlen = count;
    ssize_t sent = ::sendmsg(socket_.native_handle(), &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        writer_blocked_ = true;
        auto [ec] = co_await socket_.async_wait(asio::ip::tcp::socket::wait_write, no_throw);
        writer_blocked_ = false;
        if (ec || closed_) co_return false;
        continue;
      }
      co_return false;
    }
    note_progress();
    size_t left = static_cast<size_t>(sent);
    while (left > 0) {
      size_t rest = gathered_[index].size() - offset;
      if (left < rest) {
        offset += left;
        break;
      }
      left -= rest;
      ++index;
      offset = 0;
    }
  }
  gathered_.clear();
  co_return true;
}

// Log segment slices go from the page cache to the socket without a copy.
asio::awaitable<bool> connection::send_file(const protocol::file_slice& slice) {
  if (tls_) co_return co_await tls_send_file(slice);
  off_t offset = slice.position;
  size_t left = static_cast<size_t>(slice.length);
  while (left > 0) {
    ssize_t sent = ::sendfile(socket_.native_handle(), slice.fd, &offset, left);
    if (sent > 0) {
      left -= static_cast<size_t>(sent);
      note_progress();
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      writer_blocked_ = true;
      auto [ec] = co_await socket_.async_wait(asio::ip::tcp::socket::wait_write, no_throw);
      writer_blocked_ = false;
      if (ec || closed_) co_return false;
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    // The file shrank under us (retention deleted it mid-send) or the peer went away:
    // the frame cannot be completed, so the connection must close.
    spdlog::warn("connection {}: sendfile failed with {} bytes left: {}", client_.peer, left,
                 sent < 0 ? std::strerror(errno) : "unexpected end of file");
    co_return false;
  }
  co_return true;
}

}  // namespace samsa::broker
