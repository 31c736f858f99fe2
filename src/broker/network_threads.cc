#include "broker/network_threads.h"

#include <spdlog/spdlog.h>
#include <pthread.h>

#include <string>

namespace samsa::broker {

network_threads::network_threads(size_t count) {
  if (count == 0) count = 1;
  for (size_t i = 0; i < count; ++i) {
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(contexts_.back()->get_executor());
  }
}

network_threads::~network_threads() { stop(); }

boost::asio::io_context& network_threads::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void network_threads::start() {
  for (size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      std::string name = "samsa-net-" + std::to_string(i);
      pthread_setname_np(pthread_self(), name.c_str());
      for (;;) {
        try {
          contexts_[i]->run();
          break;
        } catch (const std::exception& e) {
          // A bug in one connection's code must not take every other one down.
          spdlog::error("network thread {}: unexpected exception: {}", i, e.what());
        }
      }
    });
  }
}

void network_threads::stop() {
  for (auto& g : guards_) g.reset();
  for (auto& c : contexts_) c->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace samsa::broker
