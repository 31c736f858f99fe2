// The search's JSON Pointer comes from a URL: parse any bytes, and resolve
// what parses against a small document, without crashing or looping.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/json_pointer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const nlohmann::json doc =
      nlohmann::json::parse(R"({"a": [1, {"b/c": "x", "~": [true]}], "": null, "n": 3})");
  auto p = samsa::http::parse_json_pointer(std::string_view(reinterpret_cast<const char*>(data), size));
  if (p) (void)samsa::http::resolve(*p, doc);
  return 0;
}
