// A 16-byte Kafka UUID (topic ids, directory ids) and its text form, the
// URL-safe base64 without padding that Kafka prints and parses.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace samsa::protocol {

struct uuid {
  std::array<uint8_t, 16> bytes{};

  bool is_zero() const;

  // 22 characters of base64url, no padding: "AAAAAAAAAAAAAAAAAAAAAA" for zero.
  std::string to_string() const;
  static result<uuid> from_string(std::string_view text);

  // A random version-4 UUID from the OS random source, never the zero UUID.
  static uuid random();

  auto operator<=>(const uuid&) const = default;
};

}  // namespace samsa::protocol
