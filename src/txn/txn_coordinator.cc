#include "txn/txn_coordinator.h"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace samsa::txn {

namespace {

// Kafka stops bumping at Short.MAX_VALUE - 1 and moves to a new producer id.
constexpr int16_t last_usable_epoch = std::numeric_limits<int16_t>::max() - 1;

// Deadlines from replayed records must not overflow, whatever they hold.
int64_t plus(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? no_deadline : std::numeric_limits<int64_t>::min();
  return sum;
}

bool is_prepare(txn_state s) { return s == txn_state::prepare_commit || s == txn_state::prepare_abort; }
bool is_idle(txn_state s) {
  return s == txn_state::empty || s == txn_state::complete_commit || s == txn_state::complete_abort;
}

std::string describe_state(const std::string& id, const txn_record& r) {
  return "transactional id '" + id + "' is " + state_name(r.state) + " (producer " + std::to_string(r.producer_id) +
         ", epoch " + std::to_string(r.producer_epoch) + ")";
}

// An epoch bump: `next` takes the bumped producer id and epoch, and keeps the
// ones it replaces so a KIP-360 retry that presents them is recognised.
void take_bumped_epoch(txn_record& next, const txn_record& rec, std::pair<int64_t, int16_t> bumped) {
  next.previous_producer_id = rec.producer_id;
  next.previous_producer_epoch = rec.producer_epoch;
  next.producer_id = bumped.first;
  next.producer_epoch = bumped.second;
}

size_t partition_cost(const std::vector<topic_partition>& partitions) {
  size_t bytes = 0;
  for (const auto& tp : partitions) bytes += partition_cost_bytes + tp.topic.size();
  return bytes;
}

}  // namespace

coordinator::coordinator(coordinator_config config, txn_state_log& log, marker_writer& markers,
                         new_producer_id_fn new_id)
    : config_(config), log_(log), markers_(markers), new_id_(std::move(new_id)) {}

void coordinator::index_pid(const std::string& id, int64_t old_pid, int64_t new_pid) {
  if (old_pid == new_pid) return;
  if (old_pid >= 0) {
    auto it = by_pid_.find(old_pid);
    if (it != by_pid_.end() && it->second == id) by_pid_.erase(it);
  }
  if (new_pid >= 0) by_pid_[new_pid] = id;
}

result<std::pair<int64_t, int16_t>> coordinator::bump(const txn_record& rec, bool allow_new_id) {
  if (rec.producer_epoch < last_usable_epoch) {
    return std::pair<int64_t, int16_t>{rec.producer_id, static_cast<int16_t>(rec.producer_epoch + 1)};
  }
  if (!allow_new_id) return std::pair<int64_t, int16_t>{rec.producer_id, rec.producer_epoch};
  auto id = new_id_();
  if (!id) return id.err();
  return std::pair<int64_t, int16_t>{*id, int16_t{0}};
}

int64_t coordinator::deadline_of(const entry& e) const {
  if (e.pending || e.completing) return no_deadline;
  const txn_record& r = e.rec;
  if (is_prepare(r.state)) return e.retry_at;
  if (r.state == txn_state::ongoing && r.start_ms >= 0) return plus(r.start_ms, r.timeout_ms);
  if (is_idle(r.state)) return plus(r.last_update_ms, config_.id_expiration_ms);
  return no_deadline;
}

void coordinator::reschedule(entry_iterator it) {
  entry& e = it->second;
  const int64_t deadline = deadline_of(e);
  if (deadline == e.scheduled_at) return;
  if (e.scheduled_at != no_deadline) schedule_.erase({e.scheduled_at, &it->first});
  e.scheduled_at = deadline;
  if (deadline != no_deadline) schedule_.insert({deadline, &it->first});
}

void coordinator::set_record(entry_iterator it, txn_record rec) {
  index_pid(it->first, it->second.rec.producer_id, rec.producer_id);
  partition_bytes_ -= partition_cost(it->second.rec.partitions);
  partition_bytes_ += partition_cost(rec.partitions);
  it->second.rec = std::move(rec);
  reschedule(it);
}

void coordinator::forget(entry_iterator it) {
  entry& e = it->second;
  if (e.scheduled_at != no_deadline) schedule_.erase({e.scheduled_at, &it->first});
  partition_bytes_ -= partition_cost(e.rec.partitions);
  index_pid(it->first, e.rec.producer_id, -1);
  txns_.erase(it);
}

