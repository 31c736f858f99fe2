// Validating a JSON value against a registered JSON Schema (draft-07
// semantics), so that `schema_codec::encode` refuses what the schema does
// not allow instead of writing it to the topic. Our own: the registry's
// schema parser (json_schema.cc) already holds the document; the keywords
// checked here are the ones that parser knows the shape of.
//
// Checked: type, enum, const, properties, required, additionalProperties,
// patternProperties, propertyNames, min/maxProperties, dependencies
// (dependentRequired/dependentSchemas), items (one schema or a tuple),
// additionalItems, contains, min/maxItems, uniqueItems, min/maxLength
// (Unicode code points), pattern, minimum, maximum, exclusiveMinimum/Maximum
// (numbers, or draft-04 booleans), multipleOf, allOf, anyOf, oneOf, not,
// if/then/else, $ref ("#..." within the document, "name#..." into a
// referenced schema; as in draft-07 a $ref's sibling keywords are ignored).
// Not checked (annotations in draft-07, or unsupported): format, content*,
// $id-based resolution, unevaluated* (2019-09). Patterns run on RE2 (linear
// time, bounded memory); a pattern RE2 cannot compile (lookaround,
// backreferences) is skipped, not guessed at.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace samsa::registry::json_schema {

struct schema;

// Every bound a hostile schema or value could push: nesting of the walk
// (value depth plus $ref hops), and the total number of (schema, value)
// checks (anyOf/oneOf nested in each other multiply).
struct validate_limits {
  int max_depth = 256;
  size_t max_steps = 1'000'000;
};

// Ok when `value` conforms; otherwise the first reason, naming the value's
// JSON pointer: "at /items/2/price: -1 is less than the minimum 0".
status validate_value(const schema& s, const nlohmann::json& value, const validate_limits& limits = {});

}  // namespace samsa::registry::json_schema
