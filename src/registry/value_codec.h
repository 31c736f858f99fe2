// One value <-> Confluent's wire format with a schema already in hand (no
// registry call): what `schema_codec` does after fetching the schema, and
// what an in-process caller (the console's decoding, through the embedded
// registry's state) uses directly. Encoding validates first: JSON Schema
// values against the schema (json_validate), Avro and Protobuf values by
// their encoders, which refuse wrong types, missing fields and out-of-range
// numbers; every refusal names the value's JSON path. Avro values are in
// the Avro JSON encoding (avro_json.h: wrapped unions, bytes as code points).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"
#include "registry/avro_json.h"
#include "registry/parsed_schema.h"

namespace samsa::registry {

// Values larger than this are refused before parsing (a record value that
// large is beyond any broker's default message.max.bytes anyway).
inline constexpr size_t max_value_json_bytes = 16 << 20;

// JSON text -> magic byte, id, [message indexes,] payload. `message`: a
// Protobuf message's full name ("" = the file's first).
result<std::string> encode_value(const parsed_schema& s, int32_t id, const std::string& json_text,
                                 const std::string& message = "");

// The payload after the header (`payload_offset`, from read_wire_header) ->
// compact JSON text; strings that are not UTF-8 are shown with U+FFFD.
// Avro values follow the Avro JSON encoding (avro_json.h); `avro_style`
// plain is for the PostgreSQL sink only.
result<std::string> decode_value(const parsed_schema& s, std::span<const uint8_t> value, size_t payload_offset,
                                 avro::json_style avro_style = avro::json_style::spec);

}  // namespace samsa::registry
