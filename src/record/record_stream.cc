#include "record/record_stream.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace samsa::record {
namespace {

// Decompressed bytes pulled per read: large enough to amortise a call into
// the codec, small enough that a bad first record is found after little work.
constexpr size_t read_chunk = 64 * 1024;
// A record length prefix is a varint of at most five bytes.
constexpr size_t max_length_prefix = 5;

// A codec's "output too large" when the request's budget, not the batch's
// own limit, was what bounded it: the budget's error (invalid_record).
samsa::error codec_error(const samsa::error& e, const std::string& where, const decompression_budget* budget,
                         size_t max_decompressed) {
  std::string message = where + ": " + e.message;
  if (e.code == make_error_code(errc::message_too_large) && budget != nullptr &&
      budget->remaining() < max_decompressed) {
    return make_record_error(errc::invalid_record, message + " (the request's decompression budget of " +
                                                       std::to_string(budget->limit()) + " bytes is spent)");
  }
  return samsa::error(e.code, message);
}

}  // namespace

record_stream::record_stream(const batch_header& header, std::span<const uint8_t> body,
                             size_t max_decompressed_bytes, decompression_budget* budget)
    : header_(header), max_decompressed_(max_decompressed_bytes), budget_(budget) {
  if (header.compression() == compression_type::none) {
    plain_ = body;
    end_ = body.size();
    exhausted_ = true;
  }
}

result<record_stream> record_stream::open(std::span<const uint8_t> batch, size_t max_decompressed_bytes,
                                          decompression_budget* budget) {
  auto header = decode_header(batch);
  if (!header) return header.err();
  const batch_header& h = *header;
  auto where = [&h] { return "record batch at offset " + std::to_string(h.base_offset); };
  if (batch.size() != h.size_bytes()) {
    return make_record_error(errc::corrupt_message, where() + ": batchLength says " + std::to_string(h.size_bytes()) +
                                                        " bytes but " + std::to_string(batch.size()) + " are present");
  }
  if (static_cast<int>(h.compression()) > static_cast<int>(compression_type::zstd)) {
    return make_record_error(errc::unsupported_compression_type,
                             where() + ": unknown compression codec " + std::to_string(static_cast<int>(h.compression())));
  }
  if (h.record_count < 0) {
    return make_record_error(errc::invalid_record, where() + ": negative record count " + std::to_string(h.record_count));
  }
  auto body = batch.subspan(batch_header_size);
  record_stream out(h, body, max_decompressed_bytes, budget);
  if (h.compression() == compression_type::none) return out;
  // Compaction can leave a compressed batch with no records and no body.
  if (body.empty()) {
    out.exhausted_ = true;
    return out;
  }
  size_t limit = max_decompressed_bytes;
  if (budget != nullptr) limit = std::min(limit, budget->remaining());
  auto source = decompress_stream::open(h.compression(), body, limit);
  if (!source) return codec_error(source.err(), where(), budget, max_decompressed_bytes);
  out.source_ = std::move(*source);
  return out;
}

samsa::error record_stream::fail(const std::string& what) const {
  return make_record_error(errc::invalid_record, "record batch at offset " + std::to_string(header_.base_offset) +
                                                     ", record " + std::to_string(read_) + ": " + what);
}

status record_stream::fill(size_t n) {
  while (end_ - begin_ < n && !exhausted_) {
    // Keep only the unread bytes, at the front, then make room for what is
    // missing (at least one chunk): the window never holds more than the
    // record being decoded plus one chunk.
    if (begin_ > 0) {
      std::memmove(window_.data(), window_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    size_t allowed = max_decompressed_ - produced_;
    if (budget_ != nullptr) allowed = std::min(allowed, budget_->remaining());
    // One byte past what is allowed tells "exactly at the limit" from "over it".
    // A codec that decodes in whole blocks (snappy) names its block: asking
    // for all of it lets it decode in place, with no copy out of its own buffer.
    size_t want = std::min(std::max({n - end_, read_chunk, source_->preferred_read()}), allowed + 1);
    if (window_.size() < end_ + want) window_.resize(end_ + want);
    auto got = source_->read(std::span<uint8_t>(window_).subspan(end_, want));
    if (!got) {
      return codec_error(got.err(), "record batch at offset " + std::to_string(header_.base_offset), budget_,
                         max_decompressed_);
    }
    if (*got == 0) {
      exhausted_ = true;
      break;
    }
    produced_ += *got;
    end_ += *got;
    if (produced_ > max_decompressed_) {
      return make_record_error(errc::message_too_large,
                               "record batch at offset " + std::to_string(header_.base_offset) +
                                   ": decompressed records exceed the limit of " +
                                   std::to_string(max_decompressed_) + " bytes per batch");
    }
    if (budget_ != nullptr && !budget_->charge(*got)) {
      return make_record_error(errc::invalid_record,
                               "record batch at offset " + std::to_string(header_.base_offset) +
                                   ": decompressed records exceed the request's decompression budget of " +
                                   std::to_string(budget_->limit()) + " bytes");
    }
  }
  return {};
}

result<bool> record_stream::next(record_view& out) {
  if (read_ == header_.record_count) {
    if (auto s = need(1); !s) return s.err();
    if (!unread().empty()) {
      std::string extra = source_ ? "decompressed bytes" : std::to_string(unread().size()) + " bytes";
      return fail(extra + " follow the last of " + std::to_string(header_.record_count) + " records");
    }
    return false;
  }
  if (auto s = need(max_length_prefix); !s) return s.err();
  if (unread().empty()) {
    return fail("batch declares " + std::to_string(header_.record_count) + " records but holds " +
                std::to_string(read_));
  }
  detail::byte_cursor prefix(unread());
  int32_t length = 0;
  if (!prefix.read_varint(length)) return fail("truncated record length");
  size_t prefix_size = unread().size() - prefix.remaining();
  if (length < 0) return fail("negative record length " + std::to_string(length));
  if (auto s = need(prefix_size + static_cast<size_t>(length)); !s) return s.err();
  auto available = unread();
  if (static_cast<size_t>(length) > available.size() - prefix_size) {
    return fail("record length " + std::to_string(length) + " exceeds the " +
                std::to_string(available.size() - prefix_size) + " bytes left");
  }
  auto body = available.subspan(prefix_size, static_cast<size_t>(length));
  if (auto parsed = detail::parse_record_body(header_, body, read_, previous_delta_, out); !parsed) {
    return parsed.err();
  }
  begin_ += prefix_size + static_cast<size_t>(length);
  ++read_;
  return true;
}

}  // namespace samsa::record
