// The broker's side of transactions: the transaction coordinator
// (txn::coordinator), its state log over the compacted internal topic
// __transaction_state, the marker writer that puts COMMIT/ABORT control
// batches on the transaction's partitions, and the timer that drives
// timeouts. Runs on the handler thread's io_context, like group_service.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "broker/topic_registry.h"
#include "txn/transaction_view.h"
#include "txn/txn_coordinator.h"

namespace samsa::broker {

struct broker_config;
class fetch_waiters;
class group_service;

inline constexpr const char* txn_state_topic_name = "__transaction_state";

// The broker settings transactions depend on (copied from broker_config).
struct txn_settings {
  int32_t state_log_num_partitions = 50;                    // transaction.state.log.num.partitions
  int32_t max_timeout_ms = 15 * 60 * 1000;                  // transaction.max.timeout.ms
  int64_t id_expiration_ms = 7LL * 24 * 60 * 60 * 1000;     // transactional.id.expiration.ms
  size_t max_ids = 100000;                                  // transactional.id.max.count (Samsa's own)
  int64_t max_partition_bytes = 256LL << 20;                // transaction.partitions.max.memory.bytes (Samsa's own)
  int32_t offsets_topic_num_partitions = 50;                // where AddOffsetsToTxn's groups live
};
txn_settings txn_settings_from(const broker_config& config);

class txn_service {
 public:
  // Everything passed must outlive the service; `new_producer_id` hands out
  // ids from the broker's one allocator (shared with idempotent producers).
  txn_service(boost::asio::io_context& io, topic_registry& topics, fetch_waiters& waiters, group_service& groups,
              std::function<result<int64_t>()> new_producer_id, txn_settings settings);
  ~txn_service();

  // Replays __transaction_state when it exists, finishes transactions it
  // left in PrepareCommit/PrepareAbort and starts the timer. Runs before
  // the listeners start.
  status start();
  void stop();
  // __transaction_state is made on the worker pool at its first use once
  // given one (the broker does; unit harnesses make it in place).
  void set_workers(worker_pool* workers);

  txn::coordinator& coordinator() { return *coordinator_; }
  // Re-arms the timer to the coordinator's next deadline; call after every
  // coordinator call (completions re-arm it themselves).
  void rearm();
  static int64_t now_ms();
  const txn_settings& settings() const { return settings_; }

  // For DescribeTransactions / ListTransactions / `samsa txn`.
  std::vector<txn::transaction_view> list() const;
  std::optional<txn::transaction_view> describe(const std::string& transactional_id) const;

 private:
  class state_log;
  class markers;
  status replay(int32_t partitions);
  // group_service's TxnOffsetCommit verifier (KIP-890), see start().
  int16_t verify_txn_offsets(const std::string& transactional_id, int64_t producer_id, int16_t producer_epoch,
                             const std::string& group_id, int16_t api_version);

  boost::asio::io_context& io_;
  topic_registry& topics_;
  group_service& groups_;
  txn_settings settings_;
  std::unique_ptr<state_log> log_;
  std::unique_ptr<markers> markers_;
  std::unique_ptr<txn::coordinator> coordinator_;
  std::function<result<int64_t>()> new_producer_id_;
  boost::asio::steady_timer timer_;
  int64_t armed_for_ = txn::no_deadline;
  bool stopped_ = false;
};

}  // namespace samsa::broker
