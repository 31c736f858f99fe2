// JSON Schema text from a client: parse, normalize, compare with itself and
// a fixed schema both ways (refs, combinators, cycles) without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registry/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace samsa::registry::json_schema;
  static const auto fixed =
      *parse(R"({"type":"object","properties":{"a":{"type":"string","maxLength":3}},"required":["a"]})", {});
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto s = parse(text, {});
  if (!s) return 0;
  (void)normalized(**s);
  (void)read_problems(**s, **s);
  (void)read_problems(**s, *fixed);
  (void)read_problems(*fixed, **s);
  return 0;
}
