#include "storage/partition_log.h"

#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "storage/checkpoint.h"
#include "storage/errc.h"
#include "storage/flusher.h"

namespace samsa::storage {
namespace {

constexpr const char* log_start_file = "log-start-offset";
constexpr const char* metadata_file = "partition.metadata";

std::string hex(const topic_id& id) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : id) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 15]);
  }
  return s;
}

// The topic id in a partition.metadata file; none when it is unreadable.
std::optional<topic_id> read_partition_metadata_id(file_system& fs, const std::string& path) {
  auto data = read_whole_file(fs, path);
  if (!data) return std::nullopt;
  std::string text(data->begin(), data->end());
  auto at = text.find("topic_id: ");
  if (at == std::string::npos || text.size() < at + 10 + 32) return std::nullopt;
  topic_id id{};
  for (size_t i = 0; i < 16; ++i) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(text.data() + at + 10 + 2 * i, text.data() + at + 12 + 2 * i, v, 16);
    if (ec != std::errc()) return std::nullopt;
    id[i] = static_cast<uint8_t>(v);
  }
  return id;
}

}  // namespace

partition_log::partition_log(options opts) : opts_(std::move(opts)) {
  producers_.use_budget(opts_.producer_budget);
  producers_.set_max_producers(opts_.max_producer_ids);
}

segment_options partition_log::seg_options() const {
  return {opts_.config.index_interval_bytes, opts_.config.segment_index_bytes};
}

result<std::shared_ptr<partition_log>> partition_log::open(options opts) {
  std::shared_ptr<partition_log> log(new partition_log(std::move(opts)));
  if (auto s = log->load(); !s) return s.err();
  return log;
}

// Written in place and not synced here: the file is new (nothing to tear an
// old version of), a damaged or missing one is rewritten on open, and the
// first sync of the partition makes it and its directory entry durable.
status partition_log::write_partition_metadata() {
  std::string text = "version: 0\ntopic_id: " + hex(opts_.id) + "\n";
  auto f = opts_.fs->open(join_path(opts_.dir, metadata_file), open_mode::create_truncate);
  if (!f) return f.err();
  if (auto s = (*f)->append(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())); !s) return s;
  metadata_dirty_ = true;  // synced by name later: holding its descriptor would cost one per partition
  dir_dirty_ = true;
  return {};
}

status partition_log::write_log_start_checkpoint(int64_t offset) {
  return write_checkpoint(*opts_.fs, join_path(opts_.dir, log_start_file), {{"", offset}});
}

