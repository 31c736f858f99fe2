#include "protocol/writer.h"

#include <algorithm>
#include <bit>
#include <limits>

#include <fmt/format.h>

#include "base/big_endian.h"

namespace samsa::protocol {

void writer::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
}

void writer::write_int8(int8_t v) { buffer_.push_back(static_cast<uint8_t>(v)); }
void writer::write_int16(int16_t v) { big_endian::append(buffer_, v); }
void writer::write_int32(int32_t v) { big_endian::append(buffer_, v); }
void writer::write_int64(int64_t v) { big_endian::append(buffer_, v); }
void writer::write_uint16(uint16_t v) { big_endian::append(buffer_, v); }
void writer::write_uint32(uint32_t v) { big_endian::append(buffer_, v); }
void writer::write_float64(double v) { big_endian::append(buffer_, std::bit_cast<uint64_t>(v)); }

void writer::write_uuid(const uuid& v) { buffer_.insert(buffer_.end(), v.bytes.begin(), v.bytes.end()); }

void writer::write_uvarint(uint32_t v) { write_uvarlong(v); }

void writer::write_uvarlong(uint64_t v) {
  while (v >= 0x80) {
    buffer_.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  buffer_.push_back(static_cast<uint8_t>(v));
}

void writer::write_varint(int32_t v) {
  write_uvarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}

void writer::write_varlong(int64_t v) {
  write_uvarlong((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void writer::write_string(std::string_view s) {
  if (s.size() > static_cast<size_t>(std::numeric_limits<int16_t>::max())) {
    fail(fmt::format("string of {} bytes is too long for an int16 length", s.size()));
    write_int16(0);
    return;
  }
  write_int16(static_cast<int16_t>(s.size()));
  buffer_.insert(buffer_.end(), s.begin(), s.end());
}

void writer::write_nullable_string(const std::optional<std::string>& s) {
  if (!s) {
    write_int16(-1);
    return;
  }
  write_string(*s);
}

void writer::write_compact_string(std::string_view s) {
  if (s.size() >= std::numeric_limits<uint32_t>::max()) {
    fail(fmt::format("compact string of {} bytes is too long", s.size()));
    write_uvarint(1);
    return;
  }
  write_uvarint(static_cast<uint32_t>(s.size()) + 1);
  buffer_.insert(buffer_.end(), s.begin(), s.end());
}

void writer::write_compact_nullable_string(const std::optional<std::string>& s) {
  if (!s) {
    write_uvarint(0);
    return;
  }
  write_compact_string(*s);
}

void writer::write_bytes(std::span<const uint8_t> b) {
  if (b.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    fail(fmt::format("bytes of length {} are too long for an int32 length", b.size()));
    write_int32(0);
    return;
  }
  write_int32(static_cast<int32_t>(b.size()));
  write_raw(b);
}

void writer::write_nullable_bytes(const std::optional<std::vector<uint8_t>>& b) {
  if (!b) {
    write_int32(-1);
    return;
  }
  write_bytes(*b);
}

void writer::write_compact_bytes(std::span<const uint8_t> b) {
  if (b.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    fail(fmt::format("compact bytes of length {} are too long", b.size()));
    write_uvarint(1);
    return;
  }
  write_uvarint(static_cast<uint32_t>(b.size()) + 1);
  write_raw(b);
}

void writer::write_compact_nullable_bytes(const std::optional<std::vector<uint8_t>>& b) {
  if (!b) {
    write_uvarint(0);
    return;
  }
  write_compact_bytes(*b);
}

void writer::write_array_length(int32_t n) { write_int32(n < 0 ? -1 : n); }

void writer::write_compact_array_length(int32_t n) {
  write_uvarint(n < 0 ? 0 : static_cast<uint32_t>(n) + 1);
}

void writer::write_records(const std::optional<records>& r) {
  if (!r) {
    write_int32(-1);
    return;
  }
  if (r->size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    fail(fmt::format("records of {} bytes are too long", r->size()));
    write_int32(0);
    return;
  }
  write_int32(static_cast<int32_t>(r->size()));
  if (r->is_file()) {
    if (r->slice().length > 0) splices_.push_back(splice{buffer_.size(), r->slice()});
  } else {
    write_raw(r->bytes());
  }
}

void writer::write_compact_records(const std::optional<records>& r) {
  if (!r) {
    write_uvarint(0);
    return;
  }
  if (r->size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    fail(fmt::format("records of {} bytes are too long", r->size()));
    write_uvarint(1);
    return;
  }
  write_uvarint(static_cast<uint32_t>(r->size()) + 1);
  if (r->is_file()) {
    if (r->slice().length > 0) splices_.push_back(splice{buffer_.size(), r->slice()});
  } else {
    write_raw(r->bytes());
  }
}

void writer::write_tag_section(std::vector<unknown_tag> fields, const unknown_tags& unknown) {
  fields.insert(fields.end(), unknown.begin(), unknown.end());
  std::stable_sort(fields.begin(), fields.end(),
                   [](const unknown_tag& a, const unknown_tag& b) { return a.tag < b.tag; });
  write_uvarint(static_cast<uint32_t>(fields.size()));
  for (const auto& f : fields) {
    write_uvarint(f.tag);
    write_uvarint(static_cast<uint32_t>(f.data.size()));
    write_raw(f.data);
  }
}

void writer::write_raw(std::span<const uint8_t> b) { buffer_.insert(buffer_.end(), b.begin(), b.end()); }

size_t writer::reserve_int32() {
  size_t pos = buffer_.size();
  write_int32(0);
  return pos;
}

void writer::patch_int32(size_t position, int32_t v) {
  big_endian::store(buffer_.data() + position, v);
}

void writer::patch_size_prefix(size_t position) {
  size_t size = buffer_.size() - position - 4;
  for (const auto& s : splices_) {
    if (s.position >= position + 4) size += static_cast<size_t>(s.slice.length);
  }
  if (size > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    fail(fmt::format("frame of {} bytes is too large for an int32 size", size));
  }
  patch_int32(position, static_cast<int32_t>(size));
}

size_t writer::total_size() const {
  size_t size = buffer_.size();
  for (const auto& s : splices_) size += static_cast<size_t>(s.slice.length);
  return size;
}

}  // namespace samsa::protocol
