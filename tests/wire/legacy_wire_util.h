// Message format v0/v1 for the legacy wire tests: building what an old
// producer sends and reading what an old consumer gets back.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/records.h"
#include "record/legacy_message.h"

namespace samsa::wire_test {

struct old_message {
  int64_t offset = 0;  // absolute
  int8_t magic = 0;
  int64_t timestamp = -1;
  std::string key;    // "<null>" for a null key
  std::string value;  // "<null>" for a null value
  record::compression_type wrapper = record::compression_type::none;
  bool log_append_time = false;
};

inline std::span<const uint8_t> as_span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline std::string text_of(std::optional<std::span<const uint8_t>> b) {
  return b ? std::string(b->begin(), b->end()) : "<null>";
}

// A message set of keyed messages "k<i>"/"<prefix><i>" with timestamps
// 1700000000000 + i (magic 1), uncompressed or in one wrapper of `codec`.
inline std::vector<uint8_t> old_message_set(int8_t magic, record::compression_type codec, const std::string& prefix,
                                            int count) {
  std::vector<uint8_t> inner;
  for (int i = 0; i < count; ++i) {
    std::string k = "k" + std::to_string(i);
    std::string v = prefix + std::to_string(i);
    // A producer numbers the messages of a set from 0 (magic 1 wrappers
    // need it; the broker assigns the real offsets either way).
    record::legacy::append_message(inner, magic, i, 0, 1700000000000 + i, as_span(k), as_span(v));
  }
  if (codec == record::compression_type::none) return inner;
  std::vector<uint8_t> set;
  int64_t wrapper_offset = count - 1;
  if (!record::legacy::append_wrapper(set, magic, codec, wrapper_offset, 1700000000000 + count - 1, false, inner)) {
    throw std::runtime_error("append_wrapper failed");
  }
  return set;
}

// Every message of a fetched v0/v1 set (wrappers opened), with absolute
// offsets; a partial last message is allowed, as a reader must allow it.
inline std::vector<old_message> old_messages_in(const std::optional<protocol::records>& records) {
  if (!records) throw std::runtime_error("records is null");
  std::vector<old_message> out;
  auto parsed = record::legacy::parse_message_set(records->bytes(), record::legacy::trailing_bytes::allow);
  if (!parsed) throw std::runtime_error("fetched message set does not parse: " + parsed.err().describe());
  for (const auto& m : parsed->messages) {
    auto add = [&](const record::legacy::message& x, record::compression_type wrapper, bool append_time) {
      out.push_back({x.offset, x.magic, x.timestamp, text_of(x.key), text_of(x.value), wrapper, append_time});
    };
    if (m.codec() == record::compression_type::none) {
      add(m, m.codec(), m.log_append_time());
      continue;
    }
    std::vector<uint8_t> storage;
    auto inner = record::legacy::open_wrapper(m, storage, size_t{64} << 20);
    if (!inner) throw std::runtime_error("fetched wrapper does not open: " + inner.err().describe());
    record::legacy::absolute_offsets(m, *inner);
    for (const auto& x : *inner) add(x, m.codec(), m.log_append_time());
    if (m.magic == 1 && !m.log_append_time() && m.timestamp != inner->back().timestamp) {
      throw std::runtime_error("magic 1 wrapper timestamp is not its last (largest) inner timestamp");
    }
  }
  return out;
}

}  // namespace samsa::wire_test
