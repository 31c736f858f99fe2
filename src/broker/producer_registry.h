// Idempotent producers on this broker: producer ids (InitProducerId) and, per
// partition, the producers' recent sequence ranges. A partition's table is
// rebuilt from the tail of its log the first time an idempotent batch reaches
// it after a start, so a retry that crosses a broker restart is still
// recognised as a duplicate.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "protocol/error_code.h"
#include "storage/partition_log.h"
#include "txn/producer_id_allocator.h"
#include "txn/producer_state.h"

namespace samsa::broker {

// How an append of a produce request's records went.
struct idempotent_append {
  protocol::error_code code = protocol::error_code::none;
  std::string message;
  storage::append_result appended{};  // valid when code is none
  bool duplicate = false;             // answered from memory, nothing stored
  std::optional<error> storage_failure;  // the append itself failed (code is unknown_server_error)
};

class producer_registry {
 public:
  // How many offsets from the log end a table rebuild reads at most.
  static constexpr int64_t rebuild_window_offsets = 100000;

  explicit producer_registry(std::unique_ptr<txn::producer_id_allocator> ids);

  [[nodiscard]] result<int64_t> new_producer_id();

  // Appends `batches` (validated already) to `log`. Batches without a
  // producer id are appended as they are; an idempotent batch is checked
  // against the partition's producer table first.
  using append_fn = std::function<result<storage::append_result>()>;
  idempotent_append append(storage::partition_log& log, std::span<const uint8_t> batches, int64_t now_ms,
                           const append_fn& do_append);

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
