#include "group/subscription.h"

namespace samsa::group {

namespace {

// Array counts in these blobs come from clients; a count that cannot fit in
// the bytes left is refused by array_length(), so nothing here allocates
// more than the blob's size allows.
bool read_partitions(byte_reader& r, named_partitions& out) {
  const int32_t topics = r.array_length();
  for (int32_t i = 0; i < topics && r.ok(); ++i) {
    std::string topic = r.string();
    const int32_t n = r.array_length();
    auto& set = out[topic];
    for (int32_t k = 0; k < n && r.ok(); ++k) {
      const int32_t p = r.int32();
      if (p < 0) return false;
      set.insert(p);
    }
    if (set.empty()) out.erase(topic);
  }
  return r.ok();
}

void write_partitions(byte_writer& w, const named_partitions& parts) {
  w.int32(static_cast<int32_t>(parts.size()));
  for (const auto& [topic, ps] : parts) {
    w.string(topic);
    w.int32(static_cast<int32_t>(ps.size()));
    for (int32_t p : ps) w.int32(p);
  }
}

error malformed(const char* what) {
  return error(std::make_error_code(std::errc::illegal_byte_sequence), what);
}

}  // namespace

result<consumer_subscription> decode_consumer_subscription(const bytes& metadata) {
  byte_reader r(metadata);
  consumer_subscription s;
  s.version = r.int16();
  if (r.ok() && s.version < 0) {
    return make_error(std::errc::illegal_byte_sequence,
                      "consumer subscription: negative version " + std::to_string(s.version));
  }
  const int32_t count = r.array_length();
  for (int32_t i = 0; i < count && r.ok(); ++i) s.topics.push_back(r.string());
  s.user_data = r.nullable_bytes();
  if (r.ok() && s.version >= 1 && !read_partitions(r, s.owned)) {
    return malformed("consumer subscription: malformed owned partitions");
  }
  if (r.ok() && s.version >= 2) s.generation_id = r.int32();
  if (r.ok() && s.version >= 3) s.rack_id = r.nullable_string();
  if (!r.ok()) return malformed("consumer subscription: truncated or malformed");
  return s;
}

bytes encode_consumer_subscription(const std::vector<std::string>& topics) {
  byte_writer w;
  w.int16(0);
  w.int32(static_cast<int32_t>(topics.size()));
  for (const auto& t : topics) w.string(t);
  w.int32(-1);
  return w.take();
}

bytes encode_consumer_subscription(int16_t version, const std::vector<std::string>& topics,
                                   const named_partitions& owned, std::optional<std::string> rack_id) {
  byte_writer w;
  w.int16(version);
  w.int32(static_cast<int32_t>(topics.size()));
  for (const auto& t : topics) w.string(t);
  w.int32(-1);
  if (version >= 1) write_partitions(w, owned);
  if (version >= 2) w.int32(-1);
  if (version >= 3) w.nullable_string(rack_id);
  return w.take();
}

result<consumer_assignment> decode_consumer_assignment(const bytes& data) {
  byte_reader r(data);
  consumer_assignment a;
  const int16_t version = r.int16();
  if (r.ok() && version < 0) return malformed("consumer assignment: negative version");
  if (!read_partitions(r, a.partitions)) return malformed("consumer assignment: malformed partitions");
  a.user_data = r.nullable_bytes();
  if (!r.ok()) return malformed("consumer assignment: truncated or malformed");
  return a;
}

bytes encode_consumer_assignment(int16_t version, const named_partitions& partitions) {
  byte_writer w;
  w.int16(version < 0 ? 0 : version);
  write_partitions(w, partitions);
  w.int32(-1);
  return w.take();
}

}  // namespace samsa::group
