// UTF-8 checks for strings a client sends. Kafka's protocol strings are
// UTF-8, and Kafka's own (Java) decoder turns every malformed sequence into
// U+FFFD; Samsa does the same, so the ids it echoes back, logs and writes
// into its internal topics are always valid text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace samsa::utf8 {

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing past U+10FFFF).
bool valid(std::string_view s);

// `s` with each malformed sequence (its longest prefix that could still
// have become a valid character, or one byte) replaced by U+FFFD, as the
// Unicode standard recommends and Java's decoder does; nullopt when `s` is
// valid already (the common case costs one pass and no copy). The result is
// at most three times as long as `s`.
std::optional<std::string> repaired(std::string_view s);

}  // namespace samsa::utf8
