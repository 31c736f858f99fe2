#include "storage/txn_index.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/big_endian.h"
#include "storage/batch_ops.h"

namespace samsa::storage {
namespace {

namespace be = samsa::big_endian;

// Layout of one entry: producer id, first offset, last offset (int64 each,
// big-endian), then the CRC-32C of those 24 bytes (uint32, big-endian).
void encode(const aborted_txn& e, uint8_t* out) {
  be::store_u64(out, static_cast<uint64_t>(e.producer_id));
  be::store_u64(out + 8, static_cast<uint64_t>(e.first_offset));
  be::store_u64(out + 16, static_cast<uint64_t>(e.last_offset));
  be::store_u32(out + 24, crc32c(std::span<const uint8_t>(out, 24)));
}

}  // namespace

std::vector<aborted_txn> aborted_in_range(const std::vector<aborted_txn>& entries, int64_t from, int64_t to) {
  std::vector<aborted_txn> out;
  for (const auto& e : entries) {
    if (e.last_offset >= from && e.first_offset < to) out.push_back(e);
  }
  return out;
}

bool aborted_set::contains(const batch_info& b) const {
  if (!is_transactional_batch(b) || is_control_batch(b)) return false;
  auto it = by_producer_.find(b.producer_id);
  if (it == by_producer_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const auto& e) { return e.first_offset <= b.base_offset && b.base_offset <= e.last_offset; });
}

std::optional<aborted_txn> aborted_set::ending_at(int64_t producer_id, int64_t marker_offset) const {
  auto it = by_producer_.find(producer_id);
  if (it == by_producer_.end()) return std::nullopt;
  for (const auto& e : it->second)
    if (e.last_offset == marker_offset) return e;
  return std::nullopt;
}

result<std::unique_ptr<txn_index>> txn_index::open(file_system& fs, const std::string& path) {
  auto f = lazy_file::open(fs, path, open_mode::create);
  if (!f) return f.err();
  std::unique_ptr<txn_index> idx(new txn_index(fs, *f));
  const int64_t size = (*f)->size();
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0) {
    auto n = (*f)->read_at(0, bytes);
    if (!n) return n.err();
    bytes.resize(*n);
  }
  int64_t valid = 0;
  for (size_t pos = 0; pos + entry_bytes <= bytes.size(); pos += entry_bytes) {
    const uint8_t* p = bytes.data() + pos;
    if (be::load_u32(p + 24) != crc32c(std::span<const uint8_t>(p, 24))) break;
    aborted_txn e{static_cast<int64_t>(be::load_u64(p)), static_cast<int64_t>(be::load_u64(p + 8)),
                  static_cast<int64_t>(be::load_u64(p + 16))};
    if (e.first_offset < 0 || e.first_offset > e.last_offset) break;
    if (!idx->entries_.empty() && e.last_offset <= idx->entries_.back().last_offset) break;
    idx->entries_.push_back(e);
    valid = static_cast<int64_t>(pos) + entry_bytes;
  }
  if (valid < size) {
    spdlog::warn("{}: cut {} damaged byte(s) off the transaction index", path, size - valid);
    if (auto s = (*f)->truncate(valid); !s) return s.err();
    idx->dirty_ = true;
  }
  (*f)->release();
  return idx;
}

status txn_index::append(const aborted_txn& entry) {
  uint8_t buf[entry_bytes];
  encode(entry, buf);
  const int64_t before = file_->size();
  if (auto s = file_->append(buf); !s) {
    (void)file_->truncate(before);
    return s;
  }
  entries_.push_back(entry);
  dirty_ = true;
  return {};
}

status txn_index::truncate_from(int64_t offset) {
  auto keep = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.last_offset >= offset; });
  if (keep == entries_.end()) return {};
  const auto n = static_cast<int64_t>(keep - entries_.begin());
  if (auto s = file_->truncate(n * entry_bytes); !s) return s;
  entries_.erase(keep, entries_.end());
  dirty_ = true;
  return {};
}

status txn_index::erase(const std::vector<aborted_txn>& gone) {
  std::vector<aborted_txn> kept;
  for (const auto& e : entries_)
    if (std::find(gone.begin(), gone.end(), e) == gone.end()) kept.push_back(e);
  if (kept.size() == entries_.size()) return {};
  std::vector<uint8_t> bytes(kept.size() * static_cast<size_t>(entry_bytes));
  for (size_t i = 0; i < kept.size(); ++i) encode(kept[i], bytes.data() + i * static_cast<size_t>(entry_bytes));
  const std::string path = file_->path();
  if (auto s = write_file_atomic(fs_, path, bytes); !s) return s;
  // The name now holds a new file: reopen so sizes and appends follow it.
  auto f = lazy_file::open(fs_, path, open_mode::create);
  if (!f) return f.err();
  (*f)->release();
  file_ = *f;
  entries_ = std::move(kept);
  return {};
}

status txn_index::sync() {
  if (!dirty_) return {};
  if (auto s = file_->sync(); !s) return s;
  dirty_ = false;
  return {};
}

std::shared_ptr<lazy_file> txn_index::take_unsynced() {
  if (!dirty_) return nullptr;
  dirty_ = false;
  return file_;
}

status txn_index::remove(file_system& fs) { return fs.remove_file(file_->path()); }

}  // namespace samsa::storage
