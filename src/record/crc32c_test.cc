#include "record/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string_view>
#include <vector>

namespace samsa::record {
namespace {

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Crc32c, CheckValue) { EXPECT_EQ(crc32c(as_bytes("123456789")), 0xE3069283u); }

TEST(Crc32c, EmptyIsZero) { EXPECT_EQ(crc32c({}), 0u); }

// Test vectors from RFC 3720 appendix B.4.
TEST(Crc32c, IscsiVectors) {
  std::vector<uint8_t> zeros(32, 0x00);
  std::vector<uint8_t> ones(32, 0xFF);
  std::vector<uint8_t> up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[i] = static_cast<uint8_t>(i);
    down[i] = static_cast<uint8_t>(31 - i);
  }
  const std::vector<uint8_t> read_pdu = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
      0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  for (auto impl : {&detail::crc32c_extend_portable, &detail::crc32c_extend_hardware}) {
    if (impl == &detail::crc32c_extend_hardware && !detail::crc32c_hardware_available()) continue;
    EXPECT_EQ(impl(0, zeros), 0x8A9136AAu);
    EXPECT_EQ(impl(0, ones), 0x62A8AB43u);
    EXPECT_EQ(impl(0, up), 0x46DD794Eu);
    EXPECT_EQ(impl(0, down), 0x113FDB5Cu);
    EXPECT_EQ(impl(0, read_pdu), 0xD9963A56u);
    EXPECT_EQ(impl(0, as_bytes("123456789")), 0xE3069283u);
  }
}

TEST(Crc32c, ExtendEqualsWhole) {
  auto all = as_bytes("The quick brown fox jumps over the lazy dog");
  for (size_t split = 0; split <= all.size(); ++split) {
    EXPECT_EQ(crc32c_extend(crc32c(all.first(split)), all.subspan(split)), crc32c(all)) << split;
  }
}

TEST(Crc32c, HardwareMatchesPortableOnRandomData) {
  if (!detail::crc32c_hardware_available()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    // Up to 40 KB: covers the single chain, the 3 x 256-byte lanes and the 3 x 4 KiB lanes.
    std::vector<uint8_t> data(round % 2 == 0 ? rng() % 3000 : rng() % 40000);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    size_t offset = data.empty() ? 0 : rng() % data.size();  // unaligned starts too
    auto s = std::span<const uint8_t>(data).subspan(offset);
    uint32_t seed = rng();
    EXPECT_EQ(detail::crc32c_extend_hardware(seed, s), detail::crc32c_extend_portable(seed, s));
  }
}

}  // namespace
}  // namespace samsa::record
