// The HTTP Basic Authorization header parser on arbitrary bytes: it must
// never crash, and what it accepts must round-trip (user without ':', no
// control characters).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/http_auth_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view header(reinterpret_cast<const char*>(data), size);
  auto parsed = samsa::http::parse_basic_authorization(header);
  if (parsed) {
    if (parsed->user.empty() || parsed->user.find(':') != std::string::npos) std::abort();
    for (unsigned char c : parsed->user + parsed->password)
      if (c < 0x20 || c == 0x7f) std::abort();
  }
  return 0;
}
