// Finds the records of a streamed v3 produce body: top-level JSON objects
// one after another ({...}{...}, or separated by whitespace), in bytes that
// arrive in pieces of any size. It only frames, never parses: strings (with
// their escapes) and nesting are followed so a brace inside a string or a
// nested object does not end a record; parse_v3_record reads each one.
// Bounds: a record holds at most `max_record_bytes` (an oversized record is
// a 413 that ends the stream, as nothing after it can be framed without
// reading it) and nests at most `max_depth` levels. Bytes between records
// that are not whitespace, or a closing bracket of the wrong kind, break the
// stream (400).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "proxy/proxy_body.h"

namespace samsa::proxy {

class record_splitter {
 public:
  record_splitter(size_t max_record_bytes, size_t max_depth);

  // Scans `bytes`, calling `on_record` with the text of each record that
  // ends in them (the view is valid during the call only). False once the
  // stream is broken: error() says why and nothing more is accepted.
  bool feed(std::string_view bytes, const std::function<void(std::string_view)>& on_record);
  // The body ended: false (and error()) when a record was left unfinished.
  bool finish();

  const problem& error() const { return error_; }
  bool broken() const { return broken_; }
  // Bytes held of a record that has not ended yet.
  size_t held_bytes() const { return partial_.size(); }
  // Records framed so far.
  uint64_t records() const { return records_; }

 private:
  bool fail(int status, int code, std::string message);

  size_t max_record_bytes_;
  size_t max_depth_;
  std::string partial_;  // the unfinished record's bytes from earlier pieces
  std::string closers_;  // the brackets to close, innermost last
  bool in_record_ = false;
  bool in_string_ = false;
  bool escaped_ = false;
  bool broken_ = false;
  uint64_t offset_ = 0;  // bytes of the stream scanned before the current piece
  uint64_t records_ = 0;
  problem error_;
};

}  // namespace samsa::proxy
