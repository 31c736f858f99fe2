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

void producer_state_table::entry::remember(const appended_batch& b) {
  if (recent_count < batches_kept) {
    recent[(recent_head + recent_count) % batches_kept] = b;
    ++recent_count;
  } else {
    recent[recent_head] = b;  // over the oldest
    recent_head = static_cast<uint8_t>((recent_head + 1) % batches_kept);
  }
}

check_result producer_state_table::check(const producer_batch& batch) const {
  check_result out;
  auto it = producers_.find(batch.producer_id);
  // Unknown producer (new, expired, evicted, or its batches were removed by
  // retention): Kafka accepts any sequence then. It needs a slot: refused
  // only when no producer can give up its own.
  if (it == producers_.end()) {
    if (at_bound() && idle_.empty()) {
      out.outcome = verdict::table_full;
      const bool own_bound = producers_.size() >= max_producers_;
      out.message = "new producer " + std::to_string(batch.producer_id) + " refused: the partition knows " +
                    std::to_string(producers_.size()) + " producers (" +
                    (own_bound ? std::string("max.producer.ids.per.partition")
                               : "the broker holds " + std::to_string(budget_->held()) +
                                     ", max.producer.ids") +
                    "), each with an open transaction; retry once one ends";
    }
    return out;
  }
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
  for (size_t i = 0; i < e.recent_count; ++i) {
    const appended_batch& b = e.recent_at(i);
    if (b.first_sequence == batch.base_sequence && b.last_sequence == last) {
      out.outcome = verdict::duplicate;
      out.previous = b;
      return out;
    }
  }
  if (e.recent_count > 0 && !follows(e.newest().last_sequence, batch.base_sequence)) {
    const int32_t newest = e.newest().last_sequence;
    out.outcome = verdict::out_of_order_sequence;
    out.message = "producer " + std::to_string(batch.producer_id) + ": expected sequence " +
                  std::to_string(newest == max_sequence ? 0 : newest + 1) + ", got " +
                  std::to_string(batch.base_sequence);
  }
  return out;
}

producer_state_table::~producer_state_table() {
  if (budget_) budget_->adjust(counted_, 0);
}

void producer_state_table::use_budget(producer_budget* budget) {
  if (budget_) budget_->adjust(counted_, 0);
  budget_ = budget;
  counted_ = 0;
  settle_budget();
}

void producer_state_table::settle_budget() {
  if (!budget_) return;
  budget_->adjust(counted_, producers_.size());
  counted_ = producers_.size();
}

bool producer_state_table::at_bound() const {
  if (producers_.size() >= max_producers_) return true;
  return budget_ && producers_.size() >= budget_->floor() && budget_->full();
}

void producer_state_table::set_max_producers(size_t max_producers) {
  max_producers_ = max_producers;
  while (producers_.size() > max_producers_ && !idle_.empty()) evict_oldest_idle();
  settle_budget();
  // Past the broker-wide bound too (tables restored at start), down to the floor.
  while (budget_ && !idle_.empty() && producers_.size() > budget_->floor() &&
         budget_->held() > budget_->max_entries()) {
    evict_oldest_idle();
    settle_budget();
  }
}

void producer_state_table::evict_oldest_idle() {
  producers_.erase(idle_.front());
  idle_.pop_front();
  ++evicted_;
}

producer_state_table::entry& producer_state_table::slot(int64_t producer_id, bool may_evict) {
  auto it = producers_.find(producer_id);
  if (it != producers_.end()) return it->second;
  // When every producer has an open transaction the table grows past its
  // bound rather than lose data already in the log: check() refuses new
  // producers then, so only replayed or racing batches get here.
  if (may_evict && at_bound() && !idle_.empty()) evict_oldest_idle();
  entry& e = producers_[producer_id];
  e.idle_pos = idle_.insert(idle_.end(), producer_id);
  settle_budget();
  return e;
}

void producer_state_table::touch(entry& e) {
  if (e.txn_first_offset < 0) idle_.splice(idle_.end(), idle_, e.idle_pos);
}

void producer_state_table::set_txn_start(int64_t producer_id, entry& e, int64_t first_offset) {
  const bool was_open = e.txn_first_offset >= 0;
  if (was_open) ongoing_.erase({e.txn_first_offset, producer_id});
  e.txn_first_offset = first_offset;
  if (first_offset >= 0) {
    ongoing_.insert({first_offset, producer_id});
    if (!was_open) idle_.erase(e.idle_pos);  // not evictable while its transaction is open
  } else if (was_open) {
    e.idle_pos = idle_.insert(idle_.end(), producer_id);
  }
}

void producer_state_table::on_appended(const producer_batch& batch, const appended_batch& stored, int64_t now_ms) {
  entry& e = slot(batch.producer_id, true);
  if (batch.producer_epoch != e.epoch) {
    e.epoch = batch.producer_epoch;
    e.forget_batches();
  }
  e.remember(stored);
  e.last_update_ms = now_ms;
  touch(e);
  if (batch.transactional && e.txn_first_offset < 0) set_txn_start(batch.producer_id, e, stored.base_offset);
}

std::optional<ended_txn> producer_state_table::on_marker(int64_t producer_id, int16_t epoch, bool commit,
                                                         int64_t marker_offset, int64_t now_ms) {
  entry& e = slot(producer_id, true);
  if (epoch > e.epoch) {
    // The sequences of the old epoch mean nothing at the new one.
    e.epoch = epoch;
    e.forget_batches();
  }
  e.last_update_ms = now_ms;
  touch(e);
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
    producer_record r{id, e.epoch, e.last_update_ms, e.txn_first_offset, {}};
    r.recent.reserve(e.recent_count);
    for (size_t i = 0; i < e.recent_count; ++i) r.recent.push_back(e.recent_at(i));
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.producer_id < b.producer_id; });
  return out;
}

void producer_state_table::restore(const producer_record& record) {
  entry& e = slot(record.producer_id, false);
  e.epoch = record.epoch;
  e.last_update_ms = record.last_update_ms;
  e.forget_batches();
  for (const auto& b : record.recent) e.remember(b);  // keeps the newest batches_kept
  set_txn_start(record.producer_id, e, record.txn_first_offset);
}

void producer_state_table::finish_restore() {
  // list::sort relinks nodes: the iterators the entries hold stay valid.
  idle_.sort([this](int64_t a, int64_t b) {
    const int64_t ta = producers_.at(a).last_update_ms;
    const int64_t tb = producers_.at(b).last_update_ms;
    return ta != tb ? ta < tb : a < b;
  });
  set_max_producers(max_producers_);
}

void producer_state_table::clear() {
  producers_.clear();
  idle_.clear();
  ongoing_.clear();
  settle_budget();
}

std::vector<producer_summary> producer_state_table::summaries() const {
  std::vector<producer_summary> out;
  out.reserve(producers_.size());
  for (const auto& [id, e] : producers_) {
    out.push_back({id, e.epoch, e.recent_count == 0 ? -1 : e.newest().last_sequence, e.last_update_ms,
                   e.txn_first_offset});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.producer_id < b.producer_id; });
  return out;
}

size_t producer_state_table::expire(int64_t now_ms, int64_t idle_ms) {
  size_t removed = 0;
  for (auto it = producers_.begin(); it != producers_.end();) {
    if (now_ms - it->second.last_update_ms > idle_ms && it->second.txn_first_offset < 0) {
      idle_.erase(it->second.idle_pos);
      it = producers_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  settle_budget();
  return removed;
}

}  // namespace samsa::txn