status partition_log::load() {
  file_system& fs = *opts_.fs;
  const std::string& dir = opts_.dir;
  // One listing answers every "is this file there" below: a start opens
  // every partition, and each probe is a system call (a clean start with
  // 1,000 partitions made 36 per partition before, of which 11 were probes
  // and a second listing).
  auto listed = fs.list_dir(dir);
  bool fresh = !listed && is(listed.err(), errc::not_found);
  if (!listed && !fresh) return listed.err();
  std::vector<std::string> names = listed ? std::move(*listed) : std::vector<std::string>{};
  auto listed_here = [&](std::string_view name) { return std::find(names.begin(), names.end(), name) != names.end(); };
  if (fresh) {
    if (auto s = fs.create_dirs(dir); !s) return s;
    // Creating a partition costs no fsync: the directory, its files and their
    // names become durable with the partition's first sync (an acks=all
    // append, flush.ms, close), before anything in it is reported durable. A
    // crash before that loses only an empty partition, which the broker
    // recreates from the metadata log on the next start.
    parent_dirty_ = true;
  }
  bool has_metadata = listed_here(metadata_file);
  if (has_metadata && opts_.id_from_metadata_file) {
    if (auto id = read_partition_metadata_id(fs, join_path(dir, metadata_file))) opts_.id = *id;
  }
  if (!has_metadata) {
    if (auto s = write_partition_metadata(); !s) return s;
  }
  // A cleaner run that did not finish: its output was never installed.
  if (listed_here(".cleaner")) {
    if (auto s = fs.remove_all(cleaner_dir()); !s) return s;
  }
  std::vector<int64_t> bases;
  std::vector<int64_t> swapped;
  for (auto& n : names) {
    if (auto b = parse_segment_file_name(n, ".log")) {
      bases.push_back(*b);
    } else if (n.ends_with(".cleaned") || n.ends_with(".tmp")) {
      // Half-built compaction output or checkpoint: the original is intact.
      if (auto s = fs.remove_file(join_path(dir, n)); !s) return s;
    } else if (auto sb = parse_segment_file_name(n, ".log.swap")) {
      swapped.push_back(*sb);
    }
  }
  // A .swap file is a complete, synced compaction result whose rename did not
  // happen yet: finish it, and rebuild its indexes.
  for (int64_t b : swapped) {
    if (auto s = fs.rename(join_path(dir, segment_file_name(b, ".log.swap")), join_path(dir, segment_file_name(b, ".log")));
        !s)
      return s;
    (void)fs.remove_file(join_path(dir, segment_file_name(b, ".index")));
    (void)fs.remove_file(join_path(dir, segment_file_name(b, ".timeindex")));
    if (std::find(bases.begin(), bases.end(), b) == bases.end()) bases.push_back(b);
  }
  std::sort(bases.begin(), bases.end());

  int64_t checkpoint_start = 0;
  if (listed_here(log_start_file)) {
    if (auto cp = read_checkpoint(fs, join_path(dir, log_start_file)); cp && !cp->empty())
      checkpoint_start = cp->front().second;
  }

  bool unclean = opts_.recovery_point != INT64_MAX;
  int64_t min_offset = 0;
  // Sealed segments checked here (above the recovery point): what they hold
  // may not be on disk yet.
  std::vector<int64_t> recovered_sealed;
  for (size_t i = 0; i < bases.size(); ++i) {
    int64_t base = bases[i];
    bool last = i + 1 == bases.size();
    bool swapped_here = std::find(swapped.begin(), swapped.end(), base) != swapped.end();
    bool recover = swapped_here || (unclean && (last || opts_.recovery_point < 0 || bases[i + 1] > opts_.recovery_point));
    recovery_report report;
    auto seg = segment::open(fs, dir, base, seg_options(), recover, min_offset, opts_.now_ms, &report);
    if (!seg) return seg.err();
    if (report.truncated_bytes > 0) {
      spdlog::warn("partition {}-{}: recovery cut {} bytes at offset {} (position {} of segment {}): {}", opts_.topic,
                   opts_.partition, report.truncated_bytes, (*seg)->next_offset(), report.valid_bytes,
                   segment_file_name(base, ".log"), report.reason);
    }
    segments_[base] = *seg;
    if (recover && !last) recovered_sealed.push_back(base);
    min_offset = (*seg)->next_offset();
    // Each segment ends exactly where the next begins (rolls happen at the
    // log end; compaction keeps a segment's last batch). A gap means this
    // segment lost unsynced data while a later file's name survived, so the
    // later data is not contiguous with it and cannot be kept.
    bool gap = !last && (*seg)->next_offset() != bases[i + 1];
    if (gap) {
      spdlog::warn("partition {}-{}: segment {} ends at offset {} but the next one starts at {}: unsynced data lost",
                   opts_.topic, opts_.partition, segment_file_name(base, ".log"), (*seg)->next_offset(), bases[i + 1]);
    }
    if ((report.truncated_bytes > 0 || gap) && !last) {
      // Everything after a damaged point is unreachable: drop later segments.
      for (size_t j = i + 1; j < bases.size(); ++j) {
        spdlog::warn("partition {}-{}: recovery removed segment {} after the damaged one", opts_.topic,
                     opts_.partition, segment_file_name(bases[j], ".log"));
        for (const char* sfx : {".log", ".index", ".timeindex"})
          if (auto s = fs.remove_file(join_path(dir, segment_file_name(bases[j], sfx))); !s) return s;
      }
      dir_dirty_ = true;
      break;
    }
  }
  if (segments_.empty()) {
    auto seg = segment::create(fs, dir, checkpoint_start, seg_options(), opts_.now_ms);
    if (!seg) return seg.err();
    segments_[checkpoint_start] = *seg;
    dir_dirty_ = true;
  }
  // Only the active segment keeps its .log open: the others open it while
  // they are read, so descriptors do not grow with the segment count.
  for (auto& [base, seg] : segments_) {
    if (seg != active()) seg->retire();
  }
  int64_t end = active()->next_offset();
  log_start_ = std::min(std::max(segments_.begin()->first, checkpoint_start), end);
  end_offset_.store(end);
  publish_shape_locked();
  last_flush_ms_ = opts_.now_ms;
  int64_t durable = end;
  if (unclean) {
    // What survived a SIGKILL may sit only in the page cache. It is not
    // synced here: the start would wait for the disk to write the whole
    // unflushed tail (about 1 s per GiB on this kind of machine). Only what
    // the recovery point vouches for counts as durable; the first sync (an
    // acks=all produce, flush.ms, a roll, a clean stop) writes the rest and
    // raises flushed_offset() to the end.
    durable = std::clamp<int64_t>(opts_.recovery_point, log_start_, end);
    for (int64_t b : recovered_sealed)
      if (auto it = segments_.find(b); it != segments_.end() && it->second != active())
        unsynced_sealed_.push_back(it->second);
  }
  flushed_offset_.store(durable);
  // The listing still holds every transaction index and snapshot: recovery
  // above touched only segment, index and leftover compaction files.
  return load_transactions(names);
}

