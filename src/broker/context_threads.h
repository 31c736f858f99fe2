// Threads that each run one io_context of their own, named
// samsa-<role>-<i>. Two sets exist (docs/architecture.md, "Threads"):
// - the network threads (num.network.threads, role "net"): each owns the
//   sockets of the connections given to it, reads and frames their requests
//   and writes their answers, so a slow handler never holds a socket;
// - the request handler threads (num.io.threads, role "io"): each runs the
//   data-plane requests (Produce, Fetch) of the connections given to it.
// A connection is given one of each, round robin, for its whole life.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace samsa::broker {

class context_threads {
 public:
  context_threads(size_t count, std::string role);
  ~context_threads();
  context_threads(const context_threads&) = delete;
  context_threads& operator=(const context_threads&) = delete;

  size_t size() const { return contexts_.size(); }
  // The context the next connection goes to (round robin).
  boost::asio::io_context& next();

  void start();
  // Stops every context (pending work is dropped, not destroyed) and joins the threads.
  void stop();

 private:
  std::string role_;
  using guard_t = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<guard_t> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace samsa::broker
