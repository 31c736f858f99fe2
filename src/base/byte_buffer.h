// A growable run of bytes whose growth leaves the new bytes unset, for
// buffers that are resized and then filled (from a socket, by a decoder).
//
// std::vector<uint8_t> zeroes what resize() adds, a cost paid per request or
// batch for nothing (6% of the broker's CPU at 1 KiB acks=1 when request
// frames were zeroed). A vector with an allocator whose construct() does
// nothing avoids the zeroing only when the compiler deletes the empty loop
// that calls it once per byte: at -O1 (the quick start's build of the
// broker) that loop was 45% of the broker's CPU. Here growth is one
// allocation and one copy of the bytes kept, at any optimisation level.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <utility>

// Under AddressSanitizer the bytes between size() and capacity() are marked
// unaddressable (as std::vector's container annotations do), so a parser
// reading past what a buffer holds is reported even when the allocation goes
// on: the fuzz builds read records and decompressed blocks through these.
#if defined(__SANITIZE_ADDRESS__)
#define SAMSA_BYTE_BUFFER_ANNOTATIONS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SAMSA_BYTE_BUFFER_ANNOTATIONS 1
#endif
#endif
#ifdef SAMSA_BYTE_BUFFER_ANNOTATIONS
#include <sanitizer/common_interface_defs.h>
#endif

namespace samsa {

class byte_buffer {
 public:
  byte_buffer() = default;
  ~byte_buffer() { annotate(size_, capacity_); }
  byte_buffer(const byte_buffer&) = delete;
  byte_buffer& operator=(const byte_buffer&) = delete;
  byte_buffer(byte_buffer&& other) noexcept
      : bytes_(std::move(other.bytes_)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  byte_buffer& operator=(byte_buffer&& other) noexcept {
    if (this != &other) {
      annotate(size_, capacity_);  // the whole block addressable again before it is freed
      bytes_ = std::move(other.bytes_);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }

  uint8_t* data() noexcept { return bytes_.get(); }
  const uint8_t* data() const noexcept { return bytes_.get(); }
  size_t size() const noexcept { return size_; }
  size_t capacity() const noexcept { return capacity_; }
  bool empty() const noexcept { return size_ == 0; }
  uint8_t* begin() noexcept { return bytes_.get(); }
  uint8_t* end() noexcept { return bytes_.get() + size_; }
  const uint8_t* begin() const noexcept { return bytes_.get(); }
  const uint8_t* end() const noexcept { return bytes_.get() + size_; }
  uint8_t& operator[](size_t i) noexcept { return bytes_[i]; }
  uint8_t operator[](size_t i) const noexcept { return bytes_[i]; }

  // Keeps the first min(size(), n) bytes; bytes past the old size are
  // unset. Growing past the capacity takes at least twice the old size, as
  // std::vector does, so a buffer grown step by step is copied O(log n) times.
  void resize(size_t n) {
    if (n > capacity_) {
      const size_t wanted = n > 2 * size_ ? n : 2 * size_;
      std::unique_ptr<uint8_t[]> grown(new uint8_t[wanted]);  // default-initialised: not zeroed
      if (size_ != 0) std::memcpy(grown.get(), bytes_.get(), size_);
      annotate(size_, capacity_);
      bytes_ = std::move(grown);
      capacity_ = wanted;
      size_ = wanted;  // a new block is addressable throughout until annotated below
    }
    annotate(size_, n);
    size_ = n;
  }

  void clear() noexcept {
    annotate(size_, 0);
    size_ = 0;
  }

  // Replaces the contents with a copy of `bytes`, which must not point into
  // this buffer (a reallocation would free them first).
  void assign(std::span<const uint8_t> bytes) {
    clear();  // nothing to keep across a reallocation
    resize(bytes.size());
    if (!bytes.empty()) std::memcpy(bytes_.get(), bytes.data(), bytes.size());
  }

 private:
  // Moves the end of the addressable bytes from `from` to `to` (no-op
  // without AddressSanitizer).
  void annotate([[maybe_unused]] size_t from, [[maybe_unused]] size_t to) const noexcept {
#ifdef SAMSA_BYTE_BUFFER_ANNOTATIONS
    if (capacity_ != 0 && from != to) {
      uint8_t* base = bytes_.get();
      __sanitizer_annotate_contiguous_container(base, base + capacity_, base + from, base + to);
    }
#endif
  }

  std::unique_ptr<uint8_t[]> bytes_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace samsa