result<append_result> partition_log::append(std::span<const uint8_t> batches, int64_t now_ms) {
  std::vector<uint8_t> copy(batches.begin(), batches.end());
  return append_in_place(copy, now_ms);
}

result<append_result> partition_log::append_in_place(std::span<uint8_t> batches, int64_t now_ms) {
  // Produce requests nearly always carry one batch: avoid a heap allocation.
  thread_local std::vector<batch_info> infos;
  infos.clear();
  for (size_t pos = 0; pos < batches.size();) {
    auto b = peek_batch(batches.subspan(pos));
    if (!b) return make_storage_error(errc::invalid_argument, "append to " + opts_.dir + ": " + b.err().message);
    if (static_cast<size_t>(b->size) > batches.size() - pos)
      return make_storage_error(errc::invalid_argument, "append to " + opts_.dir + ": batch runs past the input");
    infos.push_back(*b);
    pos += static_cast<size_t>(b->size);
  }
  if (infos.empty()) return make_storage_error(errc::invalid_argument, "append to " + opts_.dir + ": no batches");
  return write_batches(batches, infos, now_ms);
}

result<append_result> partition_log::append_batch(std::span<uint8_t> batch, const batch_info& info, int64_t now_ms) {
  return write_one(batch, info, now_ms, nullptr, nullptr);
}

result<append_result> partition_log::append_batch_checked(std::span<uint8_t> batch, const batch_info& info,
                                                          int64_t now_ms, const txn::producer_batch& producer,
                                                          txn::check_result& check) {
  return write_one(batch, info, now_ms, &producer, &check);
}

result<append_result> partition_log::write_one(std::span<uint8_t> batch, const batch_info& info, int64_t now_ms,
                                               const txn::producer_batch* producer, txn::check_result* check) {
  if (static_cast<size_t>(info.size) != batch.size()) {
    return make_storage_error(errc::invalid_argument, "append to " + opts_.dir + ": batch of " +
                                                          std::to_string(batch.size()) + " bytes, header says " +
                                                          std::to_string(info.size));
  }
  thread_local std::vector<batch_info> infos;
  infos.assign(1, info);
  return write_batches(batch, infos, now_ms, producer, check);
}

