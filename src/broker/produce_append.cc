#include "broker/produce_append.h"

#include "broker/storage_errors.h"

namespace samsa::broker {

namespace {

storage::batch_info info_of(const record::batch_header& h) {
  storage::batch_info info;
  info.base_offset = h.base_offset;
  info.size = static_cast<int32_t>(h.size_bytes());
  info.last_offset_delta = h.last_offset_delta;
  info.base_timestamp = h.base_timestamp;
  info.max_timestamp = h.max_timestamp;
  info.attributes = h.attributes;
  info.record_count = h.record_count;
  info.producer_id = h.producer_id;
  info.producer_epoch = h.producer_epoch;
  info.base_sequence = h.base_sequence;
  return info;
}

}  // namespace

partition_append append_checked(storage::partition_log& log, checked_batch& batch, int64_t now_ms) {
  partition_append out;
  result<storage::append_result> appended = storage::append_result{};
  if (!batch.header.has_producer_id()) {
    appended = log.append_batch(batch.bytes(), info_of(batch.header), now_ms);
  } else {
    // Idempotent batches are checked against the producer's sequence in
    // the same hold of the log's lock as the write.
    txn::check_result check;
    appended = log.append_batch_checked(batch.bytes(), info_of(batch.header), now_ms, producer_batch_of(batch.header),
                                        check);
    if (appended && check.outcome != txn::verdict::append) {
      producer_verdict verdict = verdict_of(std::move(check), log, batch.header);
      if (verdict.duplicate_of) {
        out.duplicate = true;  // a retry: answered with the offsets it got the first time
        out.appended = *verdict.duplicate_of;
        return out;
      }
      out.code = verdict.code;
      out.message = std::move(verdict.message);
      return out;
    }
  }
  if (!appended) {
    out.code = storage_error_to_kafka(appended.err());
    out.message = appended.err().message;
    out.storage_failure = appended.err();
    return out;
  }
  // The log recorded the batch in its producer table as it appended it.
  out.appended = *appended;
  return out;
}

}  // namespace samsa::broker