void coordinator::persist(const std::string& id, txn_record next, std::function<void(status)> then) {
  auto placed = txns_.try_emplace(id).first;
  placed->second.pending = true;
  reschedule(placed);
  // The copy being written is memory too, until it replaces the record.
  const size_t in_flight = partition_cost(next.partitions);
  partition_bytes_ += in_flight;
  auto value = encode_txn_value(next);
  log_.append(id, encode_txn_key(id), std::move(value),
              [this, id, in_flight, next = std::move(next), then = std::move(then)](status s) mutable {
                partition_bytes_ -= in_flight;
                auto it = txns_.find(id);
                if (it == txns_.end()) return;  // cannot happen: entries leave only through a write of their own
                it->second.pending = false;
                if (s) {
                  set_record(it, std::move(next));
                } else if (it->second.rec.producer_id < 0) {
                  forget(it);  // a new id whose first record failed: it never existed
                } else {
                  reschedule(it);
                }
                then(s);
              });
}

void coordinator::init_producer_id(const std::string& id, int32_t timeout_ms, int64_t expected_pid,
                                   int16_t expected_epoch, int64_t now_ms, std::function<void(init_result)> done) {
  last_now_ = now_ms;
  auto fail = [&done](error_code code, std::string message) {
    init_result r;
    r.error = code;
    r.message = std::move(message);
    done(std::move(r));
  };
  if (timeout_ms <= 0 || timeout_ms > config_.max_timeout_ms) {
    return fail(error_code::invalid_transaction_timeout,
                "transaction timeout " + std::to_string(timeout_ms) + " ms is not in 1.." +
                    std::to_string(config_.max_timeout_ms) + " (transaction.max.timeout.ms)");
  }
  auto answer = [this, id, done](status s) {
    init_result r;
    if (!s) {
      r.error = error_code::coordinator_not_available;
      r.message = "cannot write the transaction state: " + s.err().message;
    } else {
      const txn_record& rec = txns_.at(id).rec;
      r.producer_id = rec.producer_id;
      r.producer_epoch = rec.producer_epoch;
    }
    done(std::move(r));
  };

  auto it = txns_.find(id);
  if (it == txns_.end()) {
    // Only new ids are bounded: one already in the log (a longer one from an
    // older Samsa, or kept past a lowered bound) goes on working.
    if (id.size() > max_new_transactional_id_bytes) {
      return fail(error_code::invalid_request, "a transactional id of " + std::to_string(id.size()) +
                                                   " bytes is longer than the " +
                                                   std::to_string(max_new_transactional_id_bytes) + " bytes Samsa accepts");
    }
    if (txns_.size() >= config_.max_ids) {
      return fail(error_code::policy_violation,
                  "the coordinator keeps " + std::to_string(txns_.size()) +
                      " transactional ids, the most transactional.id.max.count allows; an id leaves "
                      "transactional.id.expiration.ms after its last use");
    }
    auto pid = new_id_();
    if (!pid) return fail(error_code::coordinator_not_available, "cannot allocate a producer id: " + pid.err().message);
    txn_record next;
    next.producer_id = *pid;
    next.producer_epoch = 0;
    next.timeout_ms = timeout_ms;
    next.state = txn_state::empty;
    next.last_update_ms = now_ms;
    txns_[id];  // placeholder (pending) until the record is durable
    return persist(id, std::move(next), answer);
  }
  entry& e = it->second;
  if (e.pending) return fail(error_code::concurrent_transactions, "a state change of '" + id + "' is in progress");
  const txn_record& rec = e.rec;
  if (expected_pid != -1) {
    bool current = expected_pid == rec.producer_id && expected_epoch == rec.producer_epoch;
    bool retry = expected_pid == rec.previous_producer_id && expected_epoch == rec.previous_producer_epoch;
    if (!current && !retry) {
      return fail(error_code::producer_fenced, "producer " + std::to_string(expected_pid) + " epoch " +
                                                   std::to_string(expected_epoch) + " is not the current one of " +
                                                   describe_state(id, rec));
    }
    if (retry && is_idle(rec.state)) {
      // The bump this producer asked for already happened: same answer again.
      init_result r;
      r.producer_id = rec.producer_id;
      r.producer_epoch = rec.producer_epoch;
      return done(std::move(r));
    }
  }
  switch (rec.state) {
    case txn_state::prepare_commit:
    case txn_state::prepare_abort:
    case txn_state::prepare_epoch_fence:
      return fail(error_code::concurrent_transactions, describe_state(id, rec) + ": retry once it completes");
    case txn_state::dead:
      return fail(error_code::concurrent_transactions, "transactional id '" + id + "' is being removed");
    case txn_state::ongoing: {
      // The previous producer left a transaction open: fence it (epoch + 1)
      // and abort its transaction; the new producer retries and gets the
      // next epoch once the abort completed.
      auto bumped = bump(rec, false);
      txn_record next = rec;
      take_bumped_epoch(next, rec, *bumped);
      next.state = txn_state::prepare_abort;
      next.last_update_ms = now_ms;
      return persist(id, std::move(next), [this, id, done](status s) {
        init_result r;
        if (!s) {
          r.error = error_code::coordinator_not_available;
          r.message = "cannot write the transaction state: " + s.err().message;
          return done(std::move(r));
        }
        r.error = error_code::concurrent_transactions;
        r.message = "the open transaction of the previous producer of '" + id + "' is being aborted";
        done(std::move(r));
        complete(id);
      });
    }
    case txn_state::empty:
    case txn_state::complete_commit:
    case txn_state::complete_abort: {
      auto bumped = bump(rec, true);
      if (!bumped) return fail(error_code::coordinator_not_available, bumped.err().message);
      txn_record next = rec;
      take_bumped_epoch(next, rec, *bumped);
      next.timeout_ms = timeout_ms;
      next.state = txn_state::empty;
      next.partitions.clear();
      next.start_ms = -1;
      next.last_update_ms = now_ms;
      next.client_version = 1;
      return persist(id, std::move(next), answer);
    }
  }
}

