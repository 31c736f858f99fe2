// One transactional id as the coordinator reports it to DescribeTransactions,
// ListTransactions and `samsa txn`: a copy, taken on the handler thread.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace samsa::txn {

// Kafka's transaction states, with the names ListTransactions and
// DescribeTransactions put on the wire.
enum class txn_state : int8_t {
  empty,
  ongoing,
  prepare_commit,
  prepare_abort,
  complete_commit,
  complete_abort,
  dead,
  prepare_epoch_fence,
};

// "Empty", "Ongoing", "PrepareCommit", ... (Kafka's TransactionState names).
const char* state_name(txn_state state);

struct transaction_view {
  std::string transactional_id;
  txn_state state = txn_state::empty;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t timeout_ms = 0;
  int64_t start_ms = -1;  // when the ongoing transaction began; -1 without one
  int64_t last_update_ms = -1;
  // Partitions in the transaction, by topic name.
  std::vector<std::pair<std::string, int32_t>> partitions;
};

}  // namespace samsa::txn
