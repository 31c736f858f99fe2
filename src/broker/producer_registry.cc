#include "broker/producer_registry.h"

#include <spdlog/spdlog.h>

#include "record/split.h"

namespace samsa::broker {

using protocol::error_code;

namespace {

txn::producer_batch producer_of(const record::batch_header& h) {
  return txn::producer_batch{h.producer_id, h.producer_epoch, h.base_sequence, h.last_offset_delta + 1};
}

}  // namespace

producer_registry::producer_registry(std::unique_ptr<txn::producer_id_allocator> ids) : ids_(std::move(ids)) {}

result<int64_t> producer_registry::new_producer_id() { return ids_->next(); }

txn::producer_state_table& producer_registry::table_for(storage::partition_log& log) {
  auto key = std::make_pair(log.id(), log.partition());
  auto it = tables_.find(key);
  if (it != tables_.end()) return it->second;
  txn::producer_state_table& table = tables_[key];
  // Replay the tail of the log: batch headers only, nothing is decompressed.
  const int64_t end = log.log_end_offset();
  int64_t offset = std::max(log.log_start_offset(), end - rebuild_window_offsets);
  size_t batches = 0;
  while (offset < end) {
    auto chunk = log.read_copy(offset, 1 << 20, end);
    if (!chunk || chunk->bytes.empty()) break;
    auto split = record::split_batches(chunk->bytes, record::split_mode::lenient);
    if (!split || split->empty()) break;
    for (const auto& b : *split) {
      const auto& h = b.header;
      if (h.producer_id >= 0 && !(h.attributes & record::attr::control)) {
        const bool append_time = (h.attributes & record::attr::log_append_time) != 0;
        table.on_appended(producer_of(h),
                          txn::appended_batch{h.base_sequence, producer_of(h).last_sequence(), h.base_offset,
                                              append_time ? h.max_timestamp : -1},
                          h.max_timestamp);
        ++batches;
      }
    }
    offset = chunk->next_offset;
  }
  if (batches > 0) {
    spdlog::info("{}-{}: rebuilt idempotent-producer state of {} producer(s) from {} batch(es)", log.topic(),
                 log.partition(), table.producer_count(), batches);
  }
  return table;
}

producer_verdict producer_registry::check(storage::partition_log& log, const record::batch_header& batch,
                                          int64_t now_ms) {
  producer_verdict out;
  if (!batch.has_producer_id()) return out;
  std::lock_guard lock(mutex_);
  if (now_ms - last_expiry_ms_ > 60000) {
    expire_locked(now_ms, producer_id_expiration_ms);
    last_expiry_ms_ = now_ms;
  }
  txn::check_result check = table_for(log).check(producer_of(batch));
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
    case txn::verdict::append:
      break;
  }
  return out;
}

void producer_registry::record_appended(storage::partition_log& log, const record::batch_header& batch,
                                        const storage::append_result& appended, int64_t now_ms) {
  if (!batch.has_producer_id()) return;
  std::lock_guard lock(mutex_);
  const txn::producer_batch producer = producer_of(batch);
  table_for(log).on_appended(
      producer,
      txn::appended_batch{producer.base_sequence, producer.last_sequence(), appended.base_offset,
                          appended.log_append_time_ms},
      now_ms);
}

std::vector<txn::producer_summary> producer_registry::describe(storage::partition_log& log) {
  std::lock_guard lock(mutex_);
  return table_for(log).summaries();
}

void producer_registry::expire(int64_t now_ms, int64_t idle_ms) {
  std::lock_guard lock(mutex_);
  expire_locked(now_ms, idle_ms);
}

void producer_registry::expire_locked(int64_t now_ms, int64_t idle_ms) {
  for (auto it = tables_.begin(); it != tables_.end();) {
    it->second.expire(now_ms, idle_ms);
    it = it->second.producer_count() == 0 ? tables_.erase(it) : std::next(it);
  }
}

}  // namespace samsa::broker
