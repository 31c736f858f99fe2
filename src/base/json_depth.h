// How deep a JSON text nests, found before a parser sees it. nlohmann's
// parse, dump and the validators walking a document recurse once per level;
// a request body or record value of 100,000 '[' overflowed a service
// thread's stack and took the whole broker down. Every JSON text from
// outside (HTTP bodies, schema texts, record values the console or the proxy
// decode) goes through parse_json_bounded.
#pragma once
#include <cstddef>
#include <string_view>

namespace samsa {

// Jackson's default nesting bound (StreamReadConstraints), which Kafka's and
// Confluent's services parse with: documents they accept are accepted here.
inline constexpr int max_json_depth = 1000;

// True when `text` opens more than `limit` arrays and objects inside each
// other (brackets in strings do not count). Not a validator: only the depth.
constexpr bool json_nests_deeper_than(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return true;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;  // not below 0: "]]]" first must not buy "[[[" later
    }
  }
  return false;
}

// Json::parse(text, nullptr, false), except that a text nesting deeper than
// `limit` is discarded (is_discarded()) as malformed text is.
template <class Json>
Json parse_json_bounded(std::string_view text, int limit = max_json_depth) {
  if (json_nests_deeper_than(text, limit)) return Json(Json::value_t::discarded);
  return Json::parse(text, nullptr, false);
}

}  // namespace samsa