result<append_result> partition_log::write_batches(std::span<uint8_t> batches, std::vector<batch_info>& infos,
                                                   int64_t now_ms, const txn::producer_batch* producer,
                                                   txn::check_result* check) {
  int64_t records = 0;
  int64_t delta_total = 0;
  bool any_control = false;
  for (const auto& b : infos) {
    records += b.record_count;
    delta_total += int64_t{b.last_offset_delta} + 1;
    any_control = any_control || is_control_batch(b);
  }
  thread_local std::vector<std::optional<bool>> markers;
  markers.assign(infos.size(), std::nullopt);
  if (any_control) {
    if (auto s = decode_markers(batches, infos, markers); !s) return s.err();
  }

  bool want_flush = false;
  append_result out{};
  {
    std::lock_guard lock(mu_);
    if (destroyed_) return make_storage_error(errc::closed, "partition " + opts_.dir + " was removed");
    if (failed_) return make_storage_error(errc::io_error, "partition " + opts_.dir + " failed: " + failed_->message);
    if (producer) {
      *check = producers_.check(*producer);
      if (check->outcome != txn::verdict::append) return append_result{};
    }
    for (auto& b : infos) {
      if (b.size > opts_.config.max_message_bytes)
        return make_storage_error(errc::record_too_large, "batch of " + std::to_string(b.size) +
                                                              " bytes exceeds max.message.bytes " +
                                                              std::to_string(opts_.config.max_message_bytes));
    }
    const auto& seg = segments_.rbegin()->second;
    int64_t leo = seg->next_offset();
    bool too_big = seg->size() + static_cast<int64_t>(batches.size()) > opts_.config.segment_bytes;
    bool too_old = now_ms - seg->created_ms() >= opts_.config.segment_ms - opts_.config.segment_jitter_ms;
    if (!seg->empty() && (too_big || too_old || seg->index_full() || !seg->can_hold(leo + delta_total))) {
      if (auto s = roll_locked(now_ms); !s) return s.err();
    }
    bool append_time = opts_.config.message_timestamp_type == timestamp_type::log_append_time;
    int64_t next = leo;
    size_t pos = 0;
    for (auto& b : infos) {
      auto bytes = batches.subspan(pos, static_cast<size_t>(b.size));
      set_base_offset(bytes, next);
      // The producer's value is not ours to keep: consumers take the stored
      // epoch for the leader's and would see "log truncation" against ours.
      set_partition_leader_epoch(bytes, leader_epoch);
      b.base_offset = next;
      if (append_time) {
        set_log_append_time(bytes, now_ms);
        b.max_timestamp = now_ms;
      }
      next = b.last_offset() + 1;
      pos += static_cast<size_t>(b.size);
    }
    if (auto s = segments_.rbegin()->second->append(batches, infos); !s) return s.err();
    for (size_t i = 0; i < infos.size(); ++i) {
      if (auto s = track_batch_locked(infos[i], markers[i], append_time ? now_ms : -1, now_ms); !s) {
        // The batch is in the log but its transaction state is not recorded:
        // stop, as after a failed sync; a restart replays the log.
        failed_ = s.err();
        return s.err();
      }
    }
    if (now_ms - last_producer_expiry_ms_ > 60000) {
      producers_.expire(now_ms, opts_.producer_id_expiration_ms);
      last_producer_expiry_ms_ = now_ms;
    }
    end_offset_.store(next, std::memory_order_release);
    figures_.bytes_in.fetch_add(static_cast<int64_t>(batches.size()), std::memory_order_relaxed);
    figures_.records_in.fetch_add(records, std::memory_order_relaxed);
    figures_.size_bytes.fetch_add(static_cast<int64_t>(batches.size()), std::memory_order_relaxed);
    figures_.segments.store(static_cast<int64_t>(segments_.size()), std::memory_order_relaxed);
    unflushed_messages_ += records;
    want_flush = unflushed_messages_ >= opts_.config.flush_messages;
    out = {leo, next - 1, append_time ? now_ms : -1, log_start_};
  }
  if (want_flush) flush_async(out.last_offset + 1, nullptr);
  return out;
}

status partition_log::roll_locked(int64_t now_ms) {
  auto old = active();
  if (old->empty()) return {};
  auto seg = segment::create(*opts_.fs, opts_.dir, old->next_offset(), seg_options(), now_ms);
  if (!seg) return seg.err();
  segments_[(*seg)->base_offset()] = *seg;
  old->retire();  // readers and the sync still to come open it by name
  // Best effort: a missing index tail only makes the next clean start scan more.
  (void)old->persist_indexes();
  // Best effort too: without it a restart replays from an older snapshot.
  if (auto s = snapshot_locked((*seg)->base_offset(), true); !s) {
    spdlog::warn("partition {}-{}: producer snapshot at roll failed: {}", opts_.topic, opts_.partition,
                 s.err().describe());
  }
  unsynced_sealed_.push_back(old);
  dir_dirty_ = true;
  return {};
}

std::shared_ptr<segment> partition_log::segment_for(int64_t offset) const {
  auto it = segments_.upper_bound(offset);
  if (it != segments_.begin()) --it;
  return it->second;
}