void coordinator::add_partitions(const std::string& id, int64_t producer_id, int16_t producer_epoch,
                                 std::vector<topic_partition> partitions, int64_t now_ms,
                                 std::function<void(op_result)> done, int8_t client_version) {
  last_now_ = now_ms;
  auto fail = [&done](error_code code, std::string message) { done(op_result{code, std::move(message)}); };
  auto it = txns_.find(id);
  if (it == txns_.end() || it->second.rec.producer_id < 0) {
    return fail(error_code::invalid_producer_id_mapping, "transactional id '" + id + "' is not known");
  }
  entry& e = it->second;
  const txn_record& rec = e.rec;
  if (producer_id != rec.producer_id) {
    return fail(error_code::invalid_producer_id_mapping,
                "producer id " + std::to_string(producer_id) + " does not belong to " + describe_state(id, rec));
  }
  if (producer_epoch != rec.producer_epoch) {
    return fail(error_code::producer_fenced,
                "epoch " + std::to_string(producer_epoch) + " is not the current one: " + describe_state(id, rec));
  }
  if (e.pending || is_prepare(rec.state) || rec.state == txn_state::prepare_epoch_fence) {
    return fail(error_code::concurrent_transactions, describe_state(id, rec) + ": retry once it completes");
  }
  if (rec.state == txn_state::dead) return fail(error_code::invalid_producer_id_mapping, describe_state(id, rec));
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
  txn_record next = rec;
  bool added = false;
  for (auto& tp : partitions) {
    auto pos = std::lower_bound(next.partitions.begin(), next.partitions.end(), tp);
    if (pos != next.partitions.end() && *pos == tp) continue;
    next.partitions.insert(pos, tp);
    added = true;
  }
  if (rec.state == txn_state::ongoing && !added) return done(op_result{});  // nothing new to write
  if (added) {
    const size_t needed = partition_cost(next.partitions);
    if (static_cast<int64_t>(partition_bytes_ + needed) > config_.max_partition_bytes) {
      // One line per minute at most: a client filling the bound must not
      // fill the disk with log lines too.
      if (last_partition_refusal_log_ms_ < 0 || now_ms - last_partition_refusal_log_ms_ >= 60000) {
        last_partition_refusal_log_ms_ = now_ms;
        spdlog::warn("transaction coordinator: refusing to add partitions to '{}': the partitions of all "
                     "transactions hold {} bytes, transaction.partitions.max.memory.bytes is {}",
                     id, partition_bytes_, config_.max_partition_bytes);
      }
      return fail(error_code::policy_violation,
                  "the partitions of all transactions hold " + std::to_string(partition_bytes_) +
                      " bytes; this transaction's " + std::to_string(next.partitions.size()) +
                      " would pass transaction.partitions.max.memory.bytes (" +
                      std::to_string(config_.max_partition_bytes) + ")");
    }
  }
  if (rec.state != txn_state::ongoing) {
    next.start_ms = now_ms;
    next.client_version = client_version;
  }
  next.state = txn_state::ongoing;
  next.last_update_ms = now_ms;
  persist(id, std::move(next), [done](status s) {
    if (!s) return done(op_result{error_code::coordinator_not_available, "cannot write the transaction state: " +
                                                                             s.err().message});
    done(op_result{});
  });
}

