// Record values from a topic (`samsa consume --decode`): the header, the
// Protobuf message indexes and the Avro and Protobuf payloads of fixed
// schemas must decode or fail cleanly, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "registry/avro_json.h"
#include "registry/avro_schema.h"
#include "registry/protobuf_schema.h"
#include "registry/wire_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace samsa::registry;
  static const auto avro_schema = *avro::parse(
      R"({"type":"record","name":"R","fields":[{"name":"a","type":["null","long","string"]},{"name":"m","type":{"type":"map","values":{"type":"array","items":"double"}}},{"name":"e","type":{"type":"enum","name":"E","symbols":["X"]}},{"name":"f","type":{"type":"fixed","name":"F","size":2}}]})",
      {});
  static const auto proto_schema =
      *protobuf::parse(R"(syntax = "proto3"; message M { int32 a = 1; message N { repeated string s = 1; } N n = 2; map<string, int64> m = 3; })", {});
  std::span<const uint8_t> value(data, size);
  auto header = read_wire_header(value);
  if (!header) return 0;
  size_t offset = header->payload_offset;
  (void)avro::decode_to_json(*avro_schema, value.subspan(offset));
  (void)avro::decode_to_json(*avro_schema, value.subspan(offset), avro::json_style::plain);
  auto indexes = read_message_indexes(value, offset);
  if (indexes) (void)protobuf_decode(*proto_schema, *indexes, value.subspan(offset));
  return 0;
}