result<read_result> partition_log::read(int64_t offset, int32_t max_bytes, int64_t max_offset_exclusive) const {
  auto r = read_range(offset, max_bytes, max_offset_exclusive);
  // Fetches are the only caller of read(): count what they were handed.
  if (r && r->length > 0) {
    figures_.bytes_out.fetch_add(r->length, std::memory_order_relaxed);
    figures_.offsets_out.fetch_add(r->next_offset - offset, std::memory_order_relaxed);
  }
  return r;
}

result<read_result> partition_log::read_range(int64_t offset, int32_t max_bytes, int64_t max_offset_exclusive) const {
  std::lock_guard lock(mu_);
  if (destroyed_) return make_storage_error(errc::closed, "partition " + opts_.dir + " was removed");
  int64_t end = end_offset_.load();
  if (offset < log_start_ || offset > end) {
    return make_storage_error(errc::offset_out_of_range, "offset " + std::to_string(offset) + " is outside [" +
                                                             std::to_string(log_start_) + ", " + std::to_string(end) +
                                                             "] of " + opts_.topic + "-" +
                                                             std::to_string(opts_.partition));
  }
  read_result r;
  r.high_watermark = end;
  r.log_start_offset = log_start_;
  r.next_offset = offset;
  if (offset >= end || offset >= max_offset_exclusive) return r;
  auto it = segments_.upper_bound(offset);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) {
    auto& seg = it->second;
    // A descriptor for the lookups and for the answer, which keeps it until
    // it is sent (an old segment holds none of its own).
    auto reader = seg->reader();
    if (!reader) return reader.err();
    auto loc = seg->locate(std::max(offset, seg->base_offset()));
    if (!loc) return loc.err();
    if (!loc->has_value()) continue;  // gap (compacted tail or empty segment): try the next segment
    auto ext = seg->extent((*loc)->first, max_bytes, max_offset_exclusive, &(*loc)->second);
    if (!ext) return ext.err();
    if (ext->first == 0) return r;
    r.keepalive = *reader;
    r.fd = (*reader)->fd();
    r.position = (*loc)->first;
    r.length = ext->first;
    r.next_offset = ext->second;
    return r;
  }
  return r;
}

result<copied_read> partition_log::read_copy(int64_t offset, int32_t max_bytes, int64_t max_offset_exclusive) const {
  auto r = read_range(offset, max_bytes, max_offset_exclusive);
  if (!r) return r.err();
  copied_read out;
  out.next_offset = r->next_offset;
  out.high_watermark = r->high_watermark;
  out.log_start_offset = r->log_start_offset;
  if (r->length == 0) return out;
  auto f = std::static_pointer_cast<const file>(r->keepalive);
  out.bytes.resize(static_cast<size_t>(r->length));
  auto n = f->read_at(r->position, out.bytes);
  if (!n) return n.err();
  if (*n != out.bytes.size()) return make_storage_error(errc::io_error, "short read from " + f->path());
  return out;
}

void partition_log::flush_async(int64_t up_to_offset, std::function<void(status)> done) {
  if (opts_.flush != nullptr) {
    opts_.flush->request(shared_from_this(), up_to_offset, std::move(done));
    return;
  }
  auto s = sync_now();
  if (done) done(s);
}

status partition_log::flush() { return sync_now(); }

bool partition_log::has_unsynced_files() const {
  std::lock_guard lock(mu_);
  bool txn_files = !unsynced_snapshots_.empty() ||
                   std::any_of(txn_indexes_.begin(), txn_indexes_.end(), [](auto& i) { return i.second->dirty(); });
  return !unsynced_sealed_.empty() || dir_dirty_ || parent_dirty_ || metadata_dirty_ || names_sync_running_ ||
         txn_files;
}

