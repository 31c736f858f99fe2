#include "share/share_partition.h"

#include <algorithm>

namespace samsa::share {

share_partition share_partition::restore(const partition_snapshot& snapshot) {
  share_partition p(snapshot.start_offset);
  p.next_offset_ = std::max(snapshot.next_offset, snapshot.start_offset);
  for (const auto& r : snapshot.ranges) {
    for (int64_t o = std::max(r.first_offset, p.start_offset_); o <= r.last_offset && o < p.next_offset_; ++o) {
      in_flight f;
      // A lock does not survive a restart: what was acquired is available again.
      f.state = r.state == record_state::acquired ? record_state::available : r.state;
      f.delivery_count = r.delivery_count;
      p.records_[o] = f;
    }
  }
  // Offsets in the window the snapshot did not list were never delivered
  // completely; they are available with no delivery yet.
  for (int64_t o = p.start_offset_; o < p.next_offset_; ++o) p.records_.try_emplace(o);
  p.advance_past_done();
  return p;
}

std::optional<int64_t> share_partition::first_acquirable(int64_t log_end, const partition_settings& settings) const {
  for (const auto& [offset, r] : records_) {
    if (offset >= log_end) break;
    if (r.state == record_state::available) return offset;
  }
  if (next_offset_ < log_end && next_offset_ - start_offset_ < settings.max_record_locks) return next_offset_;
  return std::nullopt;
}

std::vector<acquired_range> share_partition::acquire(const std::string& member, int64_t limit, int32_t max_records,
                                                     const partition_settings& settings, int64_t now_ms) {
  std::vector<acquired_range> out;
  int32_t taken = 0;
  auto take = [&](int64_t offset, in_flight& r) {
    r.state = record_state::acquired;
    r.owner = member;
    r.lock_deadline_ms = now_ms + settings.lock_duration_ms;
    if (r.delivery_count < INT16_MAX) ++r.delivery_count;
    if (!out.empty() && out.back().last_offset + 1 == offset && out.back().delivery_count == r.delivery_count) {
      out.back().last_offset = offset;
    } else {
      out.push_back({offset, offset, r.delivery_count});
    }
    ++taken;
  };
  for (auto& [offset, r] : records_) {
    if (taken >= max_records || offset >= limit) break;
    if (r.state == record_state::available) take(offset, r);
  }
  while (taken < max_records && next_offset_ < limit && next_offset_ - start_offset_ < settings.max_record_locks) {
    int64_t offset = next_offset_++;
    take(offset, records_[offset]);
  }
  return out;
}

error_code validate_ack_batch(const ack_batch& batch, bool renew_allowed) {
  if (batch.first_offset < 0 || batch.last_offset < batch.first_offset) return error_code::invalid_request;
  // last - first cannot overflow once both are checked above; + 1 could (0 to INT64_MAX).
  const uint64_t span = static_cast<uint64_t>(batch.last_offset - batch.first_offset) + 1;
  if (batch.types.empty() || (batch.types.size() != 1 && batch.types.size() != span)) {
    return error_code::invalid_request;
  }
  for (int8_t t : batch.types) {
    if (t < 0 || t > static_cast<int8_t>(ack_type::renew)) return error_code::invalid_request;
    if (t == static_cast<int8_t>(ack_type::renew) && !renew_allowed) return error_code::invalid_request;
  }
  return error_code::none;
}

error_code share_partition::acknowledge(const std::string& member, const ack_batch& batch,
                                        const partition_settings& settings, int64_t now_ms) {
  if (batch.last_offset < batch.first_offset) return error_code::invalid_request;
  // Check first, so a batch applies whole or not at all.
  for (int64_t o = batch.first_offset; o <= batch.last_offset; ++o) {
    auto it = records_.find(o);
    if (it == records_.end() || it->second.state != record_state::acquired || it->second.owner != member) {
      return error_code::invalid_record_state;
    }
  }
  for (int64_t o = batch.first_offset; o <= batch.last_offset; ++o) {
    in_flight& r = records_[o];
    const size_t i = batch.types.size() == 1 ? 0 : static_cast<size_t>(o - batch.first_offset);
    switch (static_cast<ack_type>(batch.types[i])) {
      case ack_type::accept:
        r.state = record_state::acknowledged;
        r.owner.clear();
        break;
      case ack_type::release:
        end_lock(r, settings);
        break;
      case ack_type::gap:
      case ack_type::reject:
        r.state = record_state::archived;
        r.owner.clear();
        break;
      case ack_type::renew:
        r.lock_deadline_ms = now_ms + settings.lock_duration_ms;
        break;
    }
  }
  advance_past_done();
  return error_code::none;
}

void share_partition::end_lock(in_flight& r, const partition_settings& settings) {
  r.owner.clear();
  r.lock_deadline_ms = 0;
  r.state = r.delivery_count >= settings.delivery_count_limit ? record_state::archived : record_state::available;
}

bool share_partition::expire_locks(int64_t now_ms, const partition_settings& settings) {
  bool changed = false;
  for (auto& [offset, r] : records_) {
    if (r.state == record_state::acquired && r.lock_deadline_ms <= now_ms) {
      end_lock(r, settings);
      changed = true;
    }
  }
  if (changed) advance_past_done();
  return changed;
}

bool share_partition::release_member(const std::string& member, const partition_settings& /*settings*/) {
  bool changed = false;
  for (auto& [offset, r] : records_) {
    if (r.state == record_state::acquired && r.owner == member) {
      // As Kafka's leader does when a member's records are released (its
      // share session closed, or it left): the acquisition did not reach the
      // application, so it is not counted, and the delivery limit does not
      // archive the record.
      r.owner.clear();
      r.lock_deadline_ms = 0;
      r.state = record_state::available;
      if (r.delivery_count > 0) --r.delivery_count;
      changed = true;
    }
  }
  if (changed) advance_past_done();
  return changed;
}

bool share_partition::archive_acquired(const std::string& member,
                                       const std::vector<std::pair<int64_t, int64_t>>& spans) {
  bool changed = false;
  for (const auto& [first, last] : spans) {
    for (auto it = records_.lower_bound(first); it != records_.end() && it->first <= last; ++it) {
      if (it->second.state == record_state::acquired && it->second.owner == member) {
        it->second.state = record_state::archived;
        it->second.owner.clear();
        changed = true;
      }
    }
  }
  if (changed) advance_past_done();
  return changed;
}

std::optional<int64_t> share_partition::next_lock_deadline() const {
  std::optional<int64_t> best;
  for (const auto& [offset, r] : records_) {
    if (r.state == record_state::acquired && (!best || r.lock_deadline_ms < *best)) best = r.lock_deadline_ms;
  }
  return best;
}

void share_partition::advance_start(int64_t offset) {
  if (offset <= start_offset_) return;
  records_.erase(records_.begin(), records_.lower_bound(offset));
  start_offset_ = offset;
  next_offset_ = std::max(next_offset_, offset);
  advance_past_done();
}

void share_partition::reset(int64_t offset) {
  records_.clear();
  start_offset_ = offset;
  next_offset_ = offset;
}

void share_partition::advance_past_done() {
  while (!records_.empty() && records_.begin()->first == start_offset_ &&
         (records_.begin()->second.state == record_state::acknowledged ||
          records_.begin()->second.state == record_state::archived)) {
    records_.erase(records_.begin());
    ++start_offset_;
  }
  if (records_.empty()) start_offset_ = next_offset_;
}

int64_t share_partition::count(record_state state) const {
  return std::count_if(records_.begin(), records_.end(), [&](const auto& e) { return e.second.state == state; });
}

partition_snapshot share_partition::snapshot() const {
  partition_snapshot s;
  s.start_offset = start_offset_;
  s.next_offset = next_offset_;
  for (const auto& [offset, r] : records_) {
    record_state st = r.state == record_state::acquired ? record_state::available : r.state;
    if (!s.ranges.empty() && s.ranges.back().last_offset + 1 == offset && s.ranges.back().state == st &&
        s.ranges.back().delivery_count == r.delivery_count) {
      s.ranges.back().last_offset = offset;
    } else {
      s.ranges.push_back({offset, offset, st, r.delivery_count});
    }
  }
  return s;
}

}  // namespace samsa::share
