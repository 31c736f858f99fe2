#include "http/json_pointer.h"

#include <charconv>

namespace samsa::http {

result<json_pointer> parse_json_pointer(std::string_view text) {
  json_pointer out;
  if (text.empty()) return out;
  if (text.size() > json_pointer_max_bytes) {
    return make_error(std::errc::invalid_argument,
                      "JSON Pointer of " + std::to_string(text.size()) + " bytes; at most " +
                          std::to_string(json_pointer_max_bytes));
  }
  if (text.front() != '/') {
    return make_error(std::errc::invalid_argument, "a JSON Pointer is empty or starts with '/' (RFC 6901)");
  }
  std::string token;
  for (size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      out.tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    char c = text[i];
    if (c != '~') {
      token.push_back(c);
      continue;
    }
    // "~" escapes: only "~0" (~) and "~1" (/) exist.
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (next == '0') {
      token.push_back('~');
    } else if (next == '1') {
      token.push_back('/');
    } else {
      return make_error(std::errc::invalid_argument,
                        "JSON Pointer: '~' at byte " + std::to_string(i) + " must be followed by 0 or 1");
    }
    ++i;
  }
  return out;
}

namespace {

// RFC 6901 array indexes: "0" or a decimal without leading zeros.
bool array_index(const std::string& token, size_t& index) {
  if (token.empty() || (token.size() > 1 && token.front() == '0')) return false;
  for (char c : token)
    if (c < '0' || c > '9') return false;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
  return ec == std::errc() && end == token.data() + token.size();
}

}  // namespace

const nlohmann::json* resolve(const json_pointer& pointer, const nlohmann::json& doc) {
  const nlohmann::json* at = &doc;
  for (const auto& token : pointer.tokens) {
    if (at->is_object()) {
      auto it = at->find(token);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array()) {
      size_t index = 0;
      if (!array_index(token, index) || index >= at->size()) return nullptr;
      at = &(*at)[index];
    } else {
      return nullptr;
    }
  }
  return at;
}

}  // namespace samsa::http
