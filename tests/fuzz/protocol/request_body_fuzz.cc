// Fuzzes every request decoder: bytes 0-1 pick the api key and bytes 2-3 the
// version (used as-is when valid, else folded into a valid pair), the rest is
// the body. Decoding must never crash or over-allocate; a body that decodes
// must encode, decode and encode again to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "protocol/api_keys.h"
#include "protocol/bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace samsa::protocol;
  if (size < 4) return 0;
  auto raw_key = static_cast<int16_t>((data[0] << 8) | data[1]);
  auto raw_version = static_cast<int16_t>((data[2] << 8) | data[3]);
  const api_info* api = find_api(raw_key);
  if (api == nullptr) {
    auto apis = all_apis();
    api = &apis[static_cast<uint16_t>(raw_key) % apis.size()];
  }
  int16_t version = raw_version;
  if (version < api->min_version || version > api->max_version) {
    const int span = api->max_version - api->min_version + 1;
    version = static_cast<int16_t>(api->min_version + static_cast<uint16_t>(raw_version) % span);
  }
  const auto key = static_cast<int16_t>(api->key);

  reader r(std::span<const uint8_t>(data + 4, size - 4));
  auto body = decode_request_body(key, version, r);
  if (!body.ok()) return 0;
  writer w;
  encode_body(*body, w, version);
  if (!w.ok()) return 0;
  reader again(w.buffer());
  auto back = decode_request_body(key, version, again);
  if (!back.ok() || again.remaining() != 0) std::abort();
  // Compare encodings rather than values, so NaN doubles do not count as a change.
  writer w2;
  encode_body(*back, w2, version);
  if (w2.buffer() != w.buffer()) std::abort();
  return 0;
}
