// partition_log's transaction bookkeeping: the producer table fed from every
// appended batch header, the last stable offset, the aborted-transaction
// index files (.txnindex) and the producer snapshots (.snapshot), and how
// open rebuilds all of it after a clean or an unclean stop.
//
// Why from the append path and not from the broker: markers (written by the
// transaction coordinator), transactional offset commits on
// __consumer_offsets and produce all end in write_batches(), so no writer
// can forget to tell the log, and replaying the log on open runs the very
// same code (track_batch_locked) as the live appends did.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "storage/batch_ops.h"
#include "storage/errc.h"
#include "storage/partition_log.h"
#include "storage/producer_snapshot.h"

namespace samsa::storage {
namespace {

constexpr const char* txn_index_suffix = ".txnindex";
// Replay reads the log in chunks this large (headers only, but markers whole).
constexpr int64_t replay_chunk_bytes = 256 << 10;

txn::producer_batch producer_of(const batch_info& b) {
  return txn::producer_batch{b.producer_id, b.producer_epoch, b.base_sequence, b.last_offset_delta + 1,
                             is_transactional_batch(b)};
}

// Calls fn(header, whole batch bytes for control batches, else empty) for
// each batch of `f` from `pos` to `end_pos`.
template <typename Fn>
status scan_batches(const file& f, int64_t pos, int64_t end_pos, Fn&& fn) {
  std::vector<uint8_t> buf;
  int64_t buf_at = 0;  // file position of buf[0]
  auto covered = [&](int64_t from, int64_t n) {
    return from >= buf_at && from + n <= buf_at + static_cast<int64_t>(buf.size());
  };
  auto fill = [&](int64_t from, int64_t n) -> status {
    buf.resize(static_cast<size_t>(std::min(std::max(n, replay_chunk_bytes), end_pos - from)));
    auto got = f.read_at(from, buf);
    if (!got) return got.err();
    buf.resize(*got);
    buf_at = from;
    return {};
  };
  while (pos + batch_header_size <= end_pos) {
    if (!covered(pos, batch_header_size)) {
      if (auto s = fill(pos, batch_header_size); !s) return s;
      if (!covered(pos, batch_header_size)) break;  // short read: the file ends here
    }
    auto b = peek_batch(std::span<const uint8_t>(buf).subspan(static_cast<size_t>(pos - buf_at)));
    if (!b) return make_storage_error(errc::corrupt, f.path() + ": " + b.err().message);
    std::span<const uint8_t> whole;
    if (is_control_batch(*b)) {
      if (!covered(pos, b->size)) {
        if (auto s = fill(pos, b->size); !s) return s;
        if (!covered(pos, b->size)) break;
      }
      whole = std::span<const uint8_t>(buf).subspan(static_cast<size_t>(pos - buf_at), static_cast<size_t>(b->size));
    }
    if (auto s = fn(*b, whole); !s) return s;
    pos += b->size;
  }
  return {};
}

}  // namespace

status partition_log::decode_markers(std::span<const uint8_t> batches, const std::vector<batch_info>& infos,
                                     std::vector<std::optional<bool>>& markers) const {
  size_t pos = 0;
  for (size_t i = 0; i < infos.size(); ++i) {
    const auto& b = infos[i];
    if (is_control_batch(b)) {
      auto m = transaction_marker_of(batches.subspan(pos, static_cast<size_t>(b.size)));
      if (!m) return make_storage_error(errc::invalid_argument, "append to " + opts_.dir + ": " + m.err().message);
      markers[i] = *m;
    }
    pos += static_cast<size_t>(b.size);
  }
  return {};
}

status partition_log::track_batch_locked(const batch_info& b, std::optional<bool> marker, int64_t append_time_ms,
                                         int64_t now_ms) {
  if (b.producer_id < 0) return {};
  if (is_control_batch(b)) {
    if (!marker) return {};  // not a transaction marker
    auto ended = producers_.on_marker(b.producer_id, b.producer_epoch, *marker, b.base_offset, now_ms);
    if (ended && !ended->commit) return record_abort_locked({ended->producer_id, ended->first_offset, ended->last_offset});
    return {};
  }
  const txn::producer_batch p = producer_of(b);
  producers_.on_appended(p, txn::appended_batch{p.base_sequence, p.last_sequence(), b.base_offset, append_time_ms},
                         now_ms);
  return {};
}

status partition_log::record_abort_locked(const aborted_txn& entry) {
  const int64_t base = segment_for(entry.last_offset)->base_offset();
  auto it = txn_indexes_.find(base);
  if (it == txn_indexes_.end()) {
    auto idx = txn_index::open(*opts_.fs, join_path(opts_.dir, segment_file_name(base, txn_index_suffix)));
    if (!idx) return idx.err();
    it = txn_indexes_.emplace(base, std::move(*idx)).first;
    dir_dirty_ = true;  // a new name to make durable
  }
  return it->second->append(entry);
}

int64_t partition_log::last_stable_offset_locked() const {
  const int64_t hw = end_offset_.load(std::memory_order_acquire);
  auto first = producers_.first_unstable_offset();
  if (!first) return hw;
  // Retention or DeleteRecords may have removed the transaction's start.
  return std::clamp(*first, log_start_, hw);
}

int64_t partition_log::last_stable_offset() const {
  std::lock_guard lock(mu_);
  return last_stable_offset_locked();
}

stable_offsets partition_log::offsets() const {
  std::lock_guard lock(mu_);
  return {end_offset_.load(std::memory_order_acquire), last_stable_offset_locked(), log_start_};
}

std::vector<aborted_txn> partition_log::aborted_transactions(int64_t from_offset, int64_t to_offset) const {
  std::lock_guard lock(mu_);
  std::vector<aborted_txn> out;
  if (to_offset <= from_offset || txn_indexes_.empty()) return out;
  // An entry sits with its marker, at or after the transaction's data: the
  // segments before the one holding from_offset only list transactions that
  // ended before it.
  const int64_t start = segment_for(from_offset)->base_offset();
  for (auto it = txn_indexes_.lower_bound(start); it != txn_indexes_.end(); ++it) {
    auto part = aborted_in_range(it->second->entries(), from_offset, to_offset);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::vector<std::pair<int64_t, int64_t>> partition_log::ongoing_transactions() const {
  std::lock_guard lock(mu_);
  return producers_.ongoing();
}

txn::check_result partition_log::check_producer(const txn::producer_batch& batch) const {
  std::lock_guard lock(mu_);
  return producers_.check(batch);
}

std::vector<txn::producer_summary> partition_log::producer_summaries() const {
  std::lock_guard lock(mu_);
  return producers_.summaries();
}

std::vector<int64_t> partition_log::snapshot_offsets_on_disk() const {
  std::lock_guard lock(mu_);
  return {snapshots_.begin(), snapshots_.end()};
}

status partition_log::snapshot_locked(int64_t offset, bool durable) {
  producer_snapshot snap{offset, producers_.records()};
  if (auto s = write_producer_snapshot(*opts_.fs, opts_.dir, snap); !s) return s;
  // Older snapshots not at a segment base were taken at a close: the new one
  // supersedes them (else a partition that never rolls would keep one per
  // restart). Those at segment bases stay until retention takes the segment.
  for (auto it = snapshots_.begin(); it != snapshots_.end() && *it < offset;) {
    if (segments_.contains(*it)) {
      ++it;
      continue;
    }
    const std::string old = snapshot_path(opts_.dir, *it);
    std::erase(unsynced_snapshots_, old);
    if (auto s = opts_.fs->remove_file(old); !s) return s;
    it = snapshots_.erase(it);
  }
  snapshots_.insert(offset);
  if (durable) {
    unsynced_snapshots_.push_back(snapshot_path(opts_.dir, offset));
    dir_dirty_ = true;
  }
  return {};
}

void partition_log::forget_segments_locked(const std::vector<std::shared_ptr<segment>>& doomed,
                                           std::vector<std::string>& files_to_remove) {
  for (const auto& seg : doomed) {
    auto it = txn_indexes_.find(seg->base_offset());
    if (it == txn_indexes_.end()) continue;
    files_to_remove.push_back(it->second->path());
    txn_indexes_.erase(it);
  }
  // Snapshots below the first segment describe data that is gone; the one
  // at its base (written when it was rolled in) stays.
  const int64_t first = segments_.begin()->first;
  for (auto it = snapshots_.begin(); it != snapshots_.end() && *it < first;) {
    files_to_remove.push_back(snapshot_path(opts_.dir, *it));
    std::erase(unsynced_snapshots_, snapshot_path(opts_.dir, *it));
    it = snapshots_.erase(it);
  }
}

status partition_log::load_transactions(const std::vector<std::string>& names) {
  file_system& fs = *opts_.fs;
  const int64_t end = end_offset_.load();

  // Aborted-transaction indexes of the segments that survived recovery.
  for (const auto& n : names) {
    auto base = parse_segment_file_name(n, txn_index_suffix);
    if (!base) continue;
    const std::string path = join_path(opts_.dir, n);
    if (!segments_.contains(*base)) {
      // Its segment was removed by recovery (or never made it): orphaned.
      if (auto s = fs.remove_file(path); !s) return s;
      continue;
    }
    auto idx = txn_index::open(fs, path);
    if (!idx) return idx.err();
    txn_indexes_.emplace(*base, std::move(*idx));
  }

  // The newest snapshot we may trust: at or below the recovery point (data
  // below it was durable, and so was the snapshot: both are synced by the
  // same sync_now), never past the recovered log end. Unknown recovery point
  // (-1): the log end; the CRC rejects a torn file.
  int64_t limit = end;
  if (opts_.recovery_point >= 0 && opts_.recovery_point != INT64_MAX) limit = std::min(limit, opts_.recovery_point);
  std::optional<producer_snapshot> loaded;
  auto offsets = snapshot_offsets(names);
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
    const std::string path = snapshot_path(opts_.dir, *it);
    if (*it > end) {
      // Written before a crash took the log back below it.
      if (auto s = fs.remove_file(path); !s) return s;
      continue;
    }
    if (loaded || *it > limit) {
      snapshots_.insert(*it);
      continue;
    }
    auto bytes = read_whole_file(fs, path);
    auto snap = bytes ? decode_producer_snapshot(*bytes) : result<producer_snapshot>(bytes.err());
    if (!snap || snap->offset != *it) {
      spdlog::warn("partition {}-{}: ignoring producer snapshot {}: {}", opts_.topic, opts_.partition, path,
                   snap ? "offset does not match its name" : snap.err().describe());
      if (auto s = fs.remove_file(path); !s) return s;
      continue;
    }
    loaded = std::move(*snap);
    snapshots_.insert(*it);
  }

  int64_t replay_start = segments_.begin()->first;
  if (loaded) {
    for (const auto& p : loaded->producers) producers_.restore(p);
    producers_.finish_restore();
    replay_start = std::max(replay_start, loaded->offset);
  }
  // Entries past the replay start are rebuilt from the markers themselves
  // (they may be missing, or describe a tail that recovery cut off).
  for (auto& [base, idx] : txn_indexes_)
    if (auto s = idx->truncate_from(replay_start); !s) return s;
  if (auto s = replay_from(replay_start); !s) return s;
  producers_.expire(opts_.now_ms, opts_.producer_id_expiration_ms);
  last_producer_expiry_ms_ = opts_.now_ms;
  // Rewritten indexes are synced now. After an unclean start they may list
  // markers in a tail not yet on disk; should a power loss take that tail,
  // the next start rebuilds entries past its replay start from the log.
  for (auto& [base, idx] : txn_indexes_)
    if (auto s = idx->sync(); !s) return s;
  return {};
}

status partition_log::replay_from(int64_t offset) {
  int64_t batches = 0;
  for (auto& [base, seg] : segments_) {
    if (seg->next_offset() <= offset || seg->empty()) continue;
    int64_t pos = 0;
    if (offset > base) {
      auto loc = seg->locate(offset);
      if (!loc) return loc.err();
      if (!loc->has_value()) continue;
      pos = (*loc)->first;
    }
    auto reader = seg->reader();
    if (!reader) return reader.err();
    auto st = scan_batches(**reader, pos, seg->size(), [&](const batch_info& b, std::span<const uint8_t> whole) {
      if (b.last_offset() < offset) return status{};
      std::optional<bool> marker;
      if (is_control_batch(b) && b.producer_id >= 0) {
        auto m = transaction_marker_of(whole);
        if (!m) return status(m.err());
        marker = *m;
      }
      ++batches;
      const bool append_time = uses_log_append_time(b);
      // When it was appended is not in the log (a CreateTime batch carries
      // the client's clock, possibly far in the past): a replayed producer
      // counts as seen at open, so expiry can only be late, never early.
      // Producers from the snapshot keep their real last-write time.
      return track_batch_locked(b, marker, append_time ? b.max_timestamp : -1, opts_.now_ms);
    });
    if (!st) return st;
  }
  replayed_at_open_ += batches;
  if (batches > 0) {
    spdlog::info("partition {}-{}: replayed {} batch header(s) from offset {}: {} producer(s), {} open transaction(s)",
                 opts_.topic, opts_.partition, batches, offset, producers_.producer_count(), producers_.ongoing().size());
  }
  return {};
}

}  // namespace samsa::storage
