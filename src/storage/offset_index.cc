#include "storage/offset_index.h"

#include <algorithm>

#include "base/big_endian.h"
#include "storage/errc.h"

namespace samsa::storage {

offset_index::offset_index(std::shared_ptr<file> f, int64_t base_offset, int64_t max_bytes)
    : file_(std::move(f)), base_offset_(base_offset), max_bytes_(std::max<int64_t>(max_bytes, entry_size)) {}

status offset_index::persist() {
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

status offset_index::load(int64_t segment_size) {
  auto contents = read_all(*file_);
  if (!contents) return contents.err();
  return load(*contents, segment_size);
}

status offset_index::load(std::span<const uint8_t> buf, int64_t segment_size) {
  entries_.clear();
  pending_.clear();
  if (buf.size() % entry_size != 0)
    return make_storage_error(errc::corrupt,
                              file_->path() + ": size " + std::to_string(buf.size()) + " is not whole entries");
  for (size_t i = 0; i < buf.size(); i += entry_size) {
    index_position e{base_offset_ + big_endian::load_u32(&buf[i]), big_endian::load_u32(&buf[i + 4])};
    bool ordered = entries_.empty() || (e.offset > entries_.back().offset && e.position > entries_.back().position);
    if (!ordered || e.position >= segment_size) {
      entries_.clear();
      return make_storage_error(errc::corrupt, file_->path() + ": bad entry " + std::to_string(i / entry_size));
    }
    entries_.push_back(e);
  }
  return {};
}

status offset_index::append(int64_t offset, int64_t position) {
  uint8_t b[entry_size];
  big_endian::store_u32(b, static_cast<uint32_t>(offset - base_offset_));
  big_endian::store_u32(b + 4, static_cast<uint32_t>(position));
  pending_.insert(pending_.end(), b, b + entry_size);
  entries_.push_back({offset, position});
  return {};
}

index_position offset_index::lookup(int64_t offset) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                             [](int64_t o, const index_position& e) { return o < e.offset; });
  if (it == entries_.begin()) return {base_offset_, 0};
  return *std::prev(it);
}

std::optional<index_position> offset_index::last_at_or_before_position(int64_t position) const {
  // Positions ascend with offsets (load() checks it), so one binary search does.
  auto it = std::upper_bound(entries_.begin(), entries_.end(), position,
                             [](int64_t p, const index_position& e) { return p < e.position; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

status offset_index::truncate_to(int64_t offset) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                             [](const index_position& e, int64_t o) { return e.offset < o; });
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

status offset_index::reset() {
  entries_.clear();
  pending_.clear();
  unsynced_ = true;
  return file_->truncate(0);
}

std::optional<index_position> offset_index::last() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

}  // namespace samsa::storage