void coordinator::add_partition_implicitly(int64_t producer_id, int16_t producer_epoch,
                                           const topic_partition& partition, int64_t now_ms,
                                           std::function<void(op_result)> done) {
  auto owner = by_pid_.find(producer_id);
  if (owner == by_pid_.end()) {
    return done(op_result{error_code::invalid_txn_state,
                          "producer id " + std::to_string(producer_id) + " belongs to no transactional id"});
  }
  std::string id = owner->second;
  add_partitions(id, producer_id, producer_epoch, {partition}, now_ms, std::move(done), 2);
}

op_result coordinator::verify_partition(int64_t producer_id, int16_t producer_epoch,
                                        const topic_partition& partition) const {
  auto owner = by_pid_.find(producer_id);
  if (owner == by_pid_.end()) {
    return {error_code::invalid_txn_state,
            "producer id " + std::to_string(producer_id) + " belongs to no transactional id"};
  }
  const entry& e = txns_.at(owner->second);
  const txn_record& rec = e.rec;
  if (producer_epoch != rec.producer_epoch) {
    return {error_code::invalid_producer_epoch, "epoch " + std::to_string(producer_epoch) +
                                                    " is not the current one: " + describe_state(owner->second, rec)};
  }
  if (is_prepare(rec.state)) {
    return {error_code::concurrent_transactions, describe_state(owner->second, rec) + ": the transaction is ending"};
  }
  if (rec.state == txn_state::ongoing &&
      std::binary_search(rec.partitions.begin(), rec.partitions.end(), partition)) {
    return {};
  }
  return {error_code::transaction_abortable, partition.topic + "-" + std::to_string(partition.partition) +
                                                 " is not part of the ongoing transaction: " +
                                                 describe_state(owner->second, rec)};
}

op_result coordinator::verify_transaction(const std::string& id, int64_t producer_id, int16_t producer_epoch,
                                          const topic_partition& partition) const {
  auto it = txns_.find(id);
  if (it == txns_.end() || it->second.rec.producer_id < 0) {
    return {error_code::invalid_producer_id_mapping, "transactional id '" + id + "' is not known"};
  }
  const txn_record& rec = it->second.rec;
  if (producer_id != rec.producer_id) {
    return {error_code::invalid_producer_id_mapping,
            "producer id " + std::to_string(producer_id) + " does not belong to " + describe_state(id, rec)};
  }
  if (producer_epoch != rec.producer_epoch) {
    return {error_code::producer_fenced,
            "epoch " + std::to_string(producer_epoch) + " is not the current one: " + describe_state(id, rec)};
  }
  if (is_prepare(rec.state)) return {error_code::concurrent_transactions, describe_state(id, rec)};
  if (rec.state == txn_state::ongoing &&
      std::binary_search(rec.partitions.begin(), rec.partitions.end(), partition)) {
    return {};
  }
  return {error_code::transaction_abortable, partition.topic + "-" + std::to_string(partition.partition) +
                                                 " is not part of the ongoing transaction: " +
                                                 describe_state(id, rec)};
}

