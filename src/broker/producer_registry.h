// Idempotent and transactional producers on this broker: producer ids
// (InitProducerId) and the broker-facing check of a batch against its
// partition's producer table. The table itself lives in the partition log
// (storage::partition_log), fed from every appended batch header and
// restored from its producer snapshots at start, so a retry that crosses a
// broker restart is still recognised as a duplicate, however long ago (up to
// producer.id.expiration.ms) the producer last wrote.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
  explicit producer_registry(std::unique_ptr<txn::producer_id_allocator> ids);

  [[nodiscard]] result<int64_t> new_producer_id();

  // The idempotence check of one validated batch, before it is appended:
  // batches without a producer id always pass; an idempotent one is checked
  // against the partition's producer table (duplicate, sequence gap, fenced
  // epoch, or a new producer while the full table has no producer without
  // an open transaction to forget: NOT_ENOUGH_REPLICAS, retriable). The append then records the batch in the table by itself; check
  // and append must run under the partition's one append owner, with
  // nothing appended to that partition between them.
  producer_verdict check(storage::partition_log& log, const record::batch_header& batch);

  // The producers known on one partition.
  std::vector<txn::producer_summary> describe(const storage::partition_log& log) const;

 private:
  std::unique_ptr<txn::producer_id_allocator> ids_;
};

}  // namespace samsa::broker
