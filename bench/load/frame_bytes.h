// Big-endian and varint writers for the load generators that build Kafka
// frames by hand (raw sockets, no client library), so each program does not
// carry its own copy.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <string>

namespace samsa::bench {

inline void put8(std::string& b, int8_t v) { b.push_back(static_cast<char>(v)); }

inline void put16(std::string& b, int16_t v) {
  uint16_t n = htons(static_cast<uint16_t>(v));
  b.append(reinterpret_cast<const char*>(&n), 2);
}

inline void put32(std::string& b, int32_t v) {
  uint32_t n = htonl(static_cast<uint32_t>(v));
  b.append(reinterpret_cast<const char*>(&n), 4);
}

inline void put64(std::string& b, int64_t v) {
  put32(b, static_cast<int32_t>(static_cast<uint64_t>(v) >> 32));
  put32(b, static_cast<int32_t>(static_cast<uint64_t>(v) & 0xffffffffu));
}

// Zigzag varint, as record fields are written.
inline void put_varint(std::string& b, int64_t v) {
  auto z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    b.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  b.push_back(static_cast<char>(z));
}

}  // namespace samsa::bench
