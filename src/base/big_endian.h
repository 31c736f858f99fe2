// The one big-endian byte codec. Kafka's wire format, its record batches,
// __consumer_offsets records and Samsa's own files (indexes, checkpoints, the
// metadata log) all store integers most significant byte first; every module
// reads and writes them through this header instead of shifting bytes itself.
//
// Use the smallest piece that fits:
//   load<T>/store<T>   fixed-width integer at a pointer (caller checked bounds)
//   append<T>          fixed-width integer at the end of a byte vector
//   byte_writer        append-style builder of a byte vector
//   byte_reader        bounds-checked reader of untrusted bytes
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace samsa::big_endian {

// The integer of type T stored big-endian at p (sizeof(T) bytes).
template <std::integral T>
constexpr T load(const uint8_t* p) {
  using U = std::make_unsigned_t<T>;
  U v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<U>((v << 8) | p[i]);
  return static_cast<T>(v);
}

// Stores v big-endian at p (sizeof(T) bytes).
template <std::integral T>
constexpr void store(uint8_t* p, T v) {
  using U = std::make_unsigned_t<T>;
  auto u = static_cast<U>(v);
  for (size_t i = sizeof(T); i-- > 0;) {
    p[i] = static_cast<uint8_t>(u);
    u = static_cast<U>(u >> 8);
  }
}

// Appends v big-endian to out.
template <std::integral T>
void append(std::vector<uint8_t>& out, T v) {
  uint8_t b[sizeof(T)];
  store(b, v);
  out.insert(out.end(), b, b + sizeof(T));
}

inline uint16_t load_u16(const uint8_t* p) { return load<uint16_t>(p); }
inline uint32_t load_u32(const uint8_t* p) { return load<uint32_t>(p); }
inline uint64_t load_u64(const uint8_t* p) { return load<uint64_t>(p); }
inline void store_u16(uint8_t* p, uint16_t v) { store(p, v); }
inline void store_u32(uint8_t* p, uint32_t v) { store(p, v); }
inline void store_u64(uint8_t* p, uint64_t v) { store(p, v); }

// Builds a byte vector front to back.
class byte_writer {
 public:
  void u8(uint8_t v) { buf_.push_back(v); }
  void u16(uint16_t v) { append(buf_, v); }
  void u32(uint32_t v) { append(buf_, v); }
  void u64(uint64_t v) { append(buf_, v); }
  void i16(int16_t v) { append(buf_, v); }
  void i32(int32_t v) { append(buf_, v); }
  void i64(int64_t v) { append(buf_, v); }
  void bytes(const void* p, size_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  void bytes(std::span<const uint8_t> b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
  // A uint32 length, then the bytes.
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  std::vector<uint8_t>& buffer() { return buf_; }
  std::vector<uint8_t> take() { return std::move(buf_); }

 private:
  std::vector<uint8_t> buf_;
};

// Reads untrusted bytes front to back without ever reading past the end.
// Failure is sticky: once a read runs out of input, it and every later read
// fail (bool forms return false, value forms return 0) and ok() is false, so
// a caller may check after each read or once at the end.
class byte_reader {
 public:
  byte_reader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  explicit byte_reader(std::span<const uint8_t> b) : byte_reader(b.data(), b.size()) {}

  bool u8(uint8_t& v) { return get(v); }
  bool u16(uint16_t& v) { return get(v); }
  bool u32(uint32_t& v) { return get(v); }
  bool u64(uint64_t& v) { return get(v); }
  bool i16(int16_t& v) { return get(v); }
  bool i32(int32_t& v) { return get(v); }
  bool i64(int64_t& v) { return get(v); }

  uint8_t u8() { return value<uint8_t>(); }
  uint16_t u16() { return value<uint16_t>(); }
  uint32_t u32() { return value<uint32_t>(); }
  uint64_t u64() { return value<uint64_t>(); }
  int16_t i16() { return value<int16_t>(); }
  int32_t i32() { return value<int32_t>(); }
  int64_t i64() { return value<int64_t>(); }

  // Copies the next n bytes to out.
  bool bytes(void* out, size_t n) {
    if (!need(n)) return false;
    std::memcpy(out, p_, n);
    p_ += n;
    return true;
  }
  // The next n bytes, in place; empty (and failed) when fewer remain.
  std::span<const uint8_t> view(size_t n) {
    if (!need(n)) return {};
    std::span<const uint8_t> out(p_, n);
    p_ += n;
    return out;
  }
  // A uint32 length, then that many bytes.
  bool str(std::string& s) {
    uint32_t n;
    if (!u32(n) || !need(n)) return false;
    s.assign(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }

  // Marks the input as bad (a value the caller's format forbids).
  void fail() { ok_ = false; }
  bool ok() const { return ok_; }
  size_t remaining() const { return ok_ ? static_cast<size_t>(end_ - p_) : 0; }
  bool done() const { return ok_ && p_ == end_; }

 private:
  bool need(size_t n) {
    if (!ok_ || static_cast<size_t>(end_ - p_) < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  template <std::integral T>
  bool get(T& v) {
    if (!need(sizeof(T))) return false;
    v = load<T>(p_);
    p_ += sizeof(T);
    return true;
  }
  template <std::integral T>
  T value() {
    T v{};
    return get(v) ? v : T{};
  }

  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

}  // namespace samsa::big_endian
