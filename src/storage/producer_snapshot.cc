#include "storage/producer_snapshot.h"

#include <algorithm>

#include "base/big_endian.h"
#include "storage/batch_ops.h"
#include "storage/errc.h"
#include "storage/segment.h"

namespace samsa::storage {
namespace {

namespace be = samsa::big_endian;

constexpr int16_t snapshot_version = 1;
constexpr size_t head_bytes = 2 + 4;  // version, CRC
constexpr size_t producer_fixed_bytes = 8 + 2 + 8 + 8 + 1;
constexpr size_t batch_bytes = 4 + 4 + 8 + 8;

// Bounds-checked big-endian reader over the snapshot body.
class reader {
 public:
  explicit reader(std::span<const uint8_t> b) : b_(b) {}
  bool has(size_t n) const { return b_.size() - pos_ >= n; }
  template <typename T>
  T take() {
    T v = be::load<T>(b_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }
  size_t left() const { return b_.size() - pos_; }

 private:
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
};

}  // namespace

std::string snapshot_path(const std::string& dir, int64_t offset) {
  return join_path(dir, segment_file_name(offset, ".snapshot"));
}

std::vector<uint8_t> encode_producer_snapshot(const producer_snapshot& snap) {
  std::vector<uint8_t> out(head_bytes);
  be::append<uint64_t>(out, static_cast<uint64_t>(snap.offset));
  be::append<uint32_t>(out, static_cast<uint32_t>(snap.producers.size()));
  for (const auto& p : snap.producers) {
    be::append<uint64_t>(out, static_cast<uint64_t>(p.producer_id));
    be::append<uint16_t>(out, static_cast<uint16_t>(p.epoch));
    be::append<uint64_t>(out, static_cast<uint64_t>(p.last_update_ms));
    be::append<uint64_t>(out, static_cast<uint64_t>(p.txn_first_offset));
    const size_t n = std::min(p.recent.size(), txn::producer_state_table::batches_kept);
    be::append<uint8_t>(out, static_cast<uint8_t>(n));
    for (size_t i = p.recent.size() - n; i < p.recent.size(); ++i) {
      const auto& b = p.recent[i];
      be::append<uint32_t>(out, static_cast<uint32_t>(b.first_sequence));
      be::append<uint32_t>(out, static_cast<uint32_t>(b.last_sequence));
      be::append<uint64_t>(out, static_cast<uint64_t>(b.base_offset));
      be::append<uint64_t>(out, static_cast<uint64_t>(b.append_time_ms));
    }
  }
  be::store_u16(out.data(), static_cast<uint16_t>(snapshot_version));
  be::store_u32(out.data() + 2, crc32c(std::span<const uint8_t>(out).subspan(head_bytes)));
  return out;
}

result<producer_snapshot> decode_producer_snapshot(std::span<const uint8_t> bytes) {
  auto corrupt = [](const std::string& why) { return make_storage_error(errc::corrupt, "producer snapshot: " + why); };
  if (bytes.size() < head_bytes + 8 + 4) return corrupt("too short (" + std::to_string(bytes.size()) + " bytes)");
  const auto version = static_cast<int16_t>(be::load_u16(bytes.data()));
  if (version != snapshot_version) return corrupt("unknown version " + std::to_string(version));
  if (be::load_u32(bytes.data() + 2) != crc32c(bytes.subspan(head_bytes))) return corrupt("CRC mismatch");
  reader r(bytes.subspan(head_bytes));
  producer_snapshot snap;
  snap.offset = static_cast<int64_t>(r.take<uint64_t>());
  const uint32_t count = r.take<uint32_t>();
  if (snap.offset < 0) return corrupt("negative offset");
  // Each producer takes at least its fixed part: a count past that is a lie.
  if (count > r.left() / producer_fixed_bytes) return corrupt("producer count " + std::to_string(count) + " too large");
  snap.producers.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (!r.has(producer_fixed_bytes)) return corrupt("truncated producer entry");
    txn::producer_record p;
    p.producer_id = static_cast<int64_t>(r.take<uint64_t>());
    p.epoch = static_cast<int16_t>(r.take<uint16_t>());
    p.last_update_ms = static_cast<int64_t>(r.take<uint64_t>());
    p.txn_first_offset = static_cast<int64_t>(r.take<uint64_t>());
    const uint8_t n = r.take<uint8_t>();
    if (n > txn::producer_state_table::batches_kept) return corrupt("too many batches for one producer");
    if (!r.has(n * batch_bytes)) return corrupt("truncated batch entry");
    for (uint8_t j = 0; j < n; ++j) {
      txn::appended_batch b;
      b.first_sequence = static_cast<int32_t>(r.take<uint32_t>());
      b.last_sequence = static_cast<int32_t>(r.take<uint32_t>());
      b.base_offset = static_cast<int64_t>(r.take<uint64_t>());
      b.append_time_ms = static_cast<int64_t>(r.take<uint64_t>());
      p.recent.push_back(b);
    }
    snap.producers.push_back(std::move(p));
  }
  if (r.left() != 0) return corrupt(std::to_string(r.left()) + " trailing byte(s)");
  return snap;
}

std::vector<int64_t> snapshot_offsets(const std::vector<std::string>& names) {
  std::vector<int64_t> out;
  for (const auto& n : names)
    if (auto o = parse_segment_file_name(n, ".snapshot")) out.push_back(*o);
  std::sort(out.begin(), out.end());
  return out;
}

status write_producer_snapshot(file_system& fs, const std::string& dir, const producer_snapshot& snap) {
  const std::string path = snapshot_path(dir, snap.offset);
  const std::string tmp = path + ".tmp";
  auto bytes = encode_producer_snapshot(snap);
  auto f = fs.open(tmp, open_mode::create_truncate);
  if (!f) return f.err();
  if (auto s = (*f)->append(bytes); !s) return s;
  return fs.rename(tmp, path);
}

}  // namespace samsa::storage