void coordinator::end_txn(const std::string& id, int64_t producer_id, int16_t producer_epoch, bool commit, bool tv2,
                          int64_t now_ms, std::function<void(end_result)> done) {
  last_now_ = now_ms;
  auto fail = [&done](error_code code, std::string message) {
    end_result r;
    r.error = code;
    r.message = std::move(message);
    done(std::move(r));
  };
  auto it = txns_.find(id);
  if (it == txns_.end() || it->second.rec.producer_id < 0) {
    return fail(error_code::invalid_producer_id_mapping, "transactional id '" + id + "' is not known");
  }
  entry& e = it->second;
  const txn_record& rec = e.rec;
  const txn_state finished = commit ? txn_state::complete_commit : txn_state::complete_abort;
  const txn_state preparing = commit ? txn_state::prepare_commit : txn_state::prepare_abort;
  // TV2: the producer retries an EndTxn whose answer it lost; the epoch (or
  // the id, once the epoch ran out) was already bumped by that EndTxn.
  bool tv2_retry = tv2 && producer_id == rec.previous_producer_id && producer_epoch == rec.previous_producer_epoch &&
                   (rec.state == finished || rec.state == preparing);
  if (tv2_retry) {
    end_result r;
    r.producer_id = rec.producer_id;
    r.producer_epoch = rec.producer_epoch;
    if (rec.state == preparing) r.error = error_code::concurrent_transactions;
    return done(std::move(r));
  }
  if (producer_id != rec.producer_id) {
    return fail(error_code::invalid_producer_id_mapping,
                "producer id " + std::to_string(producer_id) + " does not belong to " + describe_state(id, rec));
  }
  if (producer_epoch != rec.producer_epoch) {
    return fail(error_code::producer_fenced,
                "epoch " + std::to_string(producer_epoch) + " is not the current one: " + describe_state(id, rec));
  }
  // As Kafka: a fenced producer learns it is fenced even while a write is in flight.
  if (e.pending) return fail(error_code::concurrent_transactions, "a state change of '" + id + "' is in progress");
  const char* wanted = commit ? "commit" : "abort";
  switch (rec.state) {
    case txn_state::ongoing: {
      txn_record next = rec;
      next.state = preparing;
      next.last_update_ms = now_ms;
      if (tv2) {
        auto bumped = bump(rec, true);
        if (!bumped) return fail(error_code::coordinator_not_available, bumped.err().message);
        take_bumped_epoch(next, rec, *bumped);
        next.client_version = 2;
      }
      return persist(id, std::move(next), [this, id, done](status s) {
        end_result r;
        if (!s) {
          r.error = error_code::coordinator_not_available;
          r.message = "cannot write the transaction state: " + s.err().message;
          return done(std::move(r));
        }
        const txn_record& now_rec = txns_.at(id).rec;
        r.producer_id = now_rec.producer_id;
        r.producer_epoch = now_rec.producer_epoch;
        done(std::move(r));
        complete(id);
      });
    }
    case txn_state::complete_commit:
    case txn_state::complete_abort:
    case txn_state::empty:
      if (tv2 && !commit) {
        // KIP-890: a TV2 producer may abort a transaction that holds no
        // partition; nothing to mark, but the epoch still moves on.
        auto bumped = bump(rec, true);
        if (!bumped) return fail(error_code::coordinator_not_available, bumped.err().message);
        txn_record next = rec;
        take_bumped_epoch(next, rec, *bumped);
        next.state = txn_state::complete_abort;
        next.partitions.clear();
        next.start_ms = -1;
        next.last_update_ms = now_ms;
        next.client_version = 2;
        return persist(id, std::move(next), [this, id, done](status s) {
          end_result r;
          if (!s) {
            r.error = error_code::coordinator_not_available;
            r.message = "cannot write the transaction state: " + s.err().message;
          } else {
            r.producer_id = txns_.at(id).rec.producer_id;
            r.producer_epoch = txns_.at(id).rec.producer_epoch;
          }
          done(std::move(r));
        });
      }
      if (!tv2 && rec.state == finished) {
        // A retry of the EndTxn that finished this transaction.
        end_result r;
        r.producer_id = rec.producer_id;
        r.producer_epoch = rec.producer_epoch;
        return done(std::move(r));
      }
      return fail(error_code::invalid_txn_state,
                  std::string("cannot ") + wanted + ": " + describe_state(id, rec) + ", no transaction is open");
    case txn_state::prepare_commit:
    case txn_state::prepare_abort:
      if (rec.state == preparing) {
        return fail(error_code::concurrent_transactions, describe_state(id, rec) + ": the same end is completing");
      }
      return fail(error_code::invalid_txn_state, std::string("cannot ") + wanted + ": " + describe_state(id, rec));
    case txn_state::prepare_epoch_fence:
      return fail(error_code::concurrent_transactions, describe_state(id, rec));
    case txn_state::dead:
      return fail(error_code::invalid_producer_id_mapping, describe_state(id, rec));
  }
}

