#include "broker/producer_registry.h"

namespace samsa::broker {

using protocol::error_code;

producer_registry::producer_registry(std::unique_ptr<txn::producer_id_allocator> ids) : ids_(std::move(ids)) {}

result<int64_t> producer_registry::new_producer_id() { return ids_->next(); }

txn::producer_batch producer_batch_of(const record::batch_header& batch) {
  return txn::producer_batch{batch.producer_id, batch.producer_epoch, batch.base_sequence, batch.last_offset_delta + 1,
                             batch.is_transactional()};
}

producer_verdict verdict_of(txn::check_result check, const storage::partition_log& log,
                            const record::batch_header& batch) {
  producer_verdict out;
  switch (check.outcome) {
    case txn::verdict::duplicate:
      out.duplicate_of = storage::append_result{check.previous.base_offset,
                                                check.previous.base_offset + batch.last_offset_delta,
                                                check.previous.append_time_ms, log.log_start_offset()};
      return out;
    case txn::verdict::out_of_order_sequence:
      out.code = error_code::out_of_order_sequence_number;
      out.message = std::move(check.message);
      return out;
    case txn::verdict::invalid_producer_epoch:
      out.code = error_code::invalid_producer_epoch;
      out.message = std::move(check.message);
      return out;
    case txn::verdict::table_full:
      // Retriable, as Produce answers a transaction that is completing:
      // every producer here has an open transaction, and each one ends
      // (commit, abort or timeout) within transaction.max.timeout.ms.
      out.code = error_code::not_enough_replicas;
      out.message = log.topic() + "-" + std::to_string(log.partition()) + ": " + check.message;
      return out;
    case txn::verdict::append:
      break;
  }
  return out;
}

std::vector<txn::producer_summary> producer_registry::describe(const storage::partition_log& log) const {
  return log.producer_summaries();
}

}  // namespace samsa::broker
