// One parsed schema of any format: what the registry stores, compares and
// deduplicates. Parsing is format-specific (avro_schema, json_schema,
// protobuf_schema); this is the common face.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "registry/schema.h"

namespace samsa::registry {

namespace avro {
class schema;
}
namespace json_schema {
struct schema;
}
namespace protobuf {
class schema;
}

class parsed_schema {
 public:
  schema_type type() const { return type_; }
  // The format's normalized text (what `normalize` stores and what decides
  // "the same schema" for ids).
  const std::string& normalized() const { return normalized_; }
  // The format's own parsed form (null when the schema is of another type).
  const avro::schema* as_avro() const;
  const json_schema::schema* as_json() const;
  const protobuf::schema* as_protobuf() const;

  // Why `reader` cannot read data written with `writer` (same format).
  friend std::vector<std::string> read_problems(const parsed_schema& reader, const parsed_schema& writer);
  friend result<parsed_schema> parse_schema(schema_type, std::string_view, const std::vector<resolved_dependency>&);

 private:
  schema_type type_ = schema_type::avro;
  std::string normalized_;
  std::variant<std::shared_ptr<const avro::schema>, std::shared_ptr<const json_schema::schema>,
               std::shared_ptr<const protobuf::schema>>
      impl_;
};

result<parsed_schema> parse_schema(schema_type type, std::string_view text,
                                   const std::vector<resolved_dependency>& dependencies);

std::vector<std::string> read_problems(const parsed_schema& reader, const parsed_schema& writer);

}  // namespace samsa::registry
