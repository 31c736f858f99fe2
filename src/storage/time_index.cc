#include "storage/time_index.h"

#include <algorithm>

#include "base/big_endian.h"
#include "storage/errc.h"

namespace samsa::storage {

time_index::time_index(std::shared_ptr<file> f, int64_t base_offset, int64_t max_bytes)
    : file_(std::move(f)), base_offset_(base_offset), max_bytes_(std::max<int64_t>(max_bytes, entry_size)) {}

status time_index::persist() {
  if (pending_.empty()) return {};
  int64_t before = file_->size();
  if (auto s = file_->append(pending_); !s) {
    (void)file_->truncate(before);
    return s;
  }
  pending_.clear();
  unsynced_ = true;
  return {};
}

status time_index::load(int64_t next_offset) {
  auto contents = read_all(*file_);
  if (!contents) return contents.err();
  return load(*contents, next_offset);
}

status time_index::load(std::span<const uint8_t> buf, int64_t next_offset) {
  entries_.clear();
  pending_.clear();
  if (buf.size() % entry_size != 0)
    return make_storage_error(errc::corrupt,
                              file_->path() + ": size " + std::to_string(buf.size()) + " is not whole entries");
  for (size_t i = 0; i < buf.size(); i += entry_size) {
    time_entry e{static_cast<int64_t>(big_endian::load_u64(&buf[i])), base_offset_ + big_endian::load_u32(&buf[i + 8])};
    bool ordered = entries_.empty() || (e.timestamp > entries_.back().timestamp && e.offset > entries_.back().offset);
    if (!ordered || e.offset >= next_offset) {
      entries_.clear();
      return make_storage_error(errc::corrupt, file_->path() + ": bad entry " + std::to_string(i / entry_size));
    }
    entries_.push_back(e);
  }
  return {};
}

status time_index::maybe_append(int64_t timestamp, int64_t offset) {
  if (!entries_.empty() && (timestamp <= entries_.back().timestamp || offset <= entries_.back().offset)) return {};
  uint8_t b[entry_size];
  big_endian::store_u64(b, static_cast<uint64_t>(timestamp));
  big_endian::store_u32(b + 8, static_cast<uint32_t>(offset - base_offset_));
  pending_.insert(pending_.end(), b, b + entry_size);
  entries_.push_back({timestamp, offset});
  return {};
}

std::optional<time_entry> time_index::lookup_before(int64_t ts) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), ts,
                             [](const time_entry& e, int64_t t) { return e.timestamp < t; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

status time_index::truncate_to(int64_t offset) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                             [](const time_entry& e, int64_t o) { return e.offset < o; });
  entries_.erase(it, entries_.end());
  // Keep the in-memory entries right even if the file cannot be written.
  auto keep = static_cast<int64_t>(entries_.size());
  int64_t in_file = file_->size() / static_cast<int64_t>(entry_size);
  if (keep >= in_file) {
    pending_.resize(static_cast<size_t>(keep - in_file) * entry_size);
    return {};
  }
  pending_.clear();
  unsynced_ = true;
  return file_->truncate(keep * static_cast<int64_t>(entry_size));
}

status time_index::reset() {
  entries_.clear();
  pending_.clear();
  unsynced_ = true;
  return file_->truncate(0);
}

std::optional<time_entry> time_index::last() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

}  // namespace samsa::storage
