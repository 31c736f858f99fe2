#include "record/compression.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "base/big_endian.h"
#include "record/decompress_stream.h"

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

// Reads a stream to its end with reads of `room` bytes, or of what the
// stream prefers when that is more.
result<bytes> read_all(compression_type type, std::span<const uint8_t> in, size_t room, size_t limit,
                       size_t* direct_reads) {
  auto stream = decompress_stream::open(type, in, limit);
  if (!stream) return stream.err();
  bytes out;
  for (;;) {
    size_t want = std::max(room, (*stream)->preferred_read());
    size_t at = out.size();
    out.resize(at + want);
    auto got = (*stream)->read(std::span<uint8_t>(out).subspan(at, want));
    if (!got) return got.err();
    out.resize(at + *got);
    if (*got == 0) return out;
    if (*got > room && direct_reads != nullptr) ++*direct_reads;
  }
}

TEST(Compression, SnappyBlocksDecodeInPlaceWhenGivenRoomAndStreamWhenNot) {
  bytes a = text_like(200000);
  bytes b = random_bytes(70000, 5);
  bytes expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  auto raw = compress(compression_type::snappy, a);
  ASSERT_TRUE(raw.ok());
  bytes framed = xerial_frame({a, b, {}});
  for (size_t room : {size_t{1}, size_t{4096}, size_t{65536}}) {
    size_t direct = 0;
    auto whole = read_all(compression_type::snappy, *raw, room, 1 << 20, &direct);
    ASSERT_TRUE(whole.ok()) << whole.err().message;
    EXPECT_EQ(*whole, a) << room;
    EXPECT_EQ(direct, 1u) << "the raw block names its size and is decoded in place";
    direct = 0;
    auto blocks = read_all(compression_type::snappy, framed, room, 1 << 20, &direct);
    ASSERT_TRUE(blocks.ok()) << blocks.err().message;
    EXPECT_EQ(*blocks, expected) << room;
    EXPECT_EQ(direct, 2u) << "each xerial block is decoded in place";
  }
  // Without the hint (reads of a fixed size), the same bytes come out in pieces.
  auto stream = decompress_stream::open(compression_type::snappy, framed, 1 << 20);
  ASSERT_TRUE(stream.ok());
  bytes pieces;
  uint8_t chunk[1000];
  for (;;) {
    auto got = (*stream)->read(chunk);
    ASSERT_TRUE(got.ok()) << got.err().message;
    if (*got == 0) break;
    pieces.insert(pieces.end(), chunk, chunk + *got);
  }
  EXPECT_EQ(pieces, expected);
  // The limit holds on the in-place path too, before anything is decoded.
  auto over = read_all(compression_type::snappy, *raw, 1 << 20, 100000, nullptr);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.err().code, errc::message_too_large);
  // A block whose declared length is a lie (60 MiB from 10 bytes) sizes
  // nothing: no preferred read, and reading it is corrupt.
  bytes liar = {0x80, 0x80, 0x80, 0x1e, 0, 1, 2, 3, 4, 5};
  auto lying = decompress_stream::open(compression_type::snappy, liar, 64 << 20);
  ASSERT_TRUE(lying.ok());
  EXPECT_EQ((*lying)->preferred_read(), 0u);
  uint8_t room[64];
  auto lied = (*lying)->read(room);
  ASSERT_FALSE(lied.ok());
  EXPECT_EQ(lied.err().code, errc::corrupt_message);
  // An empty raw body is still damaged, not an empty stream.
  auto empty = read_all(compression_type::snappy, {}, 4096, 1 << 20, nullptr);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.err().code, errc::corrupt_message);
}

TEST(Compression, ZstdStreamsOnOneThreadShareAndResetTheirContext) {
  // The decoder context is kept per thread between streams: a stream that
  // failed mid-frame must leave nothing behind for the next one.
  bytes a = text_like(300000);
  auto good = compress(compression_type::zstd, a);
  ASSERT_TRUE(good.ok());
  bytes cut(good->begin(), good->begin() + static_cast<std::ptrdiff_t>(good->size() / 2));
  for (int round = 0; round < 3; ++round) {
    auto broken = decompress(compression_type::zstd, cut);
    EXPECT_FALSE(broken.ok());
    auto fine = decompress(compression_type::zstd, *good);
    ASSERT_TRUE(fine.ok()) << fine.err().message;
    EXPECT_EQ(*fine, a);
    // Two at once on this thread: the second makes its own context.
    auto first = decompress_stream::open(compression_type::zstd, *good, 1 << 20);
    auto second = decompress_stream::open(compression_type::zstd, *good, 1 << 20);
    ASSERT_TRUE(first.ok() && second.ok());
    bytes x(a.size() + 1), y(a.size() + 1);
    size_t nx = 0, ny = 0;
    for (;;) {
      auto gx = (*first)->read(std::span<uint8_t>(x).subspan(nx));
      auto gy = (*second)->read(std::span<uint8_t>(y).subspan(ny));
      ASSERT_TRUE(gx.ok() && gy.ok());
      nx += *gx;
      ny += *gy;
      if (*gx == 0 && *gy == 0) break;
    }
    EXPECT_EQ(nx, a.size());
    EXPECT_EQ(ny, a.size());
    EXPECT_TRUE(std::equal(a.begin(), a.end(), x.begin()));
    EXPECT_TRUE(std::equal(a.begin(), a.end(), y.begin()));
  }
  // A larger window limit after a smaller one: parameters are reset each time.
  auto small = decompress(compression_type::zstd, *good, 1000);
  EXPECT_FALSE(small.ok());
  auto again = decompress(compression_type::zstd, *good);
  ASSERT_TRUE(again.ok()) << again.err().message;
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