status partition_log::sync_now() {
  // One sync at a time per partition. Two overlapping callers used to split
  // the work (the first took the "directory needs a sync" flag, the second
  // saw it clear) and the second could report data durable while the first
  // was still inside the directory fsync. Serialized, a later caller waits
  // and then finds most of its work done: the group commit stays.
  // Lock order: sync_mu_ before mu_.
  std::lock_guard sync_lock(sync_mu_);
  std::vector<std::shared_ptr<segment>> sealed;
  std::shared_ptr<segment> act;
  bool metadata;
  int64_t end;
  bool dir;
  bool parent;
  std::vector<std::string> snapshots;
  std::vector<std::shared_ptr<lazy_file>> txn_files;
  {
    std::lock_guard lock(mu_);
    if (destroyed_) return make_storage_error(errc::closed, "partition " + opts_.dir + " was removed");
    if (failed_) return make_storage_error(errc::io_error, "partition " + opts_.dir + " failed: " + failed_->message);
    sealed = unsynced_sealed_;
    act = active();
    end = end_offset_.load();
    dir = dir_dirty_;
    dir_dirty_ = false;
    parent = parent_dirty_;
    parent_dirty_ = false;
    metadata = metadata_dirty_;
    metadata_dirty_ = false;
    snapshots.swap(unsynced_snapshots_);
    for (auto& [b, idx] : txn_indexes_)
      if (auto f = idx->take_unsynced()) txn_files.push_back(std::move(f));
    // A snapshot was renamed into place: its name must be made durable too.
    dir = dir || !snapshots.empty();
    // The flags are taken, but the files are not durable until this sync
    // ends: has_unsynced_files() keeps saying so meanwhile.
    names_sync_running_ = dir || parent || metadata;
  }
  status st;
  for (auto& s : sealed) {
    if (st) st = s->sync();
    // Index state is only touched under sync_mu_ (here and in close()) once
    // a segment is sealed.
    if (st) st = s->sync_indexes();
  }
  // Nothing appended since the last sync: the active file is clean.
  if (st && end > flushed_offset_.load()) st = act->sync();
  // After the log: an abort is listed only once its marker was written.
  for (auto& f : txn_files)
    if (st) st = f->sync();
  for (auto& path : snapshots) {
    if (!st) break;
    auto f = opts_.fs->open(path, open_mode::read_write);
    // Retention may have removed it meanwhile: nothing left to sync.
    if (f) st = (*f)->sync();
  }
  if (st && metadata) {
    auto f = opts_.fs->open(join_path(opts_.dir, metadata_file), open_mode::read_write);
    st = f ? (*f)->sync() : status(f.err());
  }
  if (st && dir) st = opts_.fs->sync_dir(opts_.dir);
  if (st && parent) st = opts_.fs->sync_dir(parent_dir(opts_.dir));
  std::lock_guard lock(mu_);
  names_sync_running_ = false;
  if (!st) {
    // After a failed fdatasync the kernel may have dropped dirty pages: what
    // we wrote is no longer trustworthy, so stop accepting appends.
    failed_ = st.err();
    dir_dirty_ = dir_dirty_ || dir;
    parent_dirty_ = parent_dirty_ || parent;
    metadata_dirty_ = metadata_dirty_ || metadata;
    unsynced_snapshots_.insert(unsynced_snapshots_.end(), snapshots.begin(), snapshots.end());
    spdlog::error("partition {}-{}: sync failed, appends disabled: {}", opts_.topic, opts_.partition,
                  st.err().describe());
    return st;
  }
  std::erase_if(unsynced_sealed_,
                [&](auto& s) { return std::find(sealed.begin(), sealed.end(), s) != sealed.end(); });
  // Monotone: only this (serialized) path raises it, and only to an end it synced.
  if (end > flushed_offset_.load()) flushed_offset_.store(end, std::memory_order_release);
  unflushed_messages_ = 0;
  return {};
}

int64_t partition_log::log_start_offset() const {
  std::lock_guard lock(mu_);
  return log_start_;
}

int64_t partition_log::log_end_offset() const { return end_offset_.load(std::memory_order_acquire); }

result<std::optional<timestamp_offset>> partition_log::offset_for_timestamp(int64_t ts) const {
  std::lock_guard lock(mu_);
  for (auto& [base, seg] : segments_) {
    if (seg->next_offset() <= log_start_ || seg->max_timestamp() < ts) continue;
    auto r = seg->find_timestamp(ts, log_start_);
    if (!r) return r.err();
    if (r->has_value()) {
      return std::optional<timestamp_offset>(timestamp_offset{std::max((*r)->first, log_start_), (*r)->second});
    }
  }
  return std::optional<timestamp_offset>{};
}

