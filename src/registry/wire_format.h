// Confluent's wire format for schema-registry records: magic byte 0, the
// schema id (4 bytes, big-endian), for Protobuf the message indexes (a
// zigzag varint count, then zigzag varint indexes into the file's nested
// message tree; a lone 0 means [0], the first message), then the payload:
// Avro binary (avro_json converts it from and to JSON), Protobuf binary, or
// JSON text.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace samsa::registry {

namespace protobuf {
class schema;
}

struct wire_header {
  int32_t schema_id = 0;
  size_t payload_offset = 5;
};

// Magic byte and id; errors name what is wrong (no magic byte, too short).
result<wire_header> read_wire_header(std::span<const uint8_t> value);
std::string wire_prefix(int32_t schema_id);

// Protobuf message indexes after the header; moves `offset` past them.
result<std::vector<int32_t>> read_message_indexes(std::span<const uint8_t> value, size_t& offset);
std::string message_indexes(const std::vector<int32_t>& indexes);

// Protobuf through libprotobuf's DynamicMessage and JSON mapping. `message`
// is a full name ("" = the file's first message); indexes are Confluent's.
result<std::string> protobuf_encode(const protobuf::schema& s, const std::string& message, const std::string& json_text,
                                    std::vector<int32_t>& indexes_out);
result<std::string> protobuf_decode(const protobuf::schema& s, const std::vector<int32_t>& indexes,
                                    std::span<const uint8_t> payload);

}  // namespace samsa::registry
