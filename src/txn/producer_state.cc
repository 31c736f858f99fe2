#include "txn/producer_state.h"

#include <algorithm>
#include <limits>

namespace samsa::txn {

namespace {

constexpr int32_t max_sequence = std::numeric_limits<int32_t>::max();

bool follows(int32_t last, int32_t next) { return last == max_sequence ? next == 0 : next == last + 1; }

}  // namespace

int32_t producer_batch::last_sequence() const {
  if (record_count <= 0) return base_sequence;
  int64_t last = int64_t{base_sequence} + record_count - 1;
  return static_cast<int32_t>(last > max_sequence ? last - max_sequence - 1 : last);
}

check_result producer_state_table::check(const producer_batch& batch) const {
  check_result out;
  auto it = producers_.find(batch.producer_id);
  // Unknown producer (new, expired, or its batches were removed by retention):
  // Kafka accepts any sequence then.
  if (it == producers_.end()) return out;
  const entry& e = it->second;
  if (batch.producer_epoch < e.epoch) {
    out.outcome = verdict::invalid_producer_epoch;
    out.message = "producer " + std::to_string(batch.producer_id) + " epoch " +
                  std::to_string(batch.producer_epoch) + " is older than the current epoch " + std::to_string(e.epoch);
    return out;
  }
  if (batch.producer_epoch > e.epoch) {
    if (batch.base_sequence != 0) {
      out.outcome = verdict::out_of_order_sequence;
      out.message = "a new epoch must start at sequence 0, got " + std::to_string(batch.base_sequence);
    }
    return out;
  }
  const int32_t last = batch.last_sequence();
  for (const auto& b : e.recent) {
    if (b.first_sequence == batch.base_sequence && b.last_sequence == last) {
      out.outcome = verdict::duplicate;
      out.previous = b;
      return out;
    }
  }
  if (!e.recent.empty() && !follows(e.recent.back().last_sequence, batch.base_sequence)) {
    out.outcome = verdict::out_of_order_sequence;
    out.message = "producer " + std::to_string(batch.producer_id) + ": expected sequence " +
                  std::to_string(e.recent.back().last_sequence == max_sequence ? 0
                                                                                : e.recent.back().last_sequence + 1) +
                  ", got " + std::to_string(batch.base_sequence);
  }
  return out;
}

void producer_state_table::set_txn_start(int64_t producer_id, entry& e, int64_t first_offset) {
  if (e.txn_first_offset >= 0) ongoing_.erase({e.txn_first_offset, producer_id});
  e.txn_first_offset = first_offset;
  if (first_offset >= 0) ongoing_.insert({first_offset, producer_id});
}

void producer_state_table::on_appended(const producer_batch& batch, const appended_batch& stored, int64_t now_ms) {
  entry& e = producers_[batch.producer_id];
  if (batch.producer_epoch != e.epoch) {
    e.epoch = batch.producer_epoch;
    e.recent.clear();
  }
  e.recent.push_back(stored);
  while (e.recent.size() > batches_kept) e.recent.pop_front();
  e.last_update_ms = now_ms;
  if (batch.transactional && e.txn_first_offset < 0) set_txn_start(batch.producer_id, e, stored.base_offset);
}

std::optional<ended_txn> producer_state_table::on_marker(int64_t producer_id, int16_t epoch, bool commit,
                                                         int64_t marker_offset, int64_t now_ms) {
  entry& e = producers_[producer_id];
  if (epoch > e.epoch) {
    // The sequences of the old epoch mean nothing at the new one.
    e.epoch = epoch;
    e.recent.clear();
  }
  e.last_update_ms = now_ms;
  if (e.txn_first_offset < 0) return std::nullopt;
  ended_txn out{producer_id, e.txn_first_offset, marker_offset, commit};
  set_txn_start(producer_id, e, -1);
  return out;
}

std::optional<int64_t> producer_state_table::first_unstable_offset() const {
  if (ongoing_.empty()) return std::nullopt;
  return ongoing_.begin()->first;
}

std::vector<std::pair<int64_t, int64_t>> producer_state_table::ongoing() const {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& [first, pid] : ongoing_) out.emplace_back(pid, first);
  return out;
}

std::vector<producer_record> producer_state_table::records() const {
  std::vector<producer_record> out;
  out.reserve(producers_.size());
  for (const auto& [id, e] : producers_) {
    out.push_back({id, e.epoch, e.last_update_ms, e.txn_first_offset, {e.recent.begin(), e.recent.end()}});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.producer_id < b.producer_id; });
  return out;
}

void producer_state_table::restore(const producer_record& record) {
  entry& e = producers_[record.producer_id];
  e.epoch = record.epoch;
  e.last_update_ms = record.last_update_ms;
  e.recent.assign(record.recent.begin(), record.recent.end());
  while (e.recent.size() > batches_kept) e.recent.pop_front();
  set_txn_start(record.producer_id, e, record.txn_first_offset);
}

void producer_state_table::clear() {
  producers_.clear();
  ongoing_.clear();
}

std::vector<producer_summary> producer_state_table::summaries() const {
  std::vector<producer_summary> out;
  out.reserve(producers_.size());
  for (const auto& [id, e] : producers_) {
    out.push_back(
        {id, e.epoch, e.recent.empty() ? -1 : e.recent.back().last_sequence, e.last_update_ms, e.txn_first_offset});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.producer_id < b.producer_id; });
  return out;
}

size_t producer_state_table::expire(int64_t now_ms, int64_t idle_ms) {
  size_t removed = 0;
  for (auto it = producers_.begin(); it != producers_.end();) {
    if (now_ms - it->second.last_update_ms > idle_ms && it->second.txn_first_offset < 0) {
      it = producers_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

}  // namespace samsa::txn
