#include "base/utf8.h"

#include <cstdint>

namespace samsa::utf8 {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// The bytes a sequence starting at s[i] takes when well-formed, or 0 when it
// is malformed; `prefix` gets the length of its longest prefix that could
// still have been valid (at least 1), which is what one U+FFFD replaces.
size_t sequence_length(std::string_view s, size_t i, size_t& prefix) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t lead = byte(i);
  prefix = 1;
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint8_t low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlong forms
    if (lead == 0xF4) high = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;  // a continuation byte, C0/C1 or F5..FF: never a lead
  }
  for (size_t k = 1; k < length; ++k) {
    if (i + k >= s.size()) return 0;
    const uint8_t b = byte(i + k);
    const uint8_t lo = k == 1 ? low : 0x80;
    const uint8_t hi = k == 1 ? high : 0xBF;
    if (b < lo || b > hi) return 0;
    prefix = k + 1;
  }
  return length;
}

size_t first_invalid(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t prefix = 0;
    const size_t n = sequence_length(s, i, prefix);
    if (n == 0) return i;
    i += n;
  }
  return s.size();
}

}  // namespace

bool valid(std::string_view s) { return first_invalid(s) == s.size(); }

std::optional<std::string> repaired(std::string_view s) {
  size_t i = first_invalid(s);
  if (i == s.size()) return std::nullopt;
  std::string out;
  out.reserve(s.size() + replacement.size());
  out.append(s.substr(0, i));
  while (i < s.size()) {
    size_t prefix = 0;
    const size_t n = sequence_length(s, i, prefix);
    if (n == 0) {
      out.append(replacement);
      i += prefix;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace samsa::utf8
