// One client connection: reads size-prefixed request frames, hands each to
// the request router as soon as it arrives (so a producer's pipelined requests
// share fsyncs), and writes the responses back strictly in request order.
// Lives on the broker's single network thread; owned by its own coroutines.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/request_router.h"
#include "protocol/writer.h"

namespace samsa::broker {

struct connection_limits {
  int32_t max_request_bytes = 100 * 1024 * 1024;  // socket.request.max.bytes
  int64_t max_idle_ms = 600000;                   // connections.max.idle.ms (-1 = never)
  size_t max_in_flight = 64;                      // requests read ahead of their responses
};

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
  std::shared_ptr<std::vector<uint8_t>> take();
  size_t retained_bytes() const;

 private:
  void give_back(std::vector<uint8_t>* buffer);

  mutable std::mutex mu_;
  std::vector<std::vector<uint8_t>*> free_;
  size_t bytes_ = 0;
};

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(boost::asio::ip::tcp::socket socket, request_router& router, connection_limits limits,
             std::string listener_name, std::shared_ptr<frame_pool> frames = nullptr);

  // Starts the read and write coroutines; the connection keeps itself alive
  // until both end.
  void start();
  // Closes the socket; in-flight handlers finish but their answers are dropped.
  void close(const std::string& reason);

  // Shutdown: read no further requests but answer those already read.
  void stop_reading();
  size_t in_flight() const { return pending_.size(); }

  const std::string& peer() const { return client_.peer; }

  // Bytes read from the socket ahead of frame boundaries; small requests are
  // cut out of this buffer, so one recv() serves many pipelined requests.
  static constexpr size_t input_buffer_bytes = 16 * 1024;

 private:
  // A response slot, in request order. `ready` with no `frame` = no answer (acks=0).
  struct slot {
    bool ready = false;
    std::optional<protocol::writer> frame;
  };

  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> serve_request(std::shared_ptr<std::vector<uint8_t>> frame,
                                             std::shared_ptr<slot> answer);
  // Makes the input buffer hold at least `need` (<= input_buffer_bytes) unread bytes.
  boost::asio::awaitable<boost::system::error_code> fill_input(size_t need);
  // Reads one request body of `size` bytes: first what the input buffer holds,
  // the rest straight from the socket into the frame.
  boost::asio::awaitable<boost::system::error_code> read_body(std::vector<uint8_t>& frame, size_t size);
  // Writes every frame of `batch` in order: memory parts gathered into as few
  // writev() calls as possible, file slices with sendfile().
  boost::asio::awaitable<bool> send_frames(const std::vector<std::shared_ptr<slot>>& batch);
  boost::asio::awaitable<bool> flush_gathered();
  boost::asio::awaitable<bool> send_file(const protocol::file_slice& slice);
  boost::asio::awaitable<void> idle_watchdog();
  void wake_writer();

  boost::asio::ip::tcp::socket socket_;
  request_router& router_;
  connection_limits limits_;
  client_info client_;
  std::shared_ptr<frame_pool> frames_;
  std::deque<std::shared_ptr<slot>> pending_;
  std::unique_ptr<uint8_t[]> input_;
  size_t input_begin_ = 0;
  size_t input_end_ = 0;
  std::vector<std::shared_ptr<slot>> sending_;
  std::vector<boost::asio::const_buffer> gathered_;
  boost::asio::steady_timer writer_wakeup_;
  boost::asio::steady_timer reader_wakeup_;
  boost::asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point last_request_;
  bool closed_ = false;
  bool reading_ = true;
};

}  // namespace samsa::broker
