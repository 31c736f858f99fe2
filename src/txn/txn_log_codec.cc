#include "txn/txn_log_codec.h"

#include <algorithm>
#include <system_error>

#include "base/big_endian.h"

namespace samsa::txn {

namespace {

error bad(const std::string& what) {
  return error(std::make_error_code(std::errc::illegal_byte_sequence), "__transaction_state record: " + what);
}

void put_string(big_endian::byte_writer& out, const std::string& s) {
  out.i16(static_cast<int16_t>(s.size()));
  out.bytes(s.data(), s.size());
}

bool get_string(big_endian::byte_reader& in, std::string& out) {
  int16_t n = in.i16();
  if (!in.ok() || n < 0 || static_cast<size_t>(n) > in.remaining()) return false;
  auto view = in.view(static_cast<size_t>(n));
  out.assign(reinterpret_cast<const char*>(view.data()), view.size());
  return in.ok();
}

bool stored_state(int8_t raw, txn_state& out) {
  switch (static_cast<txn_state>(raw)) {
    case txn_state::empty:
    case txn_state::ongoing:
    case txn_state::prepare_commit:
    case txn_state::prepare_abort:
    case txn_state::complete_commit:
    case txn_state::complete_abort:
      out = static_cast<txn_state>(raw);
      return true;
    default:
      return false;  // dead and prepare_epoch_fence live only in memory
  }
}

}  // namespace

bytes encode_txn_key(const std::string& transactional_id) {
  big_endian::byte_writer out;
  out.i16(txn_key_version);
  put_string(out, transactional_id);
  return out.take();
}

bytes encode_txn_value(const txn_record& r) {
  big_endian::byte_writer out;
  out.i16(txn_value_version);
  out.i64(r.producer_id);
  out.i64(r.previous_producer_id);
  out.i16(r.producer_epoch);
  out.i16(r.previous_producer_epoch);
  out.i32(r.timeout_ms);
  out.u8(static_cast<uint8_t>(r.state));
  // Grouped by topic, as Kafka's TransactionPartitions.
  std::vector<std::pair<std::string, std::vector<int32_t>>> topics;
  for (const auto& tp : r.partitions) {
    if (topics.empty() || topics.back().first != tp.topic) topics.push_back({tp.topic, {}});
    topics.back().second.push_back(tp.partition);
  }
  out.i32(static_cast<int32_t>(topics.size()));
  for (const auto& [topic, parts] : topics) {
    put_string(out, topic);
    out.i32(static_cast<int32_t>(parts.size()));
    for (int32_t p : parts) out.i32(p);
  }
  out.i64(r.last_update_ms);
  out.i64(r.start_ms);
  out.u8(static_cast<uint8_t>(r.client_version));
  return out.take();
}

result<std::string> decode_txn_key(std::span<const uint8_t> key) {
  big_endian::byte_reader in(key);
  int16_t version = in.i16();
  if (!in.ok()) return bad("key shorter than its version");
  if (version != txn_key_version) return bad("unknown key version " + std::to_string(version));
  std::string id;
  if (!get_string(in, id)) return bad("key's transactional id is truncated");
  if (id.empty()) return bad("empty transactional id");
  return id;
}

result<txn_record> decode_txn_value(std::span<const uint8_t> value) {
  big_endian::byte_reader in(value);
  txn_record r;
  int16_t version = in.i16();
  if (!in.ok() || version < 0) return bad("value has no valid version");
  r.producer_id = in.i64();
  r.previous_producer_id = in.i64();
  r.producer_epoch = in.i16();
  r.previous_producer_epoch = in.i16();
  r.timeout_ms = in.i32();
  int8_t raw_state = static_cast<int8_t>(in.u8());
  if (!in.ok()) return bad("value truncated before its state");
  if (!stored_state(raw_state, r.state)) return bad("unknown or unstorable state " + std::to_string(raw_state));
  int32_t topic_count = in.i32();
  // Each topic takes at least 6 bytes (empty name, zero partitions).
  if (!in.ok() || topic_count < 0 || static_cast<size_t>(topic_count) > in.remaining() / 6) {
    return bad("bad topic count");
  }
  for (int32_t t = 0; t < topic_count; ++t) {
    std::string topic;
    if (!get_string(in, topic)) return bad("truncated topic name");
    int32_t n = in.i32();
    if (!in.ok() || n < 0 || static_cast<size_t>(n) > in.remaining() / 4) return bad("bad partition count");
    for (int32_t i = 0; i < n; ++i) r.partitions.push_back({topic, in.i32()});
  }
  r.last_update_ms = in.i64();
  r.start_ms = in.i64();
  r.client_version = static_cast<int8_t>(in.u8());
  if (!in.ok()) return bad("value truncated");
  std::sort(r.partitions.begin(), r.partitions.end());
  r.partitions.erase(std::unique(r.partitions.begin(), r.partitions.end()), r.partitions.end());
  return r;
}

}  // namespace samsa::txn
