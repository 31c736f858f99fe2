// Big-endian fixed-width helpers for our own file formats (indexes,
// checkpoints, the metadata log). Record batches are parsed by samsa::record.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace samsa::storage::coding {

inline void put_u32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline void put_u64(uint8_t* p, uint64_t v) {
  put_u32(p, static_cast<uint32_t>(v >> 32));
  put_u32(p + 4, static_cast<uint32_t>(v));
}
inline uint32_t get_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint64_t get_u64(const uint8_t* p) { return (uint64_t{get_u32(p)} << 32) | get_u32(p + 4); }

// Append-style writer used to build records of our own formats.
class writer {
 public:
  void u8(uint8_t v) { buf_.push_back(v); }
  void u32(uint32_t v) {
    uint8_t b[4];
    put_u32(b, v);
    buf_.insert(buf_.end(), b, b + 4);
  }
  void u64(uint64_t v) {
    uint8_t b[8];
    put_u64(b, v);
    buf_.insert(buf_.end(), b, b + 8);
  }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void bytes(const void* p, size_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  std::vector<uint8_t>& buffer() { return buf_; }

 private:
  std::vector<uint8_t> buf_;
};

// Bounds-checked reader: every getter returns false once the input runs out,
// so decoding untrusted bytes never reads past the end.
class reader {
 public:
  reader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  bool u8(uint8_t& v) {
    if (end_ - p_ < 1) return false;
    v = *p_++;
    return true;
  }
  bool u32(uint32_t& v) {
    if (end_ - p_ < 4) return false;
    v = get_u32(p_);
    p_ += 4;
    return true;
  }
  bool u64(uint64_t& v) {
    if (end_ - p_ < 8) return false;
    v = get_u64(p_);
    p_ += 8;
    return true;
  }
  bool i64(int64_t& v) {
    uint64_t u;
    if (!u64(u)) return false;
    v = static_cast<int64_t>(u);
    return true;
  }
  bool i32(int32_t& v) {
    uint32_t u;
    if (!u32(u)) return false;
    v = static_cast<int32_t>(u);
    return true;
  }
  bool bytes(void* out, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    std::memcpy(out, p_, n);
    p_ += n;
    return true;
  }
  bool str(std::string& s) {
    uint32_t n;
    if (!u32(n) || static_cast<size_t>(end_ - p_) < n) return false;
    s.assign(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }
  bool done() const { return p_ == end_; }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace samsa::storage::coding
