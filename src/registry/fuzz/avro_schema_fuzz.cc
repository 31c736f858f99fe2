// Avro schema text from a client: parse it, normalize it, and compare it
// with itself and a fixed schema both ways, without crashing or looping.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registry/avro_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace samsa::registry::avro;
  static const auto fixed = *parse(R"({"type":"record","name":"R","fields":[{"name":"a","type":["null","long"]}]})", {});
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto s = parse(text, {});
  if (!s) return 0;
  (void)normalized(**s);
  (void)read_problems(**s, **s);
  (void)read_problems(**s, *fixed);
  (void)read_problems(*fixed, **s);
  return 0;
}
