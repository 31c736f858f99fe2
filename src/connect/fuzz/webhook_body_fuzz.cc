// Webhook bodies come from the network: any bytes become records or a
// refusal, never a crash, and the content-type check takes any header text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "connect/webhook_records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)samsa::connect::records_from_body(body, std::nullopt);
  (void)samsa::connect::records_from_body(body, std::string("id"), samsa::connect::webhook_limits{10, 16});
  (void)samsa::connect::is_json_content_type(body.substr(0, 64));
  return 0;
}
