// Avro schemas: a parser of the JSON schema text into a type graph, the
// normalized form (`normalize`), and the schema-resolution check (can a
// reader schema read what a writer schema wrote) that compatibility uses.
//
// Our own parser, not Debian's libavro (Avro C): its schema API keeps no
// field defaults, no aliases and no logical types, and cannot resolve a type
// name defined by another (referenced) schema, all of which compatibility
// and references need (docs/schema-registry.md).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace samsa::registry::avro {

enum class kind { null, boolean, int_, long_, float_, double_, bytes, string, record, enum_, array, map, union_, fixed };

struct node;

struct field {
  std::string name;
  node* type = nullptr;
  std::optional<nlohmann::json> default_value;
  std::vector<std::string> aliases;
  std::string order;  // "" = ascending
  std::string doc;
};

struct node {
  avro::kind kind = kind::null;
  // Named types (record, enum, fixed): full name, aliases as full names.
  std::string full_name;
  std::vector<std::string> aliases;
  std::string doc;
  bool from_dependency = false;  // defined by a referenced schema
  std::vector<field> fields;      // record
  std::vector<std::string> symbols;           // enum
  std::optional<std::string> enum_default;    // enum
  node* items = nullptr;                      // array
  node* values = nullptr;                     // map
  std::vector<node*> branches;                // union
  int64_t size = 0;                           // fixed
  std::string logical_type;                   // "" = none
  std::optional<int64_t> precision, scale;    // decimal
};

class schema {
 public:
  const node* root() const { return root_; }
  const node* named(const std::string& full_name) const;

 private:
  friend class parser;
  std::vector<std::unique_ptr<node>> arena_;
  std::map<std::string, node*> named_;
  node* root_ = nullptr;
};

// Parses `text`; the named types of `dependencies` (texts of referenced
// schemas, in dependency order) may be used by name. Errors say where.
result<std::shared_ptr<const schema>> parse(std::string_view text, const std::vector<std::string>& dependencies);

// The normalized form: compact JSON, full names, attributes in a fixed
// order; defaults, aliases, logical types and docs kept, other properties
// dropped. Types defined by dependencies are written by name.
std::string normalized(const schema& s);

// Why `reader` cannot read data written with `writer` (Avro's schema
// resolution rules); empty when it can. Each line starts with the rule's
// name (READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_MISMATCH, ...).
std::vector<std::string> read_problems(const schema& reader, const schema& writer);

// "com.example.User" -> "User": a named type's name without its namespace.
std::string short_name(const std::string& full_name);

}  // namespace samsa::registry::avro
