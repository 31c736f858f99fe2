// The network threads (num.network.threads): each runs one io_context that
// owns the sockets of the connections given to it, reads and frames their
// requests and writes their answers. Request handling runs elsewhere (the
// handler thread), so a slow handler never holds a socket's reads or writes.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace samsa::broker {

class network_threads {
 public:
  explicit network_threads(size_t count);
  ~network_threads();
  network_threads(const network_threads&) = delete;
  network_threads& operator=(const network_threads&) = delete;

  size_t size() const { return contexts_.size(); }
  // The context the next accepted connection goes to (round robin).
  boost::asio::io_context& next();

  void start();
  // Stops every context (pending socket work is dropped) and joins the threads.
  void stop();

 private:
  using guard_t = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<guard_t> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace samsa::broker