void coordinator::complete(const std::string& id) {
  auto it = txns_.find(id);
  if (it == txns_.end() || !is_prepare(it->second.rec.state) || it->second.completing) return;
  entry& e = it->second;
  if (crash_hook_) crash_hook_(completion_step::prepare_written);
  e.completing = true;
  e.retry_at = no_deadline;
  reschedule(it);
  const txn_record& rec = e.rec;
  bool commit = rec.state == txn_state::prepare_commit;
  markers_.write_markers(rec.producer_id, rec.producer_epoch, commit, rec.partitions, [this, id, commit](status s) {
    auto it = txns_.find(id);
    if (it == txns_.end()) return;
    if (!s) {
      it->second.completing = false;
      it->second.retry_at = last_now_ + config_.retry_backoff_ms;
      reschedule(it);
      return;
    }
    if (crash_hook_) crash_hook_(completion_step::markers_written);
    txn_record next = it->second.rec;
    next.state = commit ? txn_state::complete_commit : txn_state::complete_abort;
    next.partitions.clear();
    next.start_ms = -1;
    next.last_update_ms = last_now_;
    persist(id, std::move(next), [this, id](status written) {
      auto again = txns_.find(id);
      if (again == txns_.end()) return;
      again->second.completing = false;
      if (!written) again->second.retry_at = last_now_ + config_.retry_backoff_ms;
      reschedule(again);
    });
  });
}

status coordinator::load_record(std::span<const uint8_t> key, const std::optional<std::span<const uint8_t>>& value) {
  auto id = decode_txn_key(key);
  if (!id) return id.err();
  if (!value) {
    auto it = txns_.find(*id);
    if (it != txns_.end()) forget(it);
    return {};
  }
  auto rec = decode_txn_value(*value);
  if (!rec) return rec.err();
  set_record(txns_.try_emplace(*id).first, std::move(*rec));
  return {};
}

void coordinator::finish_loading(int64_t now_ms) {
  last_now_ = now_ms;
  std::vector<std::string> unfinished;
  for (const auto& [id, e] : txns_) {
    if (is_prepare(e.rec.state)) unfinished.push_back(id);
  }
  for (const auto& id : unfinished) complete(id);
}

void coordinator::tick(int64_t now_ms) {
  last_now_ = now_ms;
  std::vector<std::string> retry, timed_out, expired;
  for (auto due = schedule_.begin(); due != schedule_.end() && due->first <= now_ms; ++due) {
    const std::string& id = *due->second;
    const txn_state state = txns_.at(id).rec.state;
    if (is_prepare(state)) {
      retry.push_back(id);
    } else if (state == txn_state::ongoing) {
      timed_out.push_back(id);
    } else {
      expired.push_back(id);
    }
  }
  // In the order of the ids, whatever their deadlines.
  for (auto* ids : {&retry, &timed_out, &expired}) std::sort(ids->begin(), ids->end());
  for (const auto& id : retry) complete(id);
  for (const auto& id : timed_out) {
    // As Kafka: the producer is fenced (epoch + 1) and its transaction aborted.
    const txn_record& rec = txns_.at(id).rec;
    auto bumped = bump(rec, false);
    txn_record next = rec;
    take_bumped_epoch(next, rec, *bumped);
    next.state = txn_state::prepare_abort;
    next.last_update_ms = now_ms;
    persist(id, std::move(next), [this, id](status s) {
      if (s) complete(id);
    });
  }
  for (const auto& id : expired) {
    auto placed = txns_.find(id);
    placed->second.pending = true;
    reschedule(placed);
    log_.append(id, encode_txn_key(id), std::nullopt, [this, id](status s) {
      auto it = txns_.find(id);
      if (it == txns_.end()) return;
      it->second.pending = false;
      if (!s) return reschedule(it);  // tried again at the next tick
      forget(it);
    });
  }
}

int64_t coordinator::next_deadline() const { return schedule_.empty() ? no_deadline : schedule_.begin()->first; }

transaction_view coordinator::view_of(const std::string& id, const entry& e) const {
  transaction_view v;
  v.transactional_id = id;
  v.state = e.rec.state;
  v.producer_id = e.rec.producer_id;
  v.producer_epoch = e.rec.producer_epoch;
  v.timeout_ms = e.rec.timeout_ms;
  v.start_ms = e.rec.state == txn_state::ongoing || is_prepare(e.rec.state) ? e.rec.start_ms : -1;
  v.last_update_ms = e.rec.last_update_ms;
  for (const auto& tp : e.rec.partitions) v.partitions.emplace_back(tp.topic, tp.partition);
  return v;
}

std::vector<transaction_view> coordinator::list() const {
  std::vector<transaction_view> out;
  for (const auto& [id, e] : txns_) {
    if (e.rec.producer_id >= 0) out.push_back(view_of(id, e));
  }
  return out;
}

std::optional<transaction_view> coordinator::describe(const std::string& id) const {
  auto it = txns_.find(id);
  if (it == txns_.end() || it->second.rec.producer_id < 0) return std::nullopt;
  return view_of(id, it->second);
}

}  // namespace samsa::txn
