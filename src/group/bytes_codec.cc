#include "group/bytes_codec.h"

namespace samsa::group {

namespace {
void put_be(bytes& out, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
}  // namespace

void byte_writer::int16(int16_t v) { put_be(out_, static_cast<uint16_t>(v), 2); }
void byte_writer::int32(int32_t v) { put_be(out_, static_cast<uint32_t>(v), 4); }
void byte_writer::int64(int64_t v) { put_be(out_, static_cast<uint64_t>(v), 8); }

void byte_writer::string(std::string_view s) {
  // Group ids, topics and member ids are far below 32 KiB; clamp defensively.
  const size_t n = s.size() > 0x7fff ? 0x7fff : s.size();
  int16(static_cast<int16_t>(n));
  out_.insert(out_.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
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
  out_.insert(out_.end(), b.begin(), b.end());
}

bool byte_reader::need(size_t n) {
  if (!ok_ || size_ - pos_ < n) {
    ok_ = false;
    return false;
  }
  return true;
}

uint64_t byte_reader::read_be(size_t n) {
  if (!need(n)) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | data_[pos_ + i];
  pos_ += n;
  return v;
}

int16_t byte_reader::int16() { return static_cast<int16_t>(read_be(2)); }
int32_t byte_reader::int32() { return static_cast<int32_t>(read_be(4)); }
int64_t byte_reader::int64() { return static_cast<int64_t>(read_be(8)); }

std::optional<std::string> byte_reader::nullable_string() {
  const int16_t n = int16();
  if (!ok_) return std::nullopt;
  if (n < 0) {
    if (n != -1) ok_ = false;
    return std::nullopt;
  }
  if (!need(static_cast<size_t>(n))) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return s;
}

std::string byte_reader::string() {
  const size_t before = pos_;
  auto s = nullable_string();
  if (ok_ && !s) {
    // A null where the format requires a string.
    ok_ = false;
    pos_ = before;
  }
  return s.value_or(std::string());
}

std::optional<bytes> byte_reader::nullable_bytes() {
  const int32_t n = int32();
  if (!ok_) return std::nullopt;
  if (n < 0) {
    if (n != -1) ok_ = false;
    return std::nullopt;
  }
  if (!need(static_cast<size_t>(n))) return std::nullopt;
  bytes b(data_ + pos_, data_ + pos_ + n);
  pos_ += static_cast<size_t>(n);
  return b;
}

int32_t byte_reader::array_length() {
  const int32_t n = int32();
  if (!ok_) return 0;
  if (n < 0) {
    if (n != -1) ok_ = false;
    return 0;
  }
  if (static_cast<size_t>(n) > remaining()) {
    ok_ = false;
    return 0;
  }
  return n;
}

}  // namespace samsa::group
