// Compaction (cleanup.policy=compact): keeps the newest record per key in the
// sealed segments, drops tombstones older than delete.retention.ms, and swaps
// each rewritten segment in without blocking appends or reads.
//
// Memory: the map of keys to their newest offset is bounded by
// log.cleaner.dedupe.buffer.size. When the dirty records hold more distinct
// keys than fit, a pass maps the keys of the records from where the last
// pass stopped for as long as the buffer lasts, rewrites the segments up to
// there (a record goes when the map holds a newer offset for its key), and
// the next pass goes on from there.
//
// Transactions: only segments wholly below the last stable offset are
// cleaned, so no open transaction is touched. Records of aborted
// transactions never enter the key map (an aborted value must not supersede
// a committed one) and are removed. A COMMIT/ABORT marker stays while any
// record of its transaction remains, and goes once none does and it is
// older than delete.retention.ms (as a tombstone would); an ABORT marker's
// .txnindex entry goes with it, so no reader is told of a transaction it
// can no longer see the end of.
//
// Crash safety: a cleaned segment is built and synced in <dir>/.cleaner/, its
// .log is renamed to <dir>/<base>.log.swap (the commit point), then under the
// partition lock the indexes and finally the .log are renamed into place. On
// open, .cleaner/ is discarded and a leftover .swap is completed.
#include <spdlog/spdlog.h>

#include <unordered_map>

#include "storage/batch_ops.h"
#include "storage/errc.h"
#include "storage/partition_log.h"

