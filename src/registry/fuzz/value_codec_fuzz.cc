// A schema and a value from outside (produce --value-schema, the HTTP proxy,
// `samsa source http`): parsing the schema, validating and encoding the value
// must refuse cleanly or succeed, whatever the texts, and what was encoded
// must decode again. Input: one byte picking the format (AVRO, JSON,
// PROTOBUF), the schema text, a NUL byte, the value's JSON text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "registry/parsed_schema.h"
#include "registry/value_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace samsa::registry;
  if (size < 2) return 0;
  static const schema_type types[] = {schema_type::avro, schema_type::json, schema_type::protobuf};
  schema_type type = types[data[0] % 3];
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t nul = rest.find('\0');
  if (nul == std::string::npos) return 0;
  auto schema = parse_schema(type, std::string_view(rest).substr(0, nul), {});
  if (!schema) return 0;
  auto encoded = encode_value(*schema, 1, rest.substr(nul + 1));
  if (!encoded) return 0;
  auto bytes = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(encoded->data()), encoded->size());
  if (!decode_value(*schema, bytes, 5)) std::abort();  // we wrote something we cannot read back
  return 0;
}
