#include "broker/context_threads.h"

#include <spdlog/spdlog.h>
#include <pthread.h>

#include <string>

namespace samsa::broker {

context_threads::context_threads(size_t count, std::string role) : role_(std::move(role)) {
  if (count == 0) count = 1;
  for (size_t i = 0; i < count; ++i) {
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(contexts_.back()->get_executor());
  }
}

context_threads::~context_threads() { stop(); }

boost::asio::io_context& context_threads::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void context_threads::start() {
  for (size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      std::string name = "samsa-" + role_ + "-" + std::to_string(i);
      pthread_setname_np(pthread_self(), name.c_str());
      for (;;) {
        try {
          contexts_[i]->run();
          break;
        } catch (const std::exception& e) {
          // A bug in one connection's code must not take every other one down.
          spdlog::error("{} thread {}: unexpected exception: {}", role_, i, e.what());
        }
      }
    });
  }
}

void context_threads::stop() {
  for (auto& g : guards_) g.reset();
  for (auto& c : contexts_) c->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace samsa::broker
