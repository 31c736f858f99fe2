#include "record/compression.h"

#include <gtest/gtest.h>

#include <random>

#include "base/big_endian.h"

namespace samsa::record {
namespace {

constexpr compression_type codecs[] = {compression_type::gzip, compression_type::snappy,
                                       compression_type::lz4, compression_type::zstd};

bytes random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

bytes text_like(size_t n) {
  bytes out;
  const std::string words = "kafka samsa record batch offset partition topic ";
  while (out.size() < n) out.push_back(static_cast<uint8_t>(words[out.size() % words.size()]));
  return out;
}

TEST(Compression, RoundTripEveryCodec) {
  std::vector<bytes> inputs = {bytes{}, bytes{1}, random_bytes(1000, 1), random_bytes(300000, 2),
                               text_like(1 << 20)};
  for (auto c : codecs) {
    for (const auto& in : inputs) {
      auto z = compress(c, in);
      ASSERT_TRUE(z.ok()) << to_string(c) << ": " << z.err().message;
      auto back = decompress(c, *z);
      ASSERT_TRUE(back.ok()) << to_string(c) << " size " << in.size() << ": " << back.err().message;
      EXPECT_EQ(*back, in) << to_string(c);
    }
  }
}

TEST(Compression, LevelsAreHonoured) {
  bytes in = text_like(200000);
  for (auto c : {compression_type::gzip, compression_type::lz4, compression_type::zstd}) {
    auto z = compress(c, in, 1);
    ASSERT_TRUE(z.ok());
    auto back = decompress(c, *z);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, in);
  }
}

TEST(Compression, NoneIsACopyBoundedByLimit) {
  bytes in = random_bytes(100, 3);
  auto z = compress(compression_type::none, in);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(*z, in);
  EXPECT_EQ(decompress(compression_type::none, in, 99).err().code, errc::message_too_large);
}

// xerial snappy-java framing: 8-byte magic, int32 version, int32 compatible
// version, then [int32 big-endian length, raw snappy block] repeated.
bytes xerial_frame(const std::vector<bytes>& chunks) {
  bytes out = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
  for (const auto& chunk : chunks) {
    auto block = compress(compression_type::snappy, chunk);
    EXPECT_TRUE(block.ok());
    uint8_t len[4];
    big_endian::store_u32(len, static_cast<uint32_t>(block->size()));
    out.insert(out.end(), len, len + 4);
    out.insert(out.end(), block->begin(), block->end());
  }
  return out;
}

TEST(Compression, SnappyAcceptsXerialFraming) {
  bytes a = text_like(40000);
  bytes b = random_bytes(5000, 4);
  bytes framed = xerial_frame({a, b});
  auto out = decompress(compression_type::snappy, framed);
  ASSERT_TRUE(out.ok()) << out.err().message;
  bytes expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  EXPECT_EQ(*out, expected);

  // Header only: no blocks, no data.
  auto empty = decompress(compression_type::snappy, xerial_frame({}));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());

  // A block length running past the end is corrupt, as is a cut length field.
  for (size_t cut = 17; cut < framed.size(); cut += 97) {
    auto r = decompress(compression_type::snappy, std::span<const uint8_t>(framed).first(cut));
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.err().code, errc::corrupt_message);
  }
  // The output limit spans all blocks.
  EXPECT_EQ(decompress(compression_type::snappy, framed, 44000).err().code, errc::message_too_large);
}

TEST(Compression, TruncatedStreamsFail) {
  bytes in = text_like(100000);
  for (auto c : codecs) {
    auto z = compress(c, in);
    ASSERT_TRUE(z.ok());
    for (size_t cut = 0; cut < z->size(); cut += std::max<size_t>(1, z->size() / 50)) {
      auto r = decompress(c, std::span<const uint8_t>(*z).first(cut));
      ASSERT_FALSE(r.ok()) << to_string(c) << " cut at " << cut;
      EXPECT_EQ(r.err().code, errc::corrupt_message) << to_string(c) << ": " << r.err().message;
    }
  }
}

TEST(Compression, GarbageFailsCleanly) {
  for (auto c : codecs) {
    for (uint32_t seed = 0; seed < 50; ++seed) {
      auto r = decompress(c, random_bytes(1 + seed * 13, seed));
      if (!r.ok()) {
        EXPECT_EQ(r.err().code.category(), record_category());
      }
    }
  }
}

TEST(Compression, BombsAreBounded) {
  bytes zeros(16 << 20, 0);
  for (auto c : codecs) {
    auto z = compress(c, zeros);
    ASSERT_TRUE(z.ok());
    auto r = decompress(c, *z, 1 << 20);
    ASSERT_FALSE(r.ok()) << to_string(c);
    EXPECT_EQ(r.err().code, errc::message_too_large) << to_string(c);
    // Exactly at the limit is allowed.
    auto exact = decompress(c, *z, zeros.size());
    ASSERT_TRUE(exact.ok()) << to_string(c) << ": " << exact.err().message;
    EXPECT_EQ(exact->size(), zeros.size());
  }
}

TEST(Compression, ConcatenatedFramesAreOneStream) {
  bytes a = text_like(70000);
  bytes b = random_bytes(1000, 9);
  for (auto c : {compression_type::gzip, compression_type::lz4, compression_type::zstd}) {
    auto za = compress(c, a);
    auto zb = compress(c, b);
    ASSERT_TRUE(za.ok() && zb.ok());
    bytes joined = *za;
    joined.insert(joined.end(), zb->begin(), zb->end());
    auto out = decompress(c, joined);
    ASSERT_TRUE(out.ok()) << to_string(c) << ": " << out.err().message;
    bytes expected = a;
    expected.insert(expected.end(), b.begin(), b.end());
    EXPECT_EQ(*out, expected) << to_string(c);
  }
}

TEST(Compression, UnknownCodec) {
  auto r = decompress(static_cast<compression_type>(5), bytes{1, 2, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, errc::unsupported_compression_type);
  EXPECT_EQ(compress(static_cast<compression_type>(7), bytes{}).err().code,
            errc::unsupported_compression_type);
}

}  // namespace
}  // namespace samsa::record
