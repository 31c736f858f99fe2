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

// The idempotence check of one validated batch with a producer id, as the
// partition's producer table sees it: storage::partition_log's
// append_batch_checked runs the check and the append under one lock (so no
// other append of the partition comes between them) and records the batch
// in the table as it writes it.
txn::producer_batch producer_batch_of(const record::batch_header& batch);

// What the table's verdict means for the Produce answer: a duplicate (a
// retry answered with the offsets it got the first time), a sequence gap,
// a fenced epoch, or a new producer while the full table has no producer
// without an open transaction to forget (NOT_ENOUGH_REPLICAS, retriable).
producer_verdict verdict_of(txn::check_result check, const storage::partition_log& log,
                            const record::batch_header& batch);

class producer_registry {
 public:
  explicit producer_registry(std::unique_ptr<txn::producer_id_allocator> ids);

  [[nodiscard]] result<int64_t> new_producer_id();

  // The producers known on one partition.
  std::vector<txn::producer_summary> describe(const storage::partition_log& log) const;

 private:
  std::unique_ptr<txn::producer_id_allocator> ids_;
};

}  // namespace samsa::broker
