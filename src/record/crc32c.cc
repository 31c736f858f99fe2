#include "record/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace samsa::record {
namespace detail {
namespace {

constexpr uint32_t reflected_poly = 0x82F63B78u;

using table_set = std::array<std::array<uint32_t, 256>, 8>;

constexpr table_set make_tables() {
  table_set t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ reflected_poly : c >> 1;
    t[0][i] = c;
  }
  // t[k][i] is the CRC of byte i followed by k zero bytes: lets the loop below
  // fold eight input bytes per step.
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  }
  return t;
}

constexpr table_set tables = make_tables();

uint32_t load_le32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

}  // namespace

uint32_t crc32c_extend_portable(uint32_t crc, std::span<const uint8_t> data) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  uint32_t c = ~crc;
  while (n >= 8) {
    uint32_t lo = load_le32(p) ^ c;
    uint32_t hi = load_le32(p + 4);
    c = tables[7][lo & 0xFF] ^ tables[6][(lo >> 8) & 0xFF] ^ tables[5][(lo >> 16) & 0xFF] ^
        tables[4][lo >> 24] ^ tables[3][hi & 0xFF] ^ tables[2][(hi >> 8) & 0xFF] ^
        tables[1][(hi >> 16) & 0xFF] ^ tables[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = (c >> 8) ^ tables[0][(c ^ *p++) & 0xFF];
  return ~c;
}

#if defined(__x86_64__)

namespace {

// The crc32 instruction has a latency of three cycles but can start one per
// cycle, so one dependent chain uses a third of it. Long inputs are cut into
// three lanes of `lane` bytes whose CRCs run interleaved, then combined:
// appending n zero bytes to a CRC register is linear over GF(2), so it is a
// table lookup per byte of the register ("shift"), computed once per lane size.
struct lane_shift {
  size_t lane;
  uint32_t table[4][256];
};

__attribute__((target("sse4.2"))) lane_shift make_lane_shift(size_t lane) {
  lane_shift s{};
  s.lane = lane;
  uint32_t basis[32];
  for (int bit = 0; bit < 32; ++bit) {
    uint64_t c = uint64_t{1} << bit;
    for (size_t i = 0; i < lane; i += 8) c = _mm_crc32_u64(c, 0);
    basis[bit] = static_cast<uint32_t>(c);
  }
  for (int k = 0; k < 4; ++k) {
    for (uint32_t v = 0; v < 256; ++v) {
      uint32_t r = 0;
      for (int b = 0; b < 8; ++b)
        if ((v >> b) & 1) r ^= basis[8 * k + b];
      s.table[k][v] = r;
    }
  }
  return s;
}

uint32_t shift(const lane_shift& s, uint32_t c) {
  return s.table[0][c & 0xFF] ^ s.table[1][(c >> 8) & 0xFF] ^ s.table[2][(c >> 16) & 0xFF] ^ s.table[3][c >> 24];
}

__attribute__((target("sse4.2"))) uint64_t three_lanes(uint64_t c, const uint8_t*& p, size_t& n, const lane_shift& s) {
  const size_t lane = s.lane;
  while (n >= 3 * lane) {
    uint64_t a = c, b = 0, d = 0;
    for (size_t i = 0; i < lane; i += 8) {
      uint64_t wa, wb, wd;
      std::memcpy(&wa, p + i, 8);
      std::memcpy(&wb, p + lane + i, 8);
      std::memcpy(&wd, p + 2 * lane + i, 8);
      a = _mm_crc32_u64(a, wa);
      b = _mm_crc32_u64(b, wb);
      d = _mm_crc32_u64(d, wd);
    }
    c = shift(s, shift(s, static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b)) ^ static_cast<uint32_t>(d);
    p += 3 * lane;
    n -= 3 * lane;
  }
  return c;
}

}  // namespace

__attribute__((target("sse4.2"))) uint32_t crc32c_extend_hardware(uint32_t crc,
                                                                  std::span<const uint8_t> data) {
  static const lane_shift long_lanes = make_lane_shift(4096);
  static const lane_shift short_lanes = make_lane_shift(256);
  const uint8_t* p = data.data();
  size_t n = data.size();
  uint64_t c = ~crc;
  c = three_lanes(c, p, n, long_lanes);
  c = three_lanes(c, p, n, short_lanes);
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    c = _mm_crc32_u64(c, word);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}

bool crc32c_hardware_available() {
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
}

#else

uint32_t crc32c_extend_hardware(uint32_t crc, std::span<const uint8_t> data) {
  return crc32c_extend_portable(crc, data);
}

bool crc32c_hardware_available() { return false; }

#endif

}  // namespace detail

uint32_t crc32c_extend(uint32_t crc, std::span<const uint8_t> data) {
  if (detail::crc32c_hardware_available()) return detail::crc32c_extend_hardware(crc, data);
  return detail::crc32c_extend_portable(crc, data);
}

uint32_t crc32c(std::span<const uint8_t> data) { return crc32c_extend(0, data); }

}  // namespace samsa::record
