// JSON Pointer (RFC 6901): "/a/b~1c/0" names a value inside a JSON document.
// The console's search compares the value a pointer names in each record's
// value with the one the user gave. The pointer comes from a URL, so it is
// parsed by hand with every error named (fuzzed by fuzz/json_pointer_fuzz.cc).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace samsa::http {

struct json_pointer {
  // Reference tokens, unescaped ("~1" -> "/", "~0" -> "~"). Empty = the
  // whole document.
  std::vector<std::string> tokens;
};

// Bounded: a pointer longer than this is refused (a URL cannot carry more
// anyway; the bound keeps a bad request from costing memory).
inline constexpr size_t json_pointer_max_bytes = 4096;

// "" or "/token/token...". '~' must be followed by '0' or '1'.
result<json_pointer> parse_json_pointer(std::string_view text);

// The value the pointer names in `doc`, nullptr when there is none: a
// missing member, an array index that is not a decimal without leading
// zeros, one past the end ("-") or beyond, or a step into a scalar.
const nlohmann::json* resolve(const json_pointer& pointer, const nlohmann::json& doc);

}  // namespace samsa::http
