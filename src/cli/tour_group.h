// The tour's consumer-group members: each one runs a real consumer on its
// own thread and records its assignment and every record it processed.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/client_config.h"
#include "client/consumer.h"

namespace samsa::cli {

struct processed_record {
  std::string member;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
};

class group_member_thread {
 public:
  // Joins `group` as client.id `name` and starts polling `topic`.
  static result<std::unique_ptr<group_member_thread>> start(const client::client_config& config,
                                                            const std::string& group, const std::string& name,
                                                            const std::string& topic);
  ~group_member_thread();  // stop()

  // Leaves the group (committing what it processed) and joins the thread.
  void stop();

  const std::string& name() const { return name_; }
  std::set<int32_t> assignment() const;
  std::vector<processed_record> records() const;
  int rebalances() const { return rebalances_.load(); }
  std::string last_error() const;

 private:
  group_member_thread() = default;
  void run();

  std::string name_;
  std::string topic_;
  std::unique_ptr<client::consumer> consumer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> rebalances_{0};
  mutable std::mutex mutex_;
  std::set<int32_t> assignment_;
  std::vector<processed_record> records_;
  std::string last_error_;
};

// Waits until the running members together own exactly `partitions`
// partitions, each owns at least one (when possible), and that has held
// steady for a moment. Returns false on timeout.
bool wait_for_stable_assignment(const std::vector<group_member_thread*>& members, int partitions,
                                std::chrono::milliseconds timeout);

// Waits until the members together processed `count` records.
bool wait_for_records(const std::vector<group_member_thread*>& members, size_t count,
                      std::chrono::milliseconds timeout);

}  // namespace samsa::cli
