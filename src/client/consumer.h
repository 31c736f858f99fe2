// RAII group consumer: subscribe, poll records, see rebalances as events,
// commit, seek, pause/resume. Closing leaves the group cleanly.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"
#include "client/client_config.h"
#include "client/types.h"

namespace samsa::client {

struct consumer_options {
  std::string group_id;                     // empty: no group (assign() only, no commits)
  std::string auto_offset_reset = "earliest";  // where to start without a committed offset: earliest|latest
  bool auto_commit = false;                 // false: the application calls commit()
  std::optional<std::string> assignment_strategy;  // range, roundrobin, cooperative-sticky
  std::optional<std::string> group_instance_id;    // static membership
  bool report_partition_end = false;        // emit end_of_partition events
};

// The group gave this consumer partitions, or took them away.
struct rebalance_event {
  enum class kind { assigned, revoked, lost };
  kind what = kind::assigned;
  std::vector<topic_partition> partitions;
};

// This consumer has read everything currently in a partition.
struct end_of_partition {
  topic_partition position;
};

// What poll() returns: nothing (timeout), a record, a rebalance, or the end of a partition.
using consumer_event = std::variant<std::monostate, consumed_message, rebalance_event, end_of_partition>;

class consumer {
 public:
  [[nodiscard]] static result<consumer> create(const client_config& config, const consumer_options& options);

  consumer(consumer&&) noexcept;
  consumer& operator=(consumer&&) noexcept;
  ~consumer();  // close() if not closed yet

  [[nodiscard]] status subscribe(const std::vector<std::string>& topics);
  // Manual assignment without group membership (offsets: beginning/end/absolute).
  [[nodiscard]] status assign(const std::vector<topic_partition>& partitions);

  // Waits up to `timeout` for the next event. Rebalance events are handled
  // (the new assignment is applied) before they are returned.
  [[nodiscard]] result<consumer_event> poll(std::chrono::milliseconds timeout);

  // Commits the positions of everything consumed so far (synchronously).
  [[nodiscard]] status commit();
  // Commits explicit offsets (the offset is the next record to read).
  [[nodiscard]] status commit(const std::vector<topic_partition>& offsets);
  // Fire-and-forget commit of current positions; errors are reported by a later poll.
  [[nodiscard]] status commit_async();

  [[nodiscard]] status seek(const topic_partition& to, std::chrono::milliseconds timeout);
  [[nodiscard]] status pause(const std::vector<topic_partition>& partitions);
  [[nodiscard]] status resume(const std::vector<topic_partition>& partitions);

  [[nodiscard]] result<std::vector<topic_partition>> assignment() const;
  // Committed offsets of the group for these partitions (offset_invalid when none).
  [[nodiscard]] result<std::vector<topic_partition>> committed(const std::vector<topic_partition>& partitions,
                                                               std::chrono::milliseconds timeout) const;
  // Current position (next offset to read) of each partition.
  [[nodiscard]] result<std::vector<topic_partition>> position(const std::vector<topic_partition>& partitions) const;

  std::string member_id() const;
  const std::string& group_id() const;

  // Leaves the group (revoking partitions) and stops. Safe to call twice.
  [[nodiscard]] status close();

 public:
  struct impl;  // opaque; defined inside the library

 private:
  explicit consumer(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace samsa::client
