// Avro values as JSON, per the Avro specification's JSON encoding (what
// Confluent's avro console tools, REST Proxy and the Avro libraries write
// and read):
//   - a union value is null, or an object with one key naming its branch:
//     {"string": "hi"}, {"int": 5}, {"com.acme.Payment": {...}} (named types
//     by their full name);
//   - bytes and fixed are strings whose code points 0-255 are the bytes
//     (byte 0xE9 is "\u00e9");
//   - float and double NaN and infinities are the strings "NaN",
//     "Infinity", "-Infinity";
//   - enums are their symbols; records, maps and arrays nest; logical types
//     keep their underlying type's form (a timestamp-millis is a number).
//
// Encoding (JSON -> binary) also takes a bare union value when exactly one
// branch accepts it, for people typing JSON by hand; when several do, it
// refuses and says how to wrap it. Missing record fields take their default
// (where, as the spec says, a union's default is a value of its first
// branch, unwrapped).
//
// Work is bounded: at most max_steps values visited (trying union branches
// on a bare value counts too), nesting at most max_depth, so a hostile
// schema and value cannot take unbounded CPU or stack. Every error names
// the value's JSON pointer ("at /lines/2/amount").
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace samsa::registry::avro {

class schema;

// spec: the Avro JSON encoding above (everything a user reads).
// plain: union values unwrapped and bytes/fixed as their raw text, for the
// PostgreSQL sink, whose columns want the values themselves.
enum class json_style { spec, plain };

inline constexpr int64_t max_steps = 1'000'000;
inline constexpr int max_depth = 128;

// JSON -> Avro binary. Refusals: std::errc::bad_message, with the path.
result<std::string> encode_from_json(const schema& s, const nlohmann::json& value);

// Avro binary -> JSON, records' fields in the schema's order. Truncated,
// trailing or malformed bytes are errors. Strings that are not UTF-8 stay as
// they are in the JSON value: dump it with error_handler_t::replace.
result<nlohmann::ordered_json> decode_to_json(const schema& s, std::span<const uint8_t> payload,
                                      json_style style = json_style::spec);

}  // namespace samsa::registry::avro
