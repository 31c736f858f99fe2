#include "cli/tour_group.h"

#include <chrono>

namespace samsa::cli {

result<std::unique_ptr<group_member_thread>> group_member_thread::start(const client::client_config& config,
                                                                        const std::string& group,
                                                                        const std::string& name,
                                                                        const std::string& topic) {
  client::client_config c = config;
  c.set("client.id", name, "tour");
  // Short heartbeats make rebalances visible in seconds, not tens of seconds.
  c.set("heartbeat.interval.ms", "500", "tour");
  c.set("session.timeout.ms", "6000", "tour");
  auto consumer = client::consumer::create(c, {.group_id = group, .auto_offset_reset = "earliest"});
  if (!consumer) return consumer.err();
  if (auto s = consumer->subscribe({topic}); !s) return s.err();
  std::unique_ptr<group_member_thread> m(new group_member_thread());
  m->name_ = name;
  m->topic_ = topic;
  m->consumer_ = std::make_unique<client::consumer>(std::move(*consumer));
  m->thread_ = std::thread([raw = m.get()] { raw->run(); });
  return m;
}

group_member_thread::~group_member_thread() { stop(); }

void group_member_thread::run() {
  while (!stop_) {
    auto event = consumer_->poll(std::chrono::milliseconds(100));
    if (!event) {
      std::lock_guard lock(mutex_);
      last_error_ = event.err().message;
      continue;
    }
    if (auto* r = std::get_if<client::rebalance_event>(&*event)) {
      ++rebalances_;
      std::lock_guard lock(mutex_);
      for (const auto& p : r->partitions) {
        if (r->what == client::rebalance_event::kind::assigned) {
          assignment_.insert(p.partition);
        } else {
          assignment_.erase(p.partition);
        }
      }
    } else if (auto* m = std::get_if<client::consumed_message>(&*event)) {
      // Commit each record once processed: a member that stops hands over
      // exactly where it left off, so nothing is lost or read twice.
      auto s = consumer_->commit({{m->topic, m->partition, m->offset + 1}});
      std::lock_guard lock(mutex_);
      records_.push_back({name_, m->partition, m->offset, m->key.value_or(""), m->value.value_or("")});
      if (!s) last_error_ = s.err().message;
    }
  }
  (void)consumer_->close();
  std::lock_guard lock(mutex_);
  assignment_.clear();
}

void group_member_thread::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::set<int32_t> group_member_thread::assignment() const {
  std::lock_guard lock(mutex_);
  return assignment_;
}

std::vector<processed_record> group_member_thread::records() const {
  std::lock_guard lock(mutex_);
  return records_;
}

std::string group_member_thread::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

bool wait_for_stable_assignment(const std::vector<group_member_thread*>& members, int partitions,
                                std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto stable_since = std::chrono::steady_clock::time_point{};
  std::vector<std::set<int32_t>> last;
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<std::set<int32_t>> now;
    size_t total = 0;
    bool everyone_busy = true;
    for (const auto* m : members) {
      now.push_back(m->assignment());
      total += now.back().size();
      if (now.back().empty()) everyone_busy = false;
    }
    bool complete = total == static_cast<size_t>(partitions) &&
                    (everyone_busy || members.size() > static_cast<size_t>(partitions));
    if (complete && now == last) {
      if (stable_since == std::chrono::steady_clock::time_point{}) stable_since = std::chrono::steady_clock::now();
      if (std::chrono::steady_clock::now() - stable_since > std::chrono::milliseconds(1500)) return true;
    } else {
      stable_since = {};
    }
    last = std::move(now);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool wait_for_records(const std::vector<group_member_thread*>& members, size_t count,
                      std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    size_t total = 0;
    for (const auto* m : members) total += m->records().size();
    if (total >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace samsa::cli
