// The value of a `records` field: a blob of record batches that is either in
// memory (a view into a request frame or an owned buffer) or a slice of a log
// segment file that the network layer sends with sendfile() without copying.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace samsa::protocol {

// A byte range of an open file. `keepalive` holds whatever keeps `fd` open
// (the segment object) until the bytes have been sent.
struct file_slice {
  std::shared_ptr<const void> keepalive;
  int fd = -1;
  int64_t position = 0;
  int32_t length = 0;
};

class records {
 public:
  // Empty in-memory records (zero bytes, not null: null is std::nullopt).
  records() = default;

  // A view of bytes owned by `owner` (e.g. the request frame); no copy is made.
  static records view(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner);
  // The same over bytes that belong to one request alone, which its handler
  // may rewrite in place (a request frame decoded by a writable reader).
  static records writable_view(std::span<uint8_t> bytes, std::shared_ptr<const void> owner);
  // Takes ownership of a buffer (writable too: nobody else holds it).
  static records owned(std::vector<uint8_t> bytes);
  // Copies bytes into a new owned buffer (tests and small control batches).
  static records copy(std::span<const uint8_t> bytes);
  static records file(file_slice slice);

  bool is_file() const { return is_file_; }
  size_t size() const { return is_file_ ? static_cast<size_t>(file_.length) : bytes_.size(); }

  // The bytes of memory records; empty for file records (use slice()).
  std::span<const uint8_t> bytes() const { return bytes_; }
  // The same bytes, writable, when this records value owns or views bytes
  // nobody else reads (see writable_view, owned); nullopt otherwise.
  std::optional<std::span<uint8_t>> writable_bytes() {
    if (writable_ == nullptr) return std::nullopt;
    return std::span<uint8_t>(writable_, bytes_.size());
  }
  const std::shared_ptr<const void>& owner() const { return owner_; }
  const file_slice& slice() const { return file_; }

  // Memory records compare by content; file records by (fd, position, length).
  bool operator==(const records& other) const;

 private:
  std::span<const uint8_t> bytes_;
  uint8_t* writable_ = nullptr;  // bytes_.data(), when the bytes may be rewritten
  std::shared_ptr<const void> owner_;
  file_slice file_;
  bool is_file_ = false;
};

}  // namespace samsa::protocol
