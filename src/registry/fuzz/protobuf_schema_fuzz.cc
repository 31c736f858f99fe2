// .proto text (or base64 descriptors) from a client: parse with protoc's
// parser, build, normalize, compare with itself and a fixed schema.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registry/protobuf_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace samsa::registry::protobuf;
  static const auto fixed = *parse(R"(syntax = "proto3"; message M { int32 a = 1; oneof o { string b = 2; } })", {});
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto s = parse(text, {});
  if (!s) return 0;
  (void)normalized(**s);
  (void)read_problems(**s, **s);
  (void)read_problems(**s, *fixed);
  (void)read_problems(*fixed, **s);
  return 0;
}
