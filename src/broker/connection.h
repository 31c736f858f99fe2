// One client connection: reads size-prefixed request frames on its network
// thread, starts each request on the handler thread when the ordering rule
// (request_order.h) allows it, and writes the answers back strictly in
// request order. Bounded: bytes of requests held (per connection and per
// broker), requests read ahead, idle time and time without write progress.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/request_frame.h"
#include "broker/connection_limits.h"
#include "broker/request_order.h"
#include "broker/request_router.h"
#include "protocol/writer.h"
#include "security/sasl/sasl_config.h"
#include "security/tls/tls_context.h"
#include "security/tls/tls_session.h"

namespace samsa::broker {

class context_threads;

// Request frame buffers, recycled across the connections of one listener so
// that a steady stream of large produce requests costs no allocation and no
// page faults per request. Bounded: buffers beyond the byte and count limits
// are freed. Safe to release buffers from any thread.
class frame_pool : public std::enable_shared_from_this<frame_pool> {
 public:
  static constexpr size_t max_buffers = 16;
  static constexpr size_t max_retained_bytes = 16 << 20;
  static constexpr size_t max_buffer_bytes = 4 << 20;

  ~frame_pool();
  // An empty-or-stale buffer (its size is whatever it was; callers resize)
  // that goes back to the pool when the last reference drops.
  std::shared_ptr<request_frame> take();
  size_t retained_bytes() const;

 private:
  void give_back(request_frame* buffer);

  mutable std::mutex mu_;
  std::vector<request_frame*> free_;
  size_t bytes_ = 0;
};

// What every connection of a broker shares.
struct connection_services {
  request_router* router = nullptr;
  boost::asio::any_io_executor handlers;  // the control thread: where requests are handled
  // The request handler threads (num.io.threads): each connection's
  // Produce and Fetch requests run on one of them. Null: on `handlers`.
  context_threads* data_handlers = nullptr;
  std::shared_ptr<frame_pool> frames;
  std::shared_ptr<request_memory> memory;
};

// What a listener tells each of its connections about itself.
struct listener_security {
  std::string name = "PLAINTEXT";
  security_protocol protocol = security_protocol::plaintext;
  std::shared_ptr<const security::tls::tls_context> tls;  // set for SSL and SASL_SSL
  std::chrono::milliseconds handshake_timeout{10000};
  // Set for SASL_PLAINTEXT and SASL_SSL: the listener's SASL settings.
  std::shared_ptr<const sasl::listener_sasl_config> sasl;
};

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(boost::asio::ip::tcp::socket socket, connection_services services, connection_limits limits,
             listener_security security, std::unique_ptr<connection_admission::place> place = nullptr);
  ~connection();

  // Starts the read and write coroutines; the connection keeps itself alive
  // until both end.
  void start();

  // Safe from any thread: run on the connection's own network thread.
  // Closes the socket; in-flight handlers finish but their answers are dropped.
  void close_async(std::string reason);
  // Shutdown: read no further requests but answer those already read.
  void stop_reading_async();
  // Requests read and not yet answered.
  size_t in_flight() const { return in_flight_.load(std::memory_order_acquire); }

  const std::string& peer() const { return client_.peer; }

  // Bytes read from the socket ahead of frame boundaries; small requests are
  // cut out of this buffer, so one recv() serves many pipelined requests.
  static constexpr size_t input_buffer_bytes = 16 * 1024;

  // Bytes of log files that answers not yet written keep open (a deleted
  // segment's disk blocks stay allocated while an answer holds it).
  static int64_t pinned_file_bytes();

 private:
  // A response slot, in request order. `ready` with no `frame` = no answer (acks=0).
  struct slot {
    ~slot();
    bool ready = false;
    std::optional<protocol::writer> frame;
    int64_t pinned = 0;
    // The last answer of a failed SASL exchange: close once it is written.
    bool close_after = false;
  };

