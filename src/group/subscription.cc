#include "group/subscription.h"

namespace samsa::group {

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
  if (!r.ok()) {
    return make_error(std::errc::illegal_byte_sequence, "consumer subscription: truncated or malformed");
  }
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

}  // namespace samsa::group
