// The transaction admin operations behind `samsa txn` (KIP-664), over
// kafka_connection: list the transactional ids of every broker, describe one
// at its coordinator, and abort a hanging transaction on one partition by
// writing an ABORT marker at the partition's leader.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::cli {

struct txn_listing {
  std::string transactional_id;
  int64_t producer_id = -1;
  std::string state;
};

struct txn_description {
  std::string transactional_id;
  std::string state;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t timeout_ms = 0;
  int64_t start_ms = -1;
  int32_t coordinator = -1;  // node id of the transaction coordinator
  std::vector<std::pair<std::string, int32_t>> partitions;
};

struct txn_list_filters {
  std::vector<std::string> states;        // Kafka's state names: Ongoing, PrepareCommit, ...
  std::vector<int64_t> producer_ids;
  int64_t min_duration_ms = -1;           // < 0: none (needs ListTransactions v1)
};

struct txn_list_result {
  std::vector<txn_listing> transactions;  // sorted by id
  std::vector<std::string> unknown_states;  // filters the broker did not recognise
};

// The producer whose open transaction `abort` ends.
struct txn_abort_target {
  std::string topic;
  int32_t partition = 0;
  std::optional<int64_t> producer_id;  // unset: found with DescribeProducers
  std::optional<int16_t> producer_epoch;
  std::optional<int32_t> coordinator_epoch;
  std::optional<int64_t> start_offset;  // picks among several open transactions
};

struct txn_abort_result {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t coordinator_epoch = 0;
  int64_t start_offset = -1;  // as DescribeProducers reported it; -1 when not looked up
  int32_t leader = -1;
};

class txn_admin {
 public:
  // `bootstrap` is "host:port[,host:port...]": the first that answers is used.
  txn_admin(std::string bootstrap, std::string client_id, std::chrono::milliseconds timeout);

  result<txn_list_result> list(const txn_list_filters& filters);
  // Fails with TRANSACTIONAL_ID_NOT_FOUND (see is_txn_not_found) for an unknown id.
  result<txn_description> describe(const std::string& transactional_id);
  result<txn_abort_result> abort(const txn_abort_target& target);

 private:
  std::string bootstrap_;
  std::string client_id_;
  std::chrono::milliseconds timeout_;
};

// Whether `e` is the broker saying that a transactional id does not exist.
bool is_txn_not_found(const samsa::error& e);

}  // namespace samsa::cli
