#include "http/http_auth_header.h"

#include <cctype>

#include "security/sasl/crypto.h"

namespace samsa::http {

namespace {

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

std::optional<basic_credentials> parse_basic_authorization(std::string_view header) {
  if (header.size() > max_authorization_bytes) return std::nullopt;
  constexpr std::string_view scheme = "basic";
  if (header.size() <= scheme.size()) return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i) {
    // The scheme name is case-insensitive (RFC 9110 section 11.1).
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return std::nullopt;
  }
  std::string_view rest = header.substr(scheme.size());
  if (rest.front() != ' ') return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  auto decoded = sasl::base64_decode(rest);
  if (!decoded) return std::nullopt;
  std::string_view text = sasl::as_text(*decoded);
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  basic_credentials out{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
  if (has_control(out.user) || has_control(out.password)) return std::nullopt;
  return out;
}

}  // namespace samsa::http
