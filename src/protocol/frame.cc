#include "protocol/frame.h"

#include <fmt/format.h>

namespace samsa::protocol {

result<request_header_data> decode_request_header(reader& r) {
  if (r.remaining() < 8) {
    return make_error(std::errc::bad_message,
                      fmt::format("request header needs at least 8 bytes, frame has {}",
                                  r.remaining()));
  }
  // Peek without consuming: a copy of the reader shares the same bytes.
  reader peek = r;
  const int16_t key = peek.read_int16();
  const int16_t version = peek.read_int16();
  request_header_data header;
  header.decode(r, request_header_version(key, version));
  if (!r.ok()) {
    return make_error(std::errc::bad_message,
                      fmt::format("request header (api key {} version {}): {}", key, version,
                                  r.error()));
  }
  return header;
}

size_t begin_frame(writer& w) { return w.reserve_int32(); }

void end_frame(writer& w, size_t size_position) { w.patch_size_prefix(size_position); }

void encode_response_header(writer& w, int32_t correlation_id, int16_t api_key, int16_t version) {
  response_header_data header;
  header.correlation_id = correlation_id;
  header.encode(w, response_header_version(api_key, version));
}

void encode_request_header(writer& w, const request_header_data& header) {
  header.encode(w, request_header_version(header.request_api_key, header.request_api_version));
}

}  // namespace samsa::protocol