  void close(const std::string& reason);
  void stop_reading();
  void start_serving();
  // TLS listeners: the handshake, under a deadline, before any request is read.
  boost::asio::awaitable<void> tls_handshake();
  // One read from the transport (plain socket or TLS) into `buffer`.
  boost::asio::awaitable<std::pair<boost::system::error_code, size_t>> read_some(uint8_t* buffer, size_t size);
  // TLS: writes all of `size` bytes, waiting for the socket as OpenSSL asks.
  boost::asio::awaitable<bool> tls_write_all(const uint8_t* data, size_t size);
  boost::asio::awaitable<bool> tls_flush_gathered();
  boost::asio::awaitable<bool> tls_send_file(const protocol::file_slice& slice);
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> wait_out_quota_mute();
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> serve_request(std::shared_ptr<request_frame> frame,
                                             std::shared_ptr<slot> answer, request_kind kind, bool raw_sasl_token);
  // SASL listeners: before the next request is read, waits until the one
  // that decides how it is framed (a SASL step) has been handled.
  boost::asio::awaitable<bool> wait_for_sasl_turn();
  // SASL listeners: closes a connection not authenticated in time.
  void start_sasl_deadline();
  // Makes the input buffer hold at least `need` (<= input_buffer_bytes) unread bytes.
  boost::asio::awaitable<boost::system::error_code> fill_input(size_t need);
  // Reads one request body of `size` bytes: first what the input buffer holds,
  // the rest straight from the socket into the frame.
  // `reserved` tracks the bytes counted against the broker's request memory.
  boost::asio::awaitable<boost::system::error_code> read_body(request_frame& frame, size_t size,
                                                              int64_t& reserved);
  // Waits until the broker-wide request memory has room for `bytes`.
  boost::asio::awaitable<bool> reserve_memory(int64_t bytes);
  // Waits until a request of `kind` and `bytes` may start on this connection.
  boost::asio::awaitable<bool> wait_to_start(request_kind kind, int64_t bytes);
  boost::asio::awaitable<void> pause_reader(std::chrono::steady_clock::duration at_most);
  // Writes every frame of `batch` in order: memory parts gathered into as few
  // writev() calls as possible, file slices with sendfile().
  boost::asio::awaitable<bool> send_frames(const std::vector<std::shared_ptr<slot>>& batch);
  boost::asio::awaitable<bool> flush_gathered();
  boost::asio::awaitable<bool> send_file(const protocol::file_slice& slice);
  boost::asio::awaitable<void> watchdog();
  void wake_writer();
  void update_in_flight();
  void note_progress() { last_progress_ = std::chrono::steady_clock::now(); }

  boost::asio::ip::tcp::socket socket_;
  // TLS state, or null on PLAINTEXT / SASL_PLAINTEXT listeners.
  std::unique_ptr<security::tls::tls_session> tls_;
  std::chrono::milliseconds handshake_timeout_;
  // TLS records are built from this (answers coalesced, file slices read
  // into it when the kernel cannot encrypt sendfile()); allocated on first use.
  std::unique_ptr<uint8_t[]> tls_staging_;
  connection_services services_;
  // Where this connection's Produce and Fetch requests run (one request
  // handler thread for the connection's whole life).
  boost::asio::any_io_executor data_handler_;
  connection_limits limits_;
  client_info client_;
  std::unique_ptr<connection_admission::place> place_;
  std::deque<std::shared_ptr<slot>> pending_;
  running_requests running_;
  int64_t held_bytes_ = 0;  // frames of requests started and not yet answered
  std::atomic<size_t> in_flight_{0};
  std::unique_ptr<uint8_t[]> input_;
  size_t input_begin_ = 0;
  size_t input_end_ = 0;
  std::vector<std::shared_ptr<slot>> sending_;
  std::vector<boost::asio::const_buffer> gathered_;
  boost::asio::steady_timer writer_wakeup_;
  boost::asio::steady_timer reader_wakeup_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer handshake_timer_;
  // Last byte read or written: idleness is measured from here.
  std::chrono::steady_clock::time_point last_progress_;
  bool handshake_done_ = false;  // TLS handshake over (always true without TLS)
  // A SASL request was read: read nothing more until it is handled.
  bool sasl_turn_ = false;
  bool writer_blocked_ = false;  // the socket refused more bytes and the writer waits
  bool closed_ = false;
  bool reading_ = true;
};

}  // namespace samsa::broker
