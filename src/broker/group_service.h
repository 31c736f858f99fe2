// The broker's side of consumer groups: the group coordinator, its offset log
// over the compacted __consumer_offsets topic, and the timer that drives its
// timeouts. Lives on the network thread like everything in broker_state.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>

#include "base/result.h"
#include "broker/topic_registry.h"
#include "group/coordinator.h"
#include "group/offset_log.h"

namespace samsa::broker {

class broker_state;

inline constexpr const char* offsets_topic_name = "__consumer_offsets";

// group::offset_log over the partitions of __consumer_offsets: one record
// batch per append, answered once the batch is flushed to disk.
class group_offset_log final : public group::offset_log {
 public:
  explicit group_offset_log(broker_state& broker);
  ~group_offset_log() override;
  void append(int32_t partition, std::vector<group::log_record> records,
              std::function<void(status)> done) override;
  // Called after every completion, to re-arm the coordinator's timer.
  void set_after_completion(std::function<void()> fn) { after_completion_ = std::move(fn); }

 private:
  broker_state& broker_;
  // Completions posted after shutdown must not touch a destroyed service.
  std::shared_ptr<bool> alive_;
  std::function<void()> after_completion_;
};

// Creates __consumer_offsets (compacted, internal, offsets.topic.num.partitions
// partitions) unless it exists. Used on a group's first write and when a
// client's Metadata request would auto-create it.
admin_result ensure_offsets_topic(broker_state& broker);

class group_service {
 public:
  explicit group_service(broker_state& broker);
  ~group_service();

  // Replays __consumer_offsets into the coordinator when it exists and
  // starts the timer. Runs before the listeners start. A new broker creates
  // the topic on the first write of a group instead (as Kafka does on first
  // use), so an empty broker starts without creating its partitions.
  status start();
  void stop();

  group::coordinator& coordinator() { return *coordinator_; }
  // Wall-clock milliseconds: commit timestamps are stored in the log.
  static int64_t now_ms();
  // Re-arms the timer to the coordinator's next deadline; call after every
  // coordinator call.
  void rearm();

 private:
  status replay(int32_t partitions);

  broker_state& broker_;
  group_offset_log log_;
  std::unique_ptr<group::coordinator> coordinator_;
  boost::asio::steady_timer timer_;
  int64_t armed_for_ = group::no_deadline;
  bool stopped_ = false;
};

}  // namespace samsa::broker