namespace samsa::storage {
namespace {

// Calls fn(position, batch bytes) for every batch of a sealed segment.
template <typename Fn>
status for_each_batch(const segment& seg, Fn&& fn) {
  auto reader = seg.reader();
  if (!reader) return reader.err();
  const auto& f = *reader;
  int64_t size = seg.size();
  int64_t pos = 0;
  std::vector<uint8_t> buf;
  while (pos < size) {
    uint8_t hdr[batch_header_size];
    auto n = f->read_at(pos, hdr);
    if (!n) return n.err();
    if (*n < sizeof hdr) break;
    auto b = peek_batch(hdr);
    if (!b) return make_storage_error(errc::corrupt, f->path() + ": " + b.err().message);
    buf.resize(static_cast<size_t>(b->size));
    auto m = f->read_at(pos, buf);
    if (!m) return m.err();
    if (*m != buf.size()) break;
    if (auto s = fn(*b, std::span<const uint8_t>(buf)); !s) return s;
    pos += b->size;
  }
  return {};
}

}  // namespace

result<int64_t> partition_log::compact(int64_t now_ms, int64_t dedupe_buffer_bytes) {
  log_config cfg;
  std::vector<std::shared_ptr<segment>> sealed;
  int64_t from = 0;
  int64_t stable = 0;
  {
    std::lock_guard lock(mu_);
    if (destroyed_ || failed_) return int64_t{0};
    cfg = opts_.config;
    for (auto& [b, s] : segments_)
      if (s != active()) sealed.push_back(s);
    from = cleaned_up_to_;
    stable = last_stable_offset_locked();
  }
  if (!cfg.cleanup_compact || sealed.empty()) return int64_t{0};

  // Only segments old enough (min.compaction.lag.ms) may be cleaned, and the
  // range must be contiguous from the start.
  std::vector<std::shared_ptr<segment>> cleanable;
  for (auto& s : sealed) {
    if (s->max_timestamp() > now_ms - cfg.min_compaction_lag_ms) break;
    if (s->next_offset() > stable) break;  // holds (or follows) an open transaction
    cleanable.push_back(s);
  }
  if (cleanable.empty()) return int64_t{0};
  int64_t total = 0, dirty = 0;
  bool overdue = false;
  for (auto& s : cleanable) {
    total += s->size();
    if (s->next_offset() > cleaned_up_to_) {
      dirty += s->size();
      if (cfg.max_compaction_lag_ms != no_limit && s->max_timestamp() < now_ms - cfg.max_compaction_lag_ms)
        overdue = true;
    }
  }
  if (dirty == 0) return int64_t{0};
  if (!overdue && static_cast<double>(dirty) < cfg.min_cleanable_dirty_ratio * static_cast<double>(total))
    return int64_t{0};
  const int64_t clean_end = cleanable.back()->next_offset();
  from = std::max(from, cleanable.front()->base_offset());

  compaction_stats stats;
  int64_t removed_bytes = 0;
  // Each pass maps the keys of as many records from `from` on as the buffer
  // holds, then rewrites every cleanable segment up to where the map ends.
  while (from < clean_end) {
    auto map = build_key_map(cleanable, from, clean_end, dedupe_buffer_bytes);
    if (!map) return map.err();
    ++stats.passes;
    stats.peak_map_bytes = std::max(stats.peak_map_bytes, map->bytes);
    auto removed = rewrite_with(*map, now_ms - cfg.delete_retention_ms, now_ms);
    if (!removed) return removed.err();
    removed_bytes += *removed;
    {
      std::lock_guard lock(mu_);
      cleaned_up_to_ = std::max(cleaned_up_to_, map->end);
      last_compaction_ = stats;
      if (destroyed_) return removed_bytes;
      // The rewritten segments replaced the ones listed above.
      cleanable.clear();
      for (auto& [b, s] : segments_)
        if (s != active() && s->next_offset() <= clean_end) cleanable.push_back(s);
    }
    from = map->end;
    if (cleanable.empty()) break;
  }
  if (removed_bytes > 0)
    spdlog::info("partition {}-{}: compaction removed {} bytes in {} pass(es)", opts_.topic, opts_.partition,
                 removed_bytes, stats.passes);
  return removed_bytes;
}

result<partition_log::key_map> partition_log::build_key_map(const std::vector<std::shared_ptr<segment>>& segs,
                                                            int64_t from, int64_t end, int64_t budget) const {
  key_map map;
  map.end = from;
  {
    std::lock_guard lock(mu_);
    for (auto& [base, idx] : txn_indexes_)
      for (const auto& e : idx->entries()) map.aborted.add(e);
  }
  bool full = false;
  for (auto& s : segs) {
    if (full) break;
    if (s->next_offset() <= from) continue;
    auto st = for_each_batch(*s, [&](const batch_info& b, std::span<const uint8_t> bytes) -> status {
      if (full || b.last_offset() < from) return {};
      if (b.base_offset >= end) {
        full = true;  // past the cleanable range
        return {};
      }
      if (!is_control_batch(b) && !map.aborted.contains(b)) {
        auto recs = decode_records(bytes);
        if (!recs) return recs.err();
        for (auto& r : *recs) {
          if (r.offset < from) continue;
          if (r.key) {
            auto it = map.latest.find(*r.key);
            if (it == map.latest.end()) {
              int64_t cost = static_cast<int64_t>(r.key->size()) + key_map::entry_overhead;
              // Always take one key, however long, so every pass makes progress.
              if (!map.latest.empty() && map.bytes + cost > budget) {
                full = true;
                return {};
              }
              map.bytes += cost;
              map.latest.emplace(*r.key, r.offset);
            } else {
              it->second = r.offset;
            }
          }
          map.end = r.offset + 1;
        }
      }
      map.end = std::max(map.end, b.last_offset() + 1);  // offsets compaction removed earlier
      return {};
    });
    if (!st) return st.err();
  }
  map.end = std::min(map.end, end);
  return map;
}

result<int64_t> partition_log::rewrite_with(const key_map& map, int64_t tombstone_horizon, int64_t now_ms) {
  std::vector<std::shared_ptr<segment>> targets;
  {
    std::lock_guard lock(mu_);
    if (destroyed_) return int64_t{0};
    for (auto& [b, s] : segments_)
      if (s != active() && s->base_offset() < map.end) targets.push_back(s);
  }
  file_system& fs = *opts_.fs;
  if (auto s = fs.remove_all(cleaner_dir()); !s) return s.err();
  if (auto s = fs.create_dirs(cleaner_dir()); !s) return s.err();
  int64_t removed_bytes = 0;
  // Per producer: whether a record of its current transaction was kept so
  // far (segments are rewritten in order, from the first one).
  std::unordered_map<int64_t, bool> txn_has_data;
  for (auto& seg : targets) {
    std::vector<uint8_t> out;
    std::vector<batch_info> infos;
    bool changed = false;
    std::vector<uint8_t> last_bytes;
    batch_info last_info;
    bool last_kept = false;
    std::vector<aborted_txn> dropped_here;
    auto st = for_each_batch(*seg, [&](const batch_info& b, std::span<const uint8_t> bytes) -> status {
      last_bytes.assign(bytes.begin(), bytes.end());
      last_info = b;
      last_kept = true;
      auto keep_whole = [&] {
        out.insert(out.end(), bytes.begin(), bytes.end());
        infos.push_back(b);
        if (is_transactional_batch(b) && !is_control_batch(b)) txn_has_data[b.producer_id] = true;
      };
      if (is_control_batch(b)) {
        auto marker = b.producer_id >= 0 ? transaction_marker_of(bytes) : result<std::optional<bool>>(std::nullopt);
        if (!marker) return marker.err();
        if (!marker->has_value()) {
          keep_whole();
          return {};
        }
        // The marker ends the producer's transaction. When none of its
        // records is left, the marker goes once older than delete.retention.ms.
        const bool had_data = txn_has_data[b.producer_id];
        txn_has_data[b.producer_id] = false;
        if (had_data || b.base_offset >= map.end || b.max_timestamp >= tombstone_horizon) {
          keep_whole();
          return {};
        }
        changed = true;
        last_kept = false;
        if (!**marker) {
          if (auto e = map.aborted.ending_at(b.producer_id, b.base_offset)) dropped_here.push_back(*e);
        }
        return {};
      }
      if (is_transactional_batch(b) && map.aborted.contains(b)) {
        // Aborted: no read_committed reader may see it, and it supersedes nothing.
        changed = true;
        last_kept = false;
        return {};
      }
      auto recs = decode_records(bytes);
      if (!recs) return recs.err();
      std::vector<bool> keep(recs->size());
      bool all = true;
      for (size_t i = 0; i < recs->size(); ++i) {
        auto& r = (*recs)[i];
        auto it = r.key ? map.latest.find(*r.key) : map.latest.end();
        bool superseded = it != map.latest.end() && it->second > r.offset;
        // A tombstone may go only where every older value of its key is
        // gone too: inside the mapped range, where this pass removes them.
        bool expired_tombstone = r.tombstone && r.offset < map.end && b.max_timestamp < tombstone_horizon;
        keep[i] = !superseded && !expired_tombstone;
        all = all && keep[i];
      }
      if (all) {
        keep_whole();
        return {};
      }
      changed = true;
      auto filtered = filter_batch(bytes, keep);
      if (!filtered) return filtered.err();
      if (filtered->has_value()) {
        auto info = peek_batch(**filtered);
        if (!info) return info.err();
        out.insert(out.end(), (*filtered)->begin(), (*filtered)->end());
        infos.push_back(*info);
        if (is_transactional_batch(*info)) txn_has_data[info->producer_id] = true;
      } else {
        last_kept = false;
      }
      return {};
    });
    if (!st) return st.err();
    if (!changed) continue;
    // The last batch stays (whole) even when superseded, so every segment
    // still ends right where the next one begins: recovery treats a gap
    // between segments as lost data.
    if (!last_kept && !last_bytes.empty()) {
      out.insert(out.end(), last_bytes.begin(), last_bytes.end());
      infos.push_back(last_info);
      // A marker kept for this reason keeps its index entry too; an aborted
      // batch kept for it still counts as its transaction's data.
      if (!dropped_here.empty() && dropped_here.back().last_offset == last_info.base_offset) dropped_here.pop_back();
      if (is_transactional_batch(last_info) && !is_control_batch(last_info))
        txn_has_data[last_info.producer_id] = true;
    }

    auto built = segment::create(fs, cleaner_dir(), seg->base_offset(), seg_options(), now_ms);
    if (!built) return built.err();
    if (auto s = (*built)->append(out, infos); !s) return s.err();
    if (auto s = (*built)->sync(); !s) return s.err();
    if (auto s = (*built)->sync_indexes(); !s) return s.err();
    removed_bytes += seg->size() - (*built)->size();
    if (auto s = install_cleaned(seg, *built, dropped_here); !s) return s.err();
  }
  (void)fs.remove_all(cleaner_dir());
  return removed_bytes;
}

compaction_stats partition_log::last_compaction() const {
  std::lock_guard lock(mu_);
  return last_compaction_;
}

status partition_log::install_cleaned(const std::shared_ptr<segment>& old_seg,
                                      const std::shared_ptr<segment>& cleaned,
                                      const std::vector<aborted_txn>& dropped_aborts) {
  file_system& fs = *opts_.fs;
  int64_t base = old_seg->base_offset();
  auto in_dir = [&](const std::string& d, const char* sfx) { return join_path(d, segment_file_name(base, sfx)); };
  // The commit point: once the .swap exists, recovery finishes the swap.
  if (auto s = fs.rename(in_dir(cleaner_dir(), ".log"), in_dir(opts_.dir, ".log.swap")); !s) return s;
  if (auto s = fs.sync_dir(opts_.dir); !s) return s;
  std::lock_guard lock(mu_);
  auto it = segments_.find(base);
  if (destroyed_ || it == segments_.end() || it->second != old_seg) {
    // Retention removed the segment meanwhile: drop our copy.
    (void)fs.remove_file(in_dir(opts_.dir, ".log.swap"));
    return {};
  }
  for (const char* sfx : {".index", ".timeindex"}) {
    if (auto s = fs.rename(in_dir(cleaner_dir(), sfx), in_dir(opts_.dir, sfx)); !s) return s;
  }
  if (auto s = fs.rename(in_dir(opts_.dir, ".log.swap"), in_dir(opts_.dir, ".log")); !s) return s;
  cleaned->relocated(opts_.dir);
  cleaned->retire();  // a sealed segment holds no descriptor of its own
  it->second = cleaned;
  if (!dropped_aborts.empty()) {
    // The markers are gone from the log: their entries go too. A crash
    // before this leaves entries whose markers are gone, which only lists a
    // transaction none of whose records remain (harmless to readers).
    if (auto idx = txn_indexes_.find(base); idx != txn_indexes_.end()) {
      if (auto s = idx->second->erase(dropped_aborts); !s) return s;
    }
  }
  std::erase(unsynced_sealed_, old_seg);
  dir_dirty_ = true;
  publish_shape_locked();
  return {};
}

}  // namespace samsa::storage
