#include "storage/segment.h"

#include <cstdio>

#include "storage/errc.h"
#include "storage/lazy_file.h"

namespace samsa::storage {
namespace {

constexpr size_t scan_chunk = 1 << 20;

}  // namespace

std::string segment_file_name(int64_t base_offset, const std::string& suffix) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(base_offset));
  return std::string(buf) + suffix;
}

std::optional<int64_t> parse_segment_file_name(const std::string& name, const std::string& suffix) {
  if (name.size() != 20 + suffix.size() || name.compare(20, std::string::npos, suffix) != 0) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    if (v > (INT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

segment::segment(std::string dir, int64_t base_offset, const segment_options& opts, std::shared_ptr<lazy_file> log,
                 std::shared_ptr<lazy_file> index, std::shared_ptr<lazy_file> times, int64_t now_ms)
    : dir_(std::move(dir)),
      base_offset_(base_offset),
      opts_(opts),
      log_(std::move(log)),
      index_file_(index),
      times_file_(times),
      index_(std::move(index), base_offset, opts.max_index_bytes),
      times_(std::move(times), base_offset, opts.max_index_bytes),
      next_offset_(base_offset),
      created_ms_(now_ms) {}

result<std::shared_ptr<segment>> segment::create(file_system& fs, const std::string& dir, int64_t base_offset,
                                                 const segment_options& opts, int64_t now_ms) {
  auto log = lazy_file::open(fs, join_path(dir, segment_file_name(base_offset, ".log")), open_mode::create_truncate);
  if (!log) return log.err();
  auto idx = lazy_file::open(fs, join_path(dir, segment_file_name(base_offset, ".index")), open_mode::create_truncate);
  if (!idx) return idx.err();
  auto tim = lazy_file::open(fs, join_path(dir, segment_file_name(base_offset, ".timeindex")), open_mode::create_truncate);
  if (!tim) return tim.err();
  (*idx)->release();
  (*tim)->release();
  return std::shared_ptr<segment>(new segment(dir, base_offset, opts, *log, *idx, *tim, now_ms));
}

result<std::shared_ptr<segment>> segment::open(file_system& fs, const std::string& dir, int64_t base_offset,
                                               const segment_options& opts, bool recover, int64_t min_offset,
                                               int64_t now_ms, recovery_report* report) {
  auto log = lazy_file::open(fs, join_path(dir, segment_file_name(base_offset, ".log")), open_mode::read_write);
  if (!log) return log.err();
  // The indexes are read whole here (open, read, close: a clean start of
  // 1,000 partitions does this 2,000 times) and live in memory from then on.
  std::vector<uint8_t> index_bytes, time_index_bytes;
  auto idx = lazy_file::read_whole(fs, join_path(dir, segment_file_name(base_offset, ".index")), index_bytes);
  if (!idx) return idx.err();
  auto tim = lazy_file::read_whole(fs, join_path(dir, segment_file_name(base_offset, ".timeindex")), time_index_bytes);
  if (!tim) return tim.err();
  std::shared_ptr<segment> seg(new segment(dir, base_offset, opts, *log, *idx, *tim, now_ms));
  recovery_report local;
  if (report == nullptr) report = &local;
  auto s = recover ? seg->recover_all(min_offset, report)
                   : seg->load_fast(min_offset, report, index_bytes, time_index_bytes);
  if (!s) return s.err();
  return seg;
}

void segment::note_batch(const batch_info& b, int64_t position, bool* index_error) {
  if (b.max_timestamp > max_timestamp_) {
    max_timestamp_ = b.max_timestamp;
    max_timestamp_offset_ = b.base_offset;
  }
  if (bytes_since_index_ >= opts_.index_interval_bytes) {
    if (!index_.append(b.base_offset, position) || !times_.maybe_append(max_timestamp_, max_timestamp_offset_))
      *index_error = true;
    bytes_since_index_ = 0;
  }
  bytes_since_index_ += b.size;
  next_offset_ = b.last_offset() + 1;
}

status segment::append(std::span<const uint8_t> batches, std::span<const batch_info> infos) {
  int64_t start = log_->size();
  auto saved_next = next_offset_;
  auto saved_max = std::make_pair(max_timestamp_, max_timestamp_offset_);
  auto saved_bytes = bytes_since_index_;
  auto undo = [&](status s) {
    // Cut everything back so the files hold only whole, indexed batches.
    (void)log_->truncate(start);
    (void)index_.truncate_to(saved_next);
    (void)times_.truncate_to(saved_next);
    next_offset_ = saved_next;
    std::tie(max_timestamp_, max_timestamp_offset_) = saved_max;
    bytes_since_index_ = saved_bytes;
    return s;
  };
  if (auto s = log_->append(batches); !s) return undo(s);
  bool index_error = false;
  int64_t pos = start;
  for (auto& b : infos) {
    note_batch(b, pos, &index_error);
    pos += b.size;
  }
  if (index_error) return undo(make_storage_error(errc::io_error, "index write failed in " + dir_));
  return {};
}

result<std::optional<batch_info>> segment::header_at(int64_t position) const {
  uint8_t buf[batch_header_size];
  auto n = log_->read_at(position, buf);
  if (!n) return n.err();
  if (*n < sizeof buf) return std::optional<batch_info>{};
  auto b = peek_batch(buf);
  if (!b) return b.err();
  if (position + b->size > log_->size()) return std::optional<batch_info>{};
  return std::optional<batch_info>(*b);
}

status segment::recover_all(int64_t min_offset, recovery_report* report) {
  if (auto s = index_.reset(); !s) return s;
  if (auto s = times_.reset(); !s) return s;
  next_offset_ = base_offset_;
  max_timestamp_ = max_timestamp_offset_ = -1;
  bytes_since_index_ = 0;
  int64_t file_size = log_->size();
  int64_t pos = 0;
  int64_t expected = std::max(min_offset, base_offset_);
  std::vector<uint8_t> buf;
  int64_t buf_start = 0;
  bool index_error = false;
  std::string reason;
  while (pos < file_size) {
    // Make sure buf holds [pos, pos + need) for the header, then the batch.
    auto ensure = [&](int64_t need) -> result<bool> {
      if (pos >= buf_start && pos + need <= buf_start + static_cast<int64_t>(buf.size())) return true;
      int64_t want = std::max<int64_t>(need, scan_chunk);
      want = std::min(want, file_size - pos);
      if (want < need) return false;
      buf.resize(static_cast<size_t>(want));
      auto n = log_->read_at(pos, buf);
      if (!n) return n.err();
      buf.resize(*n);
      buf_start = pos;
      return static_cast<int64_t>(*n) >= need;
    };
    auto have = ensure(batch_header_size);
    if (!have) return have.err();
    if (!*have) {
      reason = "torn batch header";
      break;
    }
    auto b = peek_batch(std::span(buf).subspan(static_cast<size_t>(pos - buf_start), batch_header_size));
    if (!b) {
      reason = b.err().message;
      break;
    }
    have = ensure(b->size);
    if (!have) return have.err();
    if (!*have) {
      reason = "torn batch (" + std::to_string(b->size) + " bytes, " + std::to_string(file_size - pos) + " present)";
      break;
    }
    auto whole = std::span(buf).subspan(static_cast<size_t>(pos - buf_start), static_cast<size_t>(b->size));
    if (auto s = check_batch(whole); !s) {
      reason = s.err().message;
      break;
    }
    if (b->base_offset < expected || b->last_offset_delta < 0) {
      reason = "offset " + std::to_string(b->base_offset) + " not above " + std::to_string(expected - 1);
      break;
    }
    if (!index_.can_hold(b->last_offset())) {
      reason = "offset " + std::to_string(b->last_offset()) + " too far from segment base";
      break;
    }
    note_batch(*b, pos, &index_error);
    if (index_error) return make_storage_error(errc::io_error, "rebuilding index in " + dir_);
    expected = b->last_offset() + 1;
    pos += b->size;
    ++report->batches;
  }
  report->valid_bytes = pos;
  if (pos < file_size) {
    report->truncated_bytes = file_size - pos;
    report->reason = reason;
    if (auto s = log_->truncate(pos); !s) return s;
  }
  // Keep the rebuilt indexes, so the next clean start need not scan again.
  return persist_indexes();
}

status segment::load_fast(int64_t min_offset, recovery_report* report, std::span<const uint8_t> index_bytes,
                          std::span<const uint8_t> time_index_bytes) {
  int64_t file_size = log_->size();
  if (!index_.load(index_bytes, file_size) || !times_.load(time_index_bytes, INT64_MAX))
    return recover_all(min_offset, report);
  auto last = index_.last();
  int64_t pos = last ? last->position : 0;
  auto lt = times_.last();
  if (lt) {
    max_timestamp_ = lt->timestamp;
    max_timestamp_offset_ = lt->offset;
  }
  bytes_since_index_ = 0;
  bool index_error = false;
  bool first = true;
  while (pos < file_size) {
    auto h = header_at(pos);
    // A bad header or a torn tail where the index said a batch starts: the
    // index or the file is not what a clean shutdown left, so check everything.
    if (!h || !h->has_value()) return recover_all(min_offset, report);
    const batch_info& b = **h;
    if (first && last && b.base_offset != last->offset) return recover_all(min_offset, report);
    if (b.max_timestamp > max_timestamp_) {
      max_timestamp_ = b.max_timestamp;
      max_timestamp_offset_ = b.base_offset;
    }
    bytes_since_index_ += b.size;
    next_offset_ = b.last_offset() + 1;
    pos += b.size;
    first = false;
  }
  (void)index_error;
  report->valid_bytes = file_size;
  return {};
}

result<std::optional<std::pair<int64_t, batch_info>>> segment::locate(int64_t offset) const {
  using out = std::optional<std::pair<int64_t, batch_info>>;
  if (offset < base_offset_ || offset >= next_offset_) return out{};
  auto pinned = log_->acquire();  // one descriptor for all the headers read below
  if (!pinned) return pinned.err();
  auto [pos, known] = checked_start(index_.lookup(offset));
  while (true) {
    // The index entry's header was just read to trust it: not again.
    auto h = known ? result<std::optional<batch_info>>(std::move(known)) : header_at(pos);
    known.reset();
    if (!h) return h.err();
    if (!h->has_value()) return out{};
    if ((*h)->last_offset() >= offset) return out(std::make_pair(pos, **h));
    pos += (*h)->size;
  }
}

result<std::pair<int32_t, int64_t>> segment::extent(int64_t position, int32_t max_bytes, int64_t max_offset,
                                                    const batch_info* known_first) const {
  auto pinned = log_->acquire();  // one descriptor for all the headers read below
  if (!pinned) return pinned.err();
  int64_t len = 0;
  int64_t next = -1;
  int64_t pos = position;
  // Reading every header up to max_bytes costs a pread per batch (a consumer
  // of small batches paid ~80% of the broker's CPU there). The offset index
  // names batch starts: every batch before the last indexed start within
  // reach is whole and below it, so only the batches after that entry (about
  // index.interval.bytes) are read one by one.
  auto first = known_first ? result<std::optional<batch_info>>(std::optional<batch_info>(*known_first))
                           : header_at(position);
  if (first && first->has_value() && (*first)->base_offset < max_offset) {
    len = (*first)->size;
    next = (*first)->last_offset() + 1;
    pos = position + (*first)->size;
    if (len >= max_bytes) return std::make_pair(static_cast<int32_t>(len), next);
    auto entry = index_.last_at_or_before_position(position + max_bytes);
    if (entry && entry->position > pos && entry->offset < max_offset) {
      // Trusted only if a batch with that base offset starts there.
      auto h = header_at(entry->position);
      if (h && h->has_value() && (**h).base_offset == entry->offset) {
        len = entry->position - position;
        pos = entry->position;
        next = entry->offset;  // no batch lies between the last whole one and this
      }
    }
  } else if (!first) {
    return first.err();
  }
  while (true) {
    auto h = header_at(pos);
    if (!h) return h.err();
    if (!h->has_value()) break;
    const batch_info& b = **h;
    if (b.base_offset >= max_offset) break;
    if (len > 0 && len + b.size > max_bytes) break;
    len += b.size;
    pos += b.size;
    next = b.last_offset() + 1;
    if (len >= max_bytes) break;
  }
  return std::make_pair(static_cast<int32_t>(len), next);
}

result<std::optional<std::pair<int64_t, int64_t>>> segment::find_timestamp(int64_t ts, int64_t min_offset) const {
  using out = std::optional<std::pair<int64_t, int64_t>>;
  if (max_timestamp_ < ts) return out{};
  auto pinned = log_->acquire();  // one descriptor for all the headers read below
  if (!pinned) return pinned.err();
  auto start = times_.lookup_before(ts);
  int64_t pos = start ? start_position(index_.lookup(start->offset)) : 0;
  while (true) {
    auto h = header_at(pos);
    if (!h) return h.err();
    if (!h->has_value()) return out{};
    const batch_info& b = **h;
    if (b.max_timestamp >= ts && b.last_offset() >= min_offset) {
      std::vector<uint8_t> whole(static_cast<size_t>(b.size));
      auto n = log_->read_at(pos, whole);
      if (!n) return n.err();
      auto r = find_record_at_or_after(whole, ts, min_offset);
      if (!r) return r.err();
      if (r->has_value()) return out(**r);
    }
    pos += b.size;
  }
}

int64_t segment::start_position(const index_position& entry) const { return checked_start(entry).first; }

std::pair<int64_t, std::optional<batch_info>> segment::checked_start(const index_position& entry) const {
  if (entry.position == 0) return {0, std::nullopt};
  // An index entry that passed the load checks can still be wrong (a flipped
  // bit that keeps the order): trust it only if a batch with that base offset
  // starts there, otherwise scan from the start of the segment.
  // (A read error here also falls back; the scan will report it if it persists.)
  auto h = header_at(entry.position);
  if (h && h->has_value() && (*h)->base_offset == entry.offset) return {entry.position, **h};
  return {0, std::nullopt};
}

status segment::sync() { return log_->sync(); }

void segment::relocated(const std::string& dir) {
  dir_ = dir;
  // The files are opened by name on each use: follow the rename.
  log_->relocate(join_path(dir, segment_file_name(base_offset_, ".log")));
  index_file_->relocate(join_path(dir, segment_file_name(base_offset_, ".index")));
  times_file_->relocate(join_path(dir, segment_file_name(base_offset_, ".timeindex")));
}

status segment::persist_indexes() {
  if (auto s = index_.persist(); !s) return s;
  return times_.persist();
}

status segment::sync_indexes() {
  if (auto s = index_.sync(); !s) return s;
  return times_.sync();
}

status segment::remove_files(file_system& fs) {
  for (const char* suffix : {".index", ".timeindex", ".log"}) {
    if (auto s = fs.remove_file(join_path(dir_, segment_file_name(base_offset_, suffix))); !s) return s;
  }
  return {};
}

}  // namespace samsa::storage
