// The offsets of one group (committed, or pending for one transactional
// producer), with the memory they hold counted into a total shared by every
// group of a coordinator. Every change goes through set() and erase(), and a
// table gives its share back when destroyed, so the total stays exact without
// walking the groups; the coordinator refuses commits that would take it past
// offsets.max.memory.bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "group/types.h"

namespace samsa::group {

struct offset_entry {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp = -1;
  std::optional<int64_t> expire_timestamp;
  // Number of the offset-log write that stored this entry (the coordinator's
  // write counter, which follows log order; replay numbers records the same
  // way). When a transaction commits, its offsets replace a committed one
  // only if written after it, as Kafka keeps whichever came later in the log.
  uint64_t write = 0;
};

// Offsets held by all tables attached to it: entries and an estimate of
// their bytes (strings plus the map node around them).
struct offset_usage {
  size_t entries = 0;
  size_t bytes = 0;
};

class offset_table {
 public:
  using map_type = std::map<topic_partition, offset_entry>;

  offset_table() = default;
  explicit offset_table(offset_usage* usage) : usage_(usage) {}
  ~offset_table() { release(); }
  // A moved table's entries leave the source's total and join this one's.
  offset_table(offset_table&& other) noexcept;
  offset_table& operator=(offset_table&& other) noexcept;
  offset_table(const offset_table&) = delete;
  offset_table& operator=(const offset_table&) = delete;

  // Counts this table (and what it holds from now on) into `usage`.
  void attach(offset_usage* usage);

  // What one entry costs, as counted.
  static size_t cost(const topic_partition& tp, const std::string& metadata);

  void set(const topic_partition& tp, offset_entry entry);
  void erase(const topic_partition& tp);
  map_type::const_iterator erase(map_type::const_iterator it);

  map_type::const_iterator find(const topic_partition& tp) const { return entries_.find(tp); }
  size_t count(const topic_partition& tp) const { return entries_.count(tp); }
  map_type::const_iterator begin() const { return entries_.begin(); }
  map_type::const_iterator end() const { return entries_.end(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Bytes this table counts.
  size_t bytes() const { return bytes_; }

 private:
  void add(size_t cost);
  void subtract(size_t cost);
  void release();

  map_type entries_;
  size_t bytes_ = 0;
  offset_usage* usage_ = nullptr;
};

}  // namespace samsa::group
