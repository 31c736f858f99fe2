#include "record/record.h"

#include <algorithm>

namespace samsa::record {
namespace {

// Adds without signed overflow: Kafka wraps, and hostile deltas must not be UB.
int64_t wrapping_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

std::optional<bytes> copy_optional(const std::optional<std::span<const uint8_t>>& s) {
  if (!s) return std::nullopt;
  return bytes(s->begin(), s->end());
}

}  // namespace

record record_view::to_record() const {
  record r;
  r.attributes = attributes;
  r.timestamp = timestamp;
  r.offset = offset;
  r.key = copy_optional(key);
  r.value = copy_optional(value);
  r.headers.reserve(headers.size());
  for (const auto& h : headers) r.headers.push_back({std::string(h.key), copy_optional(h.value)});
  return r;
}

record_reader::record_reader(const batch_header& header, bytes owned, std::span<const uint8_t> data)
    : header_(header), owned_(std::move(owned)), data_(data), cursor_(data) {
  if (!owned_.empty() || header_.compression() != compression_type::none) {
    data_ = std::span<const uint8_t>(owned_);
    cursor_ = detail::byte_cursor(data_);
  }
}

result<record_reader> record_reader::open(std::span<const uint8_t> batch, size_t max_decompressed_bytes) {
  auto header = decode_header(batch);
  if (!header) return header.err();
  const batch_header& h = *header;
  // Built only on failure: opening a good batch allocates nothing.
  auto where = [&h] { return "record batch at offset " + std::to_string(h.base_offset); };
  if (batch.size() != h.size_bytes()) {
    return make_record_error(errc::corrupt_message,
                             where() + ": batchLength says " + std::to_string(h.size_bytes()) +
                                 " bytes but " + std::to_string(batch.size()) + " are present");
  }
  if (static_cast<int>(h.compression()) > static_cast<int>(compression_type::zstd)) {
    return make_record_error(errc::unsupported_compression_type,
                             where() + ": unknown compression codec " +
                                 std::to_string(static_cast<int>(h.compression())));
  }
  if (h.record_count < 0) {
    return make_record_error(errc::invalid_record,
                             where() + ": negative record count " + std::to_string(h.record_count));
  }
  auto body = batch.subspan(batch_header_size);
  if (h.compression() == compression_type::none) return record_reader(h, bytes{}, body);
  bytes owned;
  // Compaction can leave a compressed batch with no records and no body.
  if (!body.empty()) {
    auto plain = decompress(h.compression(), body, max_decompressed_bytes);
    if (!plain) {
      return samsa::error(plain.err().code, where() + ": " + plain.err().message);
    }
    owned = std::move(*plain);
  }
  return record_reader(h, std::move(owned), {});
}

samsa::error record_reader::fail(const std::string& what) const {
  return make_record_error(errc::invalid_record,
                           "record batch at offset " + std::to_string(header_.base_offset) +
                               ", record " + std::to_string(read_) + ": " + what);
}

result<bool> record_reader::next(record_view& out) {
  if (read_ == header_.record_count) {
    if (cursor_.remaining() != 0) {
      return fail(std::to_string(cursor_.remaining()) + " bytes follow the last of " +
                  std::to_string(header_.record_count) + " records");
    }
    return false;
  }
  if (cursor_.remaining() == 0) {
    return fail("batch declares " + std::to_string(header_.record_count) + " records but holds " +
                std::to_string(read_));
  }
  int32_t length = 0;
  if (!cursor_.read_varint(length)) return fail("truncated record length");
  if (length < 0 || static_cast<size_t>(length) > cursor_.remaining()) {
    return fail("record length " + std::to_string(length) + " exceeds the " +
                std::to_string(cursor_.remaining()) + " bytes left");
  }
  std::span<const uint8_t> body;
  (void)cursor_.read_bytes(static_cast<size_t>(length), body);
  if (auto parsed = detail::parse_record_body(header_, body, read_, previous_delta_, out); !parsed) {
    return parsed.err();
  }
  ++read_;
  return true;
}

namespace detail {

status parse_record_body(const batch_header& header, std::span<const uint8_t> body, int32_t index,
                         int64_t& previous_delta, record_view& out) {
  auto fail = [&](const std::string& what) {
    return make_record_error(errc::invalid_record, "record batch at offset " + std::to_string(header.base_offset) +
                                                       ", record " + std::to_string(index) + ": " + what);
  };
  byte_cursor c(body);

  if (!c.read_i8(out.attributes)) return fail("truncated attributes");
  if (!c.read_varlong(out.timestamp_delta)) return fail("bad timestamp delta");
  if (!c.read_varint(out.offset_delta)) return fail("bad offset delta");
  if (out.offset_delta <= previous_delta || out.offset_delta > header.last_offset_delta) {
    return fail("offset delta " + std::to_string(out.offset_delta) + " is not increasing within [0, " +
                std::to_string(header.last_offset_delta) + "] (previous " + std::to_string(previous_delta) + ")");
  }

  // Inlined by force: a call per key, value and header value costs as much as
  // its work in a walk over 100-byte records (and unity builds did not inline it).
  auto read_nullable = [&c](std::optional<std::span<const uint8_t>>& field) __attribute__((always_inline)) {
    int32_t n = 0;
    if (!c.read_varint(n) || n < -1) return false;
    if (n == -1) {
      field.reset();
      return true;
    }
    std::span<const uint8_t> s;
    if (!c.read_bytes(static_cast<size_t>(n), s)) return false;
    field = s;
    return true;
  };
  if (!read_nullable(out.key)) return fail("bad key length");
  if (!read_nullable(out.value)) return fail("bad value length");

  int32_t header_count = 0;
  if (!c.read_varint(header_count) || header_count < 0) return fail("bad header count");
  // Each header takes at least two bytes: a cheap bound before reserving.
  if (static_cast<size_t>(header_count) > c.remaining() / 2) {
    return fail("header count " + std::to_string(header_count) + " exceeds the record size");
  }
  out.headers.clear();
  out.headers.reserve(static_cast<size_t>(header_count));
  for (int32_t i = 0; i < header_count; ++i) {
    int32_t key_length = 0;
    std::span<const uint8_t> key;
    if (!c.read_varint(key_length) || key_length < 0 || !c.read_bytes(static_cast<size_t>(key_length), key)) {
      return fail("bad key in header " + std::to_string(i));
    }
    header_view hv;
    hv.key = std::string_view(reinterpret_cast<const char*>(key.data()), key.size());
    if (!read_nullable(hv.value)) return fail("bad value in header " + std::to_string(i));
    out.headers.push_back(hv);
  }
  if (c.remaining() != 0) {
    return fail(std::to_string(c.remaining()) + " unread bytes inside the record");
  }

  out.offset = wrapping_add(header.base_offset, out.offset_delta);
  out.timestamp = header.ts_type() == timestamp_type::log_append_time
                      ? header.max_timestamp
                      : wrapping_add(header.base_timestamp, out.timestamp_delta);
  previous_delta = out.offset_delta;
  return {};
}

}  // namespace detail

result<std::vector<record>> decode_records(std::span<const uint8_t> batch, size_t max_decompressed_bytes) {
  auto reader = record_reader::open(batch, max_decompressed_bytes);
  if (!reader) return reader.err();
  std::vector<record> records;
  // The count is untrusted: never reserve more than the bytes could hold.
  records.reserve(std::min(static_cast<size_t>(reader->header().record_count),
                           reader->records_data().size() / min_record_size));
  record_view view;
  for (;;) {
    auto more = reader->next(view);
    if (!more) return more.err();
    if (!*more) break;
    records.push_back(view.to_record());
  }
  return records;
}

}  // namespace samsa::record
