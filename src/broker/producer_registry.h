// Idempotent producers on this broker: producer ids (InitProducerId) and, per
// partition, the producers' recent sequence ranges. A partition's table is
// rebuilt from the tail of its log the first time an idempotent batch reaches
// it after a start, so a retry that crosses a broker restart is still
// recognised as a duplicate.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "protocol/error_code.h"
#include "record/batch_header.h"
#include "storage/partition_log.h"
#include "txn/producer_id_allocator.h"
#include "txn/producer_state.h"

namespace samsa::broker {

// What the producer table says about a batch before it is appended.
struct producer_verdict {
  protocol::error_code code = protocol::error_code::none;  // none: append (or duplicate)
  std::string message;
  // A retry of a batch already stored: answer with these offsets, store nothing.
  std::optional<storage::append_result> duplicate_of;
  bool ok() const { return code == protocol::error_code::none; }
};

class producer_registry {
 public:
  // How many offsets from the log end a table rebuild reads at most.
  static constexpr int64_t rebuild_window_offsets = 100000;

  explicit producer_registry(std::unique_ptr<txn::producer_id_allocator> ids);

  [[nodiscard]] result<int64_t> new_producer_id();

  // The idempotence check of one validated batch, before it is appended:
  // batches without a producer id always pass; an idempotent one is checked
  // against the partition's producer table (duplicate, sequence gap, fenced
  // epoch). The caller appends and then calls record_appended(); the two
  // must run under the partition's one append owner, with nothing appended
  // to that partition between them.
  producer_verdict check(storage::partition_log& log, const record::batch_header& batch, int64_t now_ms);
  // Records an appended idempotent batch (no-op without a producer id).
  void record_appended(storage::partition_log& log, const record::batch_header& batch,
                       const storage::append_result& appended, int64_t now_ms);

  // The producers known on one partition (rebuilding its table if needed).
  std::vector<txn::producer_summary> describe(storage::partition_log& log);

  // Drops producers idle longer than `idle_ms` everywhere, and the tables
  // left empty. append() runs this once a minute with Kafka's default
  // producer.id.expiration.ms (one day), so memory stays bounded.
  void expire(int64_t now_ms, int64_t idle_ms);
  static constexpr int64_t producer_id_expiration_ms = 24LL * 60 * 60 * 1000;

 private:
  txn::producer_state_table& table_for(storage::partition_log& log);

  void expire_locked(int64_t now_ms, int64_t idle_ms);

  std::unique_ptr<txn::producer_id_allocator> ids_;
  std::mutex mutex_;
  int64_t last_expiry_ms_ = 0;
  // Keyed by topic id and partition: a re-created topic starts afresh.
  std::map<std::pair<storage::topic_id, int32_t>, txn::producer_state_table> tables_;
};

}  // namespace samsa::broker
