#include "group/offsets_codec.h"

#include <fmt/format.h>

namespace samsa::group {

namespace {

constexpr int16_t offset_key_version = 1;
constexpr int16_t group_key_version = 2;
constexpr int16_t offset_value_version = 3;
constexpr int16_t group_value_version = 3;

error bad_record(std::string what) {
  return make_error(std::errc::illegal_byte_sequence, "__consumer_offsets record: " + std::move(what));
}

}  // namespace

bytes encode_offset_commit_key(const offset_commit_key& key) {
  byte_writer w;
  w.int16(offset_key_version);
  w.string(key.group);
  w.string(key.topic);
  w.int32(key.partition);
  return w.take();
}

bytes encode_offset_commit_value(const offset_commit_value& value) {
  byte_writer w;
  if (value.expire_timestamp) {
    // Only value version 1 has an expiry time (an OffsetCommit v2-4 with a
    // retention time); it has no leader epoch, as in Kafka.
    w.int16(1);
    w.int64(value.offset);
    w.string(value.metadata);
    w.int64(value.commit_timestamp);
    w.int64(*value.expire_timestamp);
    return w.take();
  }
  w.int16(offset_value_version);
  w.int64(value.offset);
  w.int32(value.leader_epoch);
  w.string(value.metadata);
  w.int64(value.commit_timestamp);
  return w.take();
}

bytes encode_group_metadata_key(std::string_view group) {
  byte_writer w;
  w.int16(group_key_version);
  w.string(group);
  return w.take();
}

bytes encode_group_metadata_value(const group_metadata_value& value) {
  byte_writer w;
  w.int16(group_value_version);
  w.string(value.protocol_type);
  w.int32(value.generation);
  w.nullable_string(value.protocol);
  w.nullable_string(value.leader);
  w.int64(value.current_state_timestamp);
  w.int32(static_cast<int32_t>(value.members.size()));
  for (const auto& m : value.members) {
    w.string(m.member_id);
    w.nullable_string(m.group_instance_id);
    w.string(m.client_id);
    w.string(m.client_host);
    w.int32(m.rebalance_timeout_ms);
    w.int32(m.session_timeout_ms);
    w.bytes_field(m.subscription);
    w.bytes_field(m.assignment);
  }
  return w.take();
}

result<record_key> decode_record_key(const bytes& key) {
  byte_reader r(key);
  const int16_t version = r.int16();
  if (!r.ok()) return bad_record("key shorter than its version");
  if (version == 0 || version == 1) {
    offset_commit_key k;
    k.group = r.string();
    k.topic = r.string();
    k.partition = r.int32();
    if (!r.ok()) return bad_record(fmt::format("truncated offset commit key v{}", version));
    return record_key{std::move(k)};
  }
  if (version == 2) {
    group_metadata_key k;
    k.group = r.string();
    if (!r.ok()) return bad_record("truncated group metadata key");
    return record_key{std::move(k)};
  }
  return bad_record(fmt::format("unsupported key version {}", version));
}

result<offset_commit_value> decode_offset_commit_value(const bytes& value) {
  byte_reader r(value);
  const int16_t version = r.int16();
  if (!r.ok() || version < 0 || version > 3) {
    return bad_record(fmt::format("unsupported offset commit value version {}", version));
  }
  offset_commit_value v;
  v.offset = r.int64();
  if (version >= 3) v.leader_epoch = r.int32();
  v.metadata = r.string();
  v.commit_timestamp = r.int64();
  if (version == 1) v.expire_timestamp = r.int64();
  if (!r.ok()) return bad_record(fmt::format("truncated offset commit value v{}", version));
  return v;
}

result<group_metadata_value> decode_group_metadata_value(const bytes& value) {
  byte_reader r(value);
  const int16_t version = r.int16();
  if (!r.ok() || version < 0 || version > 3) {
    return bad_record(fmt::format("unsupported group metadata value version {}", version));
  }
  group_metadata_value v;
  v.protocol_type = r.string();
  v.generation = r.int32();
  v.protocol = r.nullable_string();
  v.leader = r.nullable_string();
  if (version >= 2) v.current_state_timestamp = r.int64();
  const int32_t count = r.array_length();
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    member_record m;
    m.member_id = r.string();
    if (version >= 3) m.group_instance_id = r.nullable_string();
    m.client_id = r.string();
    m.client_host = r.string();
    m.rebalance_timeout_ms = version >= 1 ? r.int32() : 0;
    m.session_timeout_ms = r.int32();
    if (version == 0) m.rebalance_timeout_ms = m.session_timeout_ms;
    m.subscription = r.nullable_bytes().value_or(bytes{});
    m.assignment = r.nullable_bytes().value_or(bytes{});
    v.members.push_back(std::move(m));
  }
  if (!r.ok()) return bad_record(fmt::format("truncated group metadata value v{}", version));
  return v;
}

int32_t java_string_hash(std::string_view utf8) {
  uint32_t h = 0;
  auto add = [&h](uint32_t unit) { h = 31 * h + unit; };
  size_t i = 0;
  const size_t n = utf8.size();
  auto cont = [&](size_t at) {
    return at < n && (static_cast<uint8_t>(utf8[at]) & 0xC0) == 0x80;
  };
  while (i < n) {
    const uint8_t b = static_cast<uint8_t>(utf8[i]);
    uint32_t cp = 0xFFFD;  // what Java's decoder substitutes for malformed input
    size_t len = 1;
    if (b < 0x80) {
      cp = b;
    } else if ((b & 0xE0) == 0xC0 && b >= 0xC2 && cont(i + 1)) {
      cp = ((b & 0x1Fu) << 6) | (static_cast<uint8_t>(utf8[i + 1]) & 0x3Fu);
      len = 2;
    } else if ((b & 0xF0) == 0xE0 && cont(i + 1) && cont(i + 2)) {
      cp = ((b & 0x0Fu) << 12) | ((static_cast<uint8_t>(utf8[i + 1]) & 0x3Fu) << 6) |
           (static_cast<uint8_t>(utf8[i + 2]) & 0x3Fu);
      len = 3;
      if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    } else if ((b & 0xF8) == 0xF0 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      cp = ((b & 0x07u) << 18) | ((static_cast<uint8_t>(utf8[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<uint8_t>(utf8[i + 2]) & 0x3Fu) << 6) | (static_cast<uint8_t>(utf8[i + 3]) & 0x3Fu);
      len = 4;
      if (cp < 0x10000 || cp > 0x10FFFF) cp = 0xFFFD;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      add(0xD800 + (cp >> 10));
      add(0xDC00 + (cp & 0x3FF));
    } else {
      add(cp);
    }
    i += len;
  }
  return static_cast<int32_t>(h);
}

int32_t offsets_partition_for(std::string_view group_id, int32_t partitions) {
  if (partitions <= 0) return 0;
  const int32_t h = java_string_hash(group_id);
  const int32_t a = h == INT32_MIN ? 0 : (h < 0 ? -h : h);
  return a % partitions;
}

}  // namespace samsa::group