std::optional<timestamp_offset> partition_log::max_timestamp_offset() const {
  std::lock_guard lock(mu_);
  std::shared_ptr<segment> best;
  for (auto& [base, seg] : segments_) {
    if (seg->next_offset() <= log_start_ || seg->max_timestamp() < 0) continue;
    if (!best || seg->max_timestamp() >= best->max_timestamp()) best = seg;
  }
  if (!best) return std::nullopt;
  auto r = best->find_timestamp(best->max_timestamp(), log_start_);
  if (r && r->has_value()) return timestamp_offset{std::max((*r)->first, log_start_), (*r)->second};
  return timestamp_offset{std::max(best->max_timestamp_offset(), log_start_), best->max_timestamp()};
}

result<int64_t> partition_log::delete_records_before(int64_t offset) {
  // The data below the new start must be durable first, or a power loss could
  // take the log end below a log start that survived in the checkpoint.
  if (offset > flushed_offset() && offset <= log_end_offset()) {
    if (auto s = sync_now(); !s) return s.err();
  }
  std::lock_guard lock(mu_);
  if (destroyed_) return make_storage_error(errc::closed, "partition " + opts_.dir + " was removed");
  int64_t end = end_offset_.load();
  if (offset < 0 || offset > end)
    return make_storage_error(errc::offset_out_of_range,
                              "delete before " + std::to_string(offset) + ": log end is " + std::to_string(end));
  if (offset <= log_start_) return log_start_;
  // Durable before we answer: a restart must not bring the records back.
  if (auto s = write_log_start_checkpoint(offset); !s) return s.err();
  log_start_ = offset;
  publish_shape_locked();
  return log_start_;
}

int64_t partition_log::size_bytes() const {
  std::lock_guard lock(mu_);
  int64_t total = 0;
  for (auto& [b, s] : segments_) total += s->size();
  return total;
}

std::vector<int64_t> partition_log::segment_base_offsets() const {
  std::lock_guard lock(mu_);
  std::vector<int64_t> out;
  out.reserve(segments_.size());
  for (auto& [base, seg] : segments_) out.push_back(base);
  return out;
}

void partition_log::publish_shape_locked() {
  int64_t total = 0;
  for (auto& [b, seg] : segments_) total += seg->size();
  figures_.log_start.store(log_start_, std::memory_order_relaxed);
  figures_.size_bytes.store(total, std::memory_order_relaxed);
  figures_.segments.store(static_cast<int64_t>(segments_.size()), std::memory_order_relaxed);
}

size_t partition_log::segment_count() const {
  std::lock_guard lock(mu_);
  return segments_.size();
}

std::vector<segment_summary> partition_log::segment_summaries() const {
  std::lock_guard lock(mu_);
  std::vector<segment_summary> out;
  out.reserve(segments_.size());
  for (const auto& [base, seg] : segments_) {
    int64_t modified = seg->max_timestamp();
    struct stat st {};
    const std::string path = join_path(seg->dir(), segment_file_name(base, ".log"));
    if (::stat(path.c_str(), &st) == 0) {
      modified = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    }
    out.push_back(segment_summary{base, seg->size(), modified});
  }
  return out;
}

log_config partition_log::config() const {
  std::lock_guard lock(mu_);
  return opts_.config;
}

void partition_log::update_config(const log_config& cfg) {
  std::lock_guard lock(mu_);
  opts_.config = cfg;
}

result<int> partition_log::enforce_retention(int64_t now_ms) {
  // Deleting old segments while newer data is still only in the page cache
  // could let a power loss take the log end back below offsets already
  // deleted, and then offsets would be handed out twice. So: sync first.
  if (auto due = retention_candidates(now_ms); !due) return due.err();
  else if (*due == 0) return 0;
  if (auto s = sync_now(); !s) return s.err();
  std::vector<std::shared_ptr<segment>> doomed;
  std::vector<std::string> txn_files;
  {
    std::lock_guard lock(mu_);
    if (destroyed_) return 0;
    const log_config& cfg = opts_.config;
    int64_t total = 0;
    for (auto& [b, s] : segments_) total += s->size();
    for (auto it = segments_.begin(); it != segments_.end() && std::next(it) != segments_.end();) {
      auto& seg = it->second;
      if (!retention_due(*seg, cfg, now_ms, total)) break;
      total -= seg->size();
      doomed.push_back(seg);
      it = segments_.erase(it);
    }
    if (doomed.empty()) return 0;
    log_start_ = std::max(log_start_, segments_.begin()->first);
    publish_shape_locked();
    std::erase_if(unsynced_sealed_,
                  [&](auto& s) { return std::find(doomed.begin(), doomed.end(), s) != doomed.end(); });
    forget_segments_locked(doomed, txn_files);
  }
  for (auto& path : txn_files) {
    if (auto s = opts_.fs->remove_file(path); !s) return s.err();
  }
  // Unlink outside the lock; readers holding a keepalive keep their descriptor.
  for (auto& seg : doomed) {
    if (auto s = seg->remove_files(*opts_.fs); !s) return s.err();
  }
  return static_cast<int>(doomed.size());
}

