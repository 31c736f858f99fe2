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

idempotent_append producer_registry::append(storage::partition_log& log, std::span<const uint8_t> batches,
                                            int64_t now_ms, const append_fn& do_append) {
  idempotent_append out;
  auto split = record::split_batches(batches);
  if (!split || split->empty()) {
    out.code = error_code::corrupt_message;
    out.message = "records do not split into batches";
    return out;
  }
  const auto& first = split->front().header;
  if (first.attributes & record::attr::transactional) {
    out.code = error_code::invalid_txn_state;
    out.message = "transactional batches are not supported: this broker does not run transactions yet";
    return out;
  }
  // Appends; false (with `out` filled in) when storage failed.
  auto run_append = [&] {
    auto appended = do_append();
    if (!appended) {
      out.code = error_code::unknown_server_error;
      out.storage_failure = appended.err();
      return false;
    }
    out.appended = *appended;
    return true;
  };
  if (first.producer_id < 0) {
    run_append();
    return out;
  }
  if (split->size() != 1) {
    out.code = error_code::invalid_record;
    out.message = "an idempotent producer sends one batch per partition and request, got " +
                  std::to_string(split->size());
    return out;
  }

  std::lock_guard lock(mutex_);
  if (now_ms - last_expiry_ms_ > 60000) {
    expire_locked(now_ms, producer_id_expiration_ms);
    last_expiry_ms_ = now_ms;
  }
  txn::producer_state_table& table = table_for(log);
  const txn::producer_batch batch = producer_of(first);
  txn::check_result check = table.check(batch);
  switch (check.outcome) {
    case txn::verdict::duplicate:
      out.duplicate = true;
      out.appended.base_offset = check.previous.base_offset;
      out.appended.last_offset = check.previous.base_offset + first.last_offset_delta;
      out.appended.log_append_time_ms = check.previous.append_time_ms;
      out.appended.log_start_offset = log.log_start_offset();
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
  if (!run_append()) return out;
  table.on_appended(batch,
                    txn::appended_batch{batch.base_sequence, batch.last_sequence(), out.appended.base_offset,
                                        out.appended.log_append_time_ms},
                    now_ms);
  return out;
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
