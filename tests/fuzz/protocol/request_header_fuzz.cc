// Fuzzes request header decoding: arbitrary bytes (a frame without its size
// prefix) must never crash; a header that decodes must survive encode/decode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "protocol/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace samsa::protocol;
  reader r(std::span<const uint8_t>(data, size));
  auto header = decode_request_header(r);
  if (!header.ok()) return 0;
  writer w;
  encode_request_header(w, *header);
  if (!w.ok()) return 0;  // e.g. client id longer than an int16 length allows
  reader again(w.buffer());
  auto back = decode_request_header(again);
  if (!back.ok() || !(*back == *header) || again.remaining() != 0) std::abort();
  return 0;
}
