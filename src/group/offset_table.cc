#include "group/offset_table.h"

#include <utility>

namespace samsa::group {

namespace {

// A std::map node with its key and value, and the allocator's rounding:
// measured sizes are close enough for a memory bound, exactness is not the
// point.
constexpr size_t entry_overhead_bytes = 160;

}  // namespace

size_t offset_table::cost(const topic_partition& tp, const std::string& metadata) {
  return entry_overhead_bytes + tp.topic.size() + metadata.size();
}

offset_table::offset_table(offset_table&& other) noexcept
    : entries_(std::move(other.entries_)), bytes_(other.bytes_), usage_(other.usage_) {
  other.entries_.clear();
  other.bytes_ = 0;
}

offset_table& offset_table::operator=(offset_table&& other) noexcept {
  if (this == &other) return *this;
  release();
  const size_t moved = other.bytes_;
  const size_t moved_entries = other.entries_.size();
  other.subtract(moved);
  if (other.usage_ != nullptr) other.usage_->entries -= moved_entries;
  entries_ = std::move(other.entries_);
  other.entries_.clear();
  add(moved);
  if (usage_ != nullptr) usage_->entries += moved_entries;
  return *this;
}

void offset_table::attach(offset_usage* usage) {
  if (usage_ == usage) return;
  if (usage_ != nullptr) {
    usage_->bytes -= bytes_;
    usage_->entries -= entries_.size();
  }
  usage_ = usage;
  if (usage_ != nullptr) {
    usage_->bytes += bytes_;
    usage_->entries += entries_.size();
  }
}

void offset_table::set(const topic_partition& tp, offset_entry entry) {
  const size_t new_cost = cost(tp, entry.metadata);
  auto it = entries_.find(tp);
  if (it == entries_.end()) {
    entries_.emplace(tp, std::move(entry));
    if (usage_ != nullptr) ++usage_->entries;
  } else {
    subtract(cost(tp, it->second.metadata));
    it->second = std::move(entry);
  }
  add(new_cost);
}

void offset_table::erase(const topic_partition& tp) {
  auto it = entries_.find(tp);
  if (it != entries_.end()) erase(it);
}

offset_table::map_type::const_iterator offset_table::erase(map_type::const_iterator it) {
  subtract(cost(it->first, it->second.metadata));
  if (usage_ != nullptr) --usage_->entries;
  return entries_.erase(it);
}

void offset_table::add(size_t c) {
  bytes_ += c;
  if (usage_ != nullptr) usage_->bytes += c;
}

void offset_table::subtract(size_t c) {
  bytes_ -= c;
  if (usage_ != nullptr) usage_->bytes -= c;
}

void offset_table::release() {
  if (usage_ != nullptr) {
    usage_->bytes -= bytes_;
    usage_->entries -= entries_.size();
  }
  bytes_ = 0;
  entries_.clear();
}

}  // namespace samsa::group
