// What the registry knows about one schema, whatever its format: the type,
// the text a client registered, and the other schemas it references by name.
// The format libraries (avro_schema, json_schema, protobuf_schema) parse the
// text; parsed_schema (schema_parse.h) is the common face the registry uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::registry {

enum class schema_type { avro, json, protobuf };

// "AVRO", "JSON", "PROTOBUF" (the names the REST API uses).
std::string_view type_name(schema_type type);
std::optional<schema_type> parse_type_name(std::string_view name);

// A reference names another registered schema (subject + version) and the
// name under which this schema refers to it: a Protobuf import path, an Avro
// full type name, a JSON Schema $ref URL.
struct schema_reference {
  std::string name;
  std::string subject;
  int32_t version = 0;
  bool operator==(const schema_reference&) const = default;
  auto operator<=>(const schema_reference&) const = default;
};

// A referenced schema's text, resolved by the registry before parsing.
// Listed dependencies first (a referenced schema's own references come
// before it), so a parser can build them in order.
struct resolved_dependency {
  std::string name;
  schema_type type = schema_type::avro;
  std::string text;
};

// Bounds on what a client can make the parsers chew on.
inline constexpr size_t max_schema_bytes = 1 << 20;
inline constexpr int max_schema_depth = 64;  // nesting of JSON arrays/objects or types
inline constexpr size_t max_references = 100;

}  // namespace samsa::registry
