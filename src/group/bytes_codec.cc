#include "group/bytes_codec.h"

namespace samsa::group {

void byte_writer::string(std::string_view s) {
  // Group ids, topics and member ids are far below 32 KiB; clamp defensively.
  const size_t n = s.size() > 0x7fff ? 0x7fff : s.size();
  int16(static_cast<int16_t>(n));
  out_.bytes(s.data(), n);
}

void byte_writer::nullable_string(const std::optional<std::string>& s) {
  if (!s) {
    int16(-1);
  } else {
    string(*s);
  }
}

void byte_writer::bytes_field(const bytes& b) {
  int32(static_cast<int32_t>(b.size()));
  out_.bytes(b);
}

std::optional<std::string> byte_reader::nullable_string() {
  const int16_t n = int16();
  if (!ok()) return std::nullopt;
  if (n < 0) {
    if (n != -1) in_.fail();
    return std::nullopt;
  }
  auto text = in_.view(static_cast<size_t>(n));
  if (!ok()) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(text.data()), text.size());
}

std::string byte_reader::string() {
  auto s = nullable_string();
  // A null where the format requires a string.
  if (ok() && !s) in_.fail();
  return s.value_or(std::string());
}

std::optional<bytes> byte_reader::nullable_bytes() {
  const int32_t n = int32();
  if (!ok()) return std::nullopt;
  if (n < 0) {
    if (n != -1) in_.fail();
    return std::nullopt;
  }
  auto b = in_.view(static_cast<size_t>(n));
  if (!ok()) return std::nullopt;
  return bytes(b.begin(), b.end());
}

int32_t byte_reader::array_length() {
  const int32_t n = int32();
  if (!ok()) return 0;
  if (n < 0) {
    if (n != -1) in_.fail();
    return 0;
  }
  if (static_cast<size_t>(n) > remaining()) {
    in_.fail();
    return 0;
  }
  return n;
}

}  // namespace samsa::group
