#include "broker/internal_topic.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <chrono>
#include <utility>

#include "broker/group_await.h"

namespace samsa::broker {

namespace asio = boost::asio;

namespace {

const std::map<std::string, std::string>& internal_configs() {
  static const std::map<std::string, std::string> configs{{"cleanup.policy", "compact"}};
  return configs;
}

}  // namespace

internal_topic::internal_topic(asio::io_context& io, topic_registry& topics, std::string name, std::string first_use,
                               int32_t partitions)
    : io_(io),
      topics_(topics),
      name_(std::move(name)),
      first_use_(std::move(first_use)),
      partitions_(partitions),
      alive_(std::make_shared<bool>(true)) {}

internal_topic::~internal_topic() { *alive_ = false; }

void internal_topic::log_created(std::chrono::steady_clock::time_point started) const {
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  spdlog::info("created {} on first use of {} in {} ms", name_, first_use_, took.count());
}

admin_result internal_topic::ensure_now() {
  if (topics_.find(name_)) return {};
  auto started = std::chrono::steady_clock::now();
  admin_result made = topics_.create(name_, partitions_, 1, internal_configs(), /*internal=*/true);
  if (made.ok()) log_created(started);
  return made;
}

void internal_topic::when_ready(std::function<void(admin_result)> then) {
  if (!creating_ && topics_.find(name_)) return then({});
  if (!creating_ && workers_ == nullptr) return then(ensure_now());
  waiting_.push_back(std::move(then));
  if (creating_) return;
  creating_ = true;
  auto create = [this, alive = alive_, workers = workers_]() -> asio::awaitable<void> {
    auto started = std::chrono::steady_clock::now();
    // Queued behind any other topic change, as a client's CreateTopics is.
    admin_result made = co_await topics_.create_async(*workers, name_, partitions_, 1, internal_configs(),
                                                      /*internal=*/true);
    if (!*alive) co_return;
    // Made meanwhile by another path (a Metadata request's auto-creation).
    if (!made.ok() && topics_.find(name_)) made = {};
    else if (made.ok()) log_created(started);
    finish(std::move(made));
  };
  asio::co_spawn(io_, std::move(create), asio::detached);
}

void internal_topic::finish(admin_result made) {
  creating_ = false;
  auto waiting = std::move(waiting_);
  waiting_.clear();
  // In arrival order; a write started by one of them that finds the topic
  // there goes straight on, after the ones before it.
  for (auto& then : waiting) then(made);
}

asio::awaitable<admin_result> internal_topic::ensure() {
  if (!creating_ && topics_.find(name_)) co_return admin_result{};
  co_return co_await await_answer<admin_result>(io_, [this](auto done) { when_ready(std::move(done)); });
}

}  // namespace samsa::broker