result<int> partition_log::retention_candidates(int64_t now_ms) const {
  std::lock_guard lock(mu_);
  if (destroyed_) return 0;
  const log_config& cfg = opts_.config;
  int64_t total = 0;
  for (auto& [b, s] : segments_) total += s->size();
  int n = 0;
  for (auto it = segments_.begin(); it != segments_.end() && std::next(it) != segments_.end(); ++it) {
    if (!retention_due(*it->second, cfg, now_ms, total)) break;
    total -= it->second->size();
    ++n;
  }
  return n;
}

bool partition_log::retention_due(const segment& seg, const log_config& cfg, int64_t now_ms, int64_t total) const {
  bool below_start = seg.next_offset() <= log_start_;
  bool expired = cfg.cleanup_delete && cfg.retention_ms >= 0 && seg.max_timestamp() >= 0 &&
                 seg.max_timestamp() < now_ms - cfg.retention_ms;
  bool over_size = cfg.cleanup_delete && cfg.retention_bytes >= 0 && total - seg.size() >= cfg.retention_bytes;
  return below_start || expired || over_size;
}

status partition_log::roll_if_due(int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (destroyed_ || failed_) return {};
  auto seg = active();
  if (!seg->empty() && now_ms - seg->created_ms() >= opts_.config.segment_ms - opts_.config.segment_jitter_ms)
    return roll_locked(now_ms);
  return {};
}

status partition_log::flush_if_due(int64_t now_ms) {
  {
    std::lock_guard lock(mu_);
    if (destroyed_ || opts_.config.flush_ms == no_limit) return {};
    if (now_ms - last_flush_ms_ < opts_.config.flush_ms) return {};
    last_flush_ms_ = now_ms;
    if (flushed_offset_.load() >= end_offset_.load() && unsynced_sealed_.empty()) return {};
  }
  flush_async(log_end_offset(), nullptr);
  return {};
}

status partition_log::close() {
  {
    // A clean start then loads the table from here and replays nothing.
    std::lock_guard lock(mu_);
    // Best effort, as at roll: without it the next start replays more. An
    // empty log has nothing to replay: no file (many partitions are empty).
    // Not synced: two fsyncs per partition would slow shutdown by seconds
    // at thousands of partitions, and a snapshot a power loss tore fails
    // its CRC, so the next start falls back to the roll-time one and replays.
    const int64_t end = end_offset_.load();
    if (!destroyed_ && !failed_ && !snapshots_.contains(end) && end > segments_.begin()->first) {
      if (auto s = snapshot_locked(end, false); !s) {
        spdlog::warn("partition {}-{}: producer snapshot at close failed: {}", opts_.topic, opts_.partition,
                     s.err().describe());
      }
    }
  }
  if (auto s = sync_now(); !s) return s;
  std::lock_guard sync_lock(sync_mu_);
  std::lock_guard lock(mu_);
  for (auto& [b, seg] : segments_)
    if (auto s = seg->sync_indexes(); !s) return s;
  return {};
}

status partition_log::destroy_to(const std::string& doomed_dir) {
  {
    std::lock_guard lock(mu_);
    destroyed_ = true;
    unsynced_sealed_.clear();
  }
  if (auto s = opts_.fs->rename(opts_.dir, doomed_dir); !s) return s;
  if (auto s = opts_.fs->sync_dir(parent_dir(opts_.dir)); !s) return s;
  return opts_.fs->remove_all(doomed_dir);
}

}  // namespace samsa::storage
