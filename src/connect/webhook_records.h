// What `samsa source http` makes of a webhook's POST body, without a broker:
// a JSON object is one record, a JSON array of objects one record each. The
// value is the object's JSON text; with a key field, that field's value is
// the record key (so one customer's payments share a partition).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace samsa::connect {

struct webhook_limits {
  size_t max_records = 1000;  // per request: one answer waits for all of them
  int max_depth = 64;         // JSON nesting, checked before parsing
};

struct webhook_record {
  std::optional<std::string> key;
  std::string value;  // compact JSON text of the object
};

// Fails with a message for the caller (HTTP 400) on text that is not JSON,
// a body that is neither an object nor a non-empty array of objects, more
// than max_records records, or a record whose key field is missing, null, or
// not a string/number/boolean.
result<std::vector<webhook_record>> records_from_body(std::string_view body,
                                                      const std::optional<std::string>& key_field,
                                                      const webhook_limits& limits = {});

// application/json, or any application/...+json, with or without parameters
// ("application/json; charset=utf-8"); media types compare case-insensitively.
bool is_json_content_type(std::string_view content_type);

}  // namespace samsa::connect
