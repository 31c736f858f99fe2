// What one connection, and all of them together, may hold: request sizes,
// bytes of requests read but not yet answered, connection counts, and the
// time a connection may sit idle or stall its answers.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/metrics.h"

namespace samsa::broker {

struct connection_limits {
  int32_t max_request_bytes = 100 * 1024 * 1024;  // socket.request.max.bytes
  int64_t max_idle_ms = 600000;                   // connections.max.idle.ms (-1 = never)
  // Answers waiting for a client that reads nothing are dropped, with the
  // connection, after this long without a byte written (pinned log files
  // are released with them). Samsa's own setting.
  int64_t max_write_stall_ms = 600000;  // connections.max.write.stall.ms
  size_t max_in_flight = 64;           // requests read ahead of their answers
};

// Bytes of request frames read and not yet answered, over every connection
// (queued.max.request.bytes). A request that alone exceeds the limit may
// still run when nothing else is held, so no size up to
// socket.request.max.bytes can wait forever.
class request_memory {
 public:
  explicit request_memory(int64_t limit) : limit_(limit) {}
  bool try_acquire(int64_t bytes);
  void release(int64_t bytes) { in_use_.fetch_sub(bytes, std::memory_order_acq_rel); }
  int64_t in_use() const { return in_use_.load(std::memory_order_acquire); }
  int64_t limit() const { return limit_; }

 private:
  const int64_t limit_;
  std::atomic<int64_t> in_use_{0};
};

// max.connections and max.connections.per.ip over every listener.
class connection_admission : public std::enable_shared_from_this<connection_admission> {
 public:
  connection_admission(int32_t max_total, int32_t max_per_ip) : max_total_(max_total), max_per_ip_(max_per_ip) {}

  // A held place; gives it back when destroyed.
  class place {
   public:
    place(std::shared_ptr<connection_admission> owner, std::string ip) : owner_(std::move(owner)), ip_(std::move(ip)) {}
    ~place();
    place(const place&) = delete;
    place& operator=(const place&) = delete;
    // Counts this connection in its listener's /metrics figures until the place is given back.
    void count_on(metrics::listener_stats* listener);

   private:
    std::shared_ptr<connection_admission> owner_;
    std::string ip_;
    metrics::listener_stats* listener_ = nullptr;
  };

  // A place for a connection from `ip`, or why there is none. The object
  // must be owned by a shared_ptr.
  std::unique_ptr<place> admit(const std::string& ip, std::string& refused_because);
  int32_t open() const;

 private:
  void leave(const std::string& ip);

  const int32_t max_total_;
  const int32_t max_per_ip_;
  mutable std::mutex mu_;
  int32_t total_ = 0;
  std::map<std::string, int32_t> per_ip_;
};

}  // namespace samsa::broker
