// Message format v0/v1: parsing, CRC, wrappers of every codec, the
// pre-KIP-57 LZ4 checksum, partial trailing messages, hostile lengths.
#include "record/legacy_message.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "record/errc.h"

namespace samsa::record::legacy {
namespace {

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::string text(std::optional<std::span<const uint8_t>> b) {
  return b ? std::string(b->begin(), b->end()) : "<null>";
}

TEST(LegacyMessage, CrcIsIeee) {
  // The CRC-32 check value of "123456789".
  EXPECT_EQ(crc32_ieee(as_bytes("123456789")), 0xCBF43926u);
}

TEST(LegacyMessage, RoundTripsBothMagics) {
  for (int8_t magic : {0, 1}) {
    bytes set;
    append_message(set, magic, 7, 0, 1700000000123, as_bytes("k"), as_bytes("value"));
    append_message(set, magic, 8, 0, 1700000000124, std::nullopt, std::nullopt);
    ASSERT_EQ(set.size(), 2 * (log_overhead + header_size(magic)) + 6);
    auto parsed = parse_message_set(set, trailing_bytes::refuse);
    ASSERT_TRUE(parsed.ok()) << parsed.err().describe();
    ASSERT_EQ(parsed->messages.size(), 2u);
    const message& m = parsed->messages[0];
    EXPECT_EQ(m.offset, 7);
    EXPECT_EQ(m.magic, magic);
    EXPECT_EQ(m.timestamp, magic == 1 ? 1700000000123 : no_timestamp);
    EXPECT_EQ(text(m.key), "k");
    EXPECT_EQ(text(m.value), "value");
    EXPECT_FALSE(parsed->messages[1].key);
    EXPECT_FALSE(parsed->messages[1].value);
  }
}

TEST(LegacyMessage, BadCrcIsCorrupt) {
  bytes set;
  append_message(set, 1, 0, 0, 1, std::nullopt, as_bytes("hello"));
  set.back() ^= 1;
  auto parsed = parse_message_set(set, trailing_bytes::refuse);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.err().code, make_error_code(errc::corrupt_message));
  EXPECT_NE(parsed.err().message.find("CRC"), std::string::npos);
}

TEST(LegacyMessage, PartialTrailingMessage) {
  bytes set;
  append_message(set, 0, 0, 0, 0, std::nullopt, as_bytes("one"));
  size_t whole = set.size();
  append_message(set, 0, 1, 0, 0, std::nullopt, as_bytes("two"));
  for (size_t cut = whole + 1; cut < set.size(); ++cut) {
    std::span<const uint8_t> part(set.data(), cut);
    auto lenient = parse_message_set(part, trailing_bytes::allow);
    ASSERT_TRUE(lenient.ok()) << cut;
    EXPECT_EQ(lenient->messages.size(), 1u);
    EXPECT_EQ(lenient->valid_bytes, whole);
    auto strict = parse_message_set(part, trailing_bytes::refuse);
    ASSERT_FALSE(strict.ok()) << cut;
    EXPECT_EQ(strict.err().code, make_error_code(errc::corrupt_message));
  }
}

TEST(LegacyMessage, HostileLengthsRefused) {
  bytes set;
  append_message(set, 1, 0, 0, 0, as_bytes("key"), as_bytes("value"));
  // A key length past the message's end, with the CRC made to match.
  auto patched = set;
  patched[log_overhead + header_size_v1 - 8 + 3] = 0x7f;
  uint32_t crc = crc32_ieee(std::span<const uint8_t>(patched).subspan(log_overhead + 4));
  for (int i = 0; i < 4; ++i) patched[log_overhead + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  EXPECT_FALSE(parse_message_set(patched, trailing_bytes::allow).ok());
  // A size below the smallest message.
  patched = set;
  patched[11] = 3;
  EXPECT_FALSE(parse_message_set(patched, trailing_bytes::allow).ok());
  // Magic 2 is no v0/v1 message.
  patched = set;
  patched[magic_offset] = 2;
  EXPECT_FALSE(parse_message_set(patched, trailing_bytes::allow).ok());
}

bytes inner_set(int8_t magic, int n, bool relative) {
  bytes set;
  for (int i = 0; i < n; ++i) {
    std::string v = "value-" + std::to_string(i);
    append_message(set, magic, relative ? i : 100 + i, 0, 1700000000000 + i, as_bytes("key"), as_bytes(v));
  }
  return set;
}

TEST(LegacyMessage, WrappersOfEveryCodec) {
  for (int8_t magic : {0, 1}) {
    for (auto codec : {compression_type::gzip, compression_type::snappy, compression_type::lz4}) {
      bytes set;
      ASSERT_TRUE(append_wrapper(set, magic, codec, 102, 1700000000002, false, inner_set(magic, 3, magic == 1)).ok());
      auto parsed = parse_message_set(set, trailing_bytes::refuse);
      ASSERT_TRUE(parsed.ok());
      ASSERT_EQ(parsed->messages.size(), 1u);
      EXPECT_EQ(parsed->messages[0].codec(), codec);
      bytes storage;
      auto inner = open_wrapper(parsed->messages[0], storage, 1 << 20);
      ASSERT_TRUE(inner.ok()) << to_string(codec) << " magic " << int{magic} << ": " << inner.err().describe();
      ASSERT_EQ(inner->size(), 3u);
      absolute_offsets(parsed->messages[0], *inner);
      for (int i = 0; i < 3; ++i) {
        EXPECT_EQ((*inner)[static_cast<size_t>(i)].offset, 100 + i);
        EXPECT_EQ(text((*inner)[static_cast<size_t>(i)].value), "value-" + std::to_string(i));
      }
    }
  }
}

TEST(LegacyMessage, ZstdHasNoV1Wrapper) {
  bytes set;
  EXPECT_FALSE(append_wrapper(set, 1, compression_type::zstd, 0, 0, false, inner_set(1, 1, true)).ok());
}

// Where the header checksum byte of one of our LZ4 frames sits (no content
// size, no dictionary: magic 4 + FLG + BD).
constexpr size_t lz4_hc_position = 6;

TEST(LegacyMessage, Lz4MagicZeroUsesThePreKip57Checksum) {
  bytes set;
  ASSERT_TRUE(append_wrapper(set, 0, compression_type::lz4, 100, 0, false, inner_set(0, 2, false)).ok());
  auto parsed = parse_message_set(set, trailing_bytes::refuse);
  ASSERT_TRUE(parsed.ok());
  auto frame = *parsed->messages[0].value;
  EXPECT_EQ(frame[lz4_hc_position], *lz4_header_checksum(frame, true));
  EXPECT_NE(frame[lz4_hc_position], *lz4_header_checksum(frame, false));
  // The LZ4 library itself refuses that frame...
  EXPECT_FALSE(decompress(compression_type::lz4, frame).ok());
  // ...and our magic 1 frames carry the right one, which it accepts.
  bytes v1;
  ASSERT_TRUE(append_wrapper(v1, 1, compression_type::lz4, 1, 0, false, inner_set(1, 2, true)).ok());
  auto frame1 = *parse_message_set(v1, trailing_bytes::refuse)->messages[0].value;
  EXPECT_EQ(frame1[lz4_hc_position], *lz4_header_checksum(frame1, false));
  EXPECT_TRUE(decompress(compression_type::lz4, frame1).ok());
}

TEST(LegacyMessage, Lz4MagicZeroAcceptsTheCorrectChecksumToo) {
  // A magic 0 wrapper written by a client that already had the KIP-57 fix.
  auto inner = inner_set(0, 2, false);
  auto frame = compress(compression_type::lz4, inner);
  ASSERT_TRUE(frame.ok());
  bytes set;
  append_message(set, 0, 101, static_cast<int8_t>(compression_type::lz4), 0, std::nullopt,
                 std::span<const uint8_t>(*frame));
  auto parsed = parse_message_set(set, trailing_bytes::refuse);
  bytes storage;
  EXPECT_TRUE(open_wrapper(parsed->messages[0], storage, 1 << 20).ok());
  // A magic 1 wrapper with the pre-KIP-57 checksum is refused.
  auto wrong = *frame;
  wrong[lz4_hc_position] = *lz4_header_checksum(wrong, true);
  bytes set1;
  append_message(set1, 1, 1, static_cast<int8_t>(compression_type::lz4), 0, std::nullopt,
                 std::span<const uint8_t>(wrong));
  auto parsed1 = parse_message_set(set1, trailing_bytes::refuse);
  ASSERT_TRUE(parsed1.ok());
  EXPECT_FALSE(open_wrapper(parsed1->messages[0], storage, 1 << 20).ok());
}

TEST(LegacyMessage, WrapperBombChargedToTheBudget) {
  bytes big(1 << 20, 'x');
  bytes inner;
  append_message(inner, 1, 0, 0, 0, std::nullopt, std::span<const uint8_t>(big));
  bytes set;
  ASSERT_TRUE(append_wrapper(set, 1, compression_type::gzip, 0, 0, false, inner).ok());
  ASSERT_LT(set.size(), 10000u);
  auto parsed = parse_message_set(set, trailing_bytes::refuse);
  bytes storage;
  decompression_budget small(64 * 1024);
  auto opened = open_wrapper(parsed->messages[0], storage, size_t{64} << 20, &small);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.err().code, make_error_code(errc::invalid_record));
  EXPECT_NE(opened.err().message.find("budget"), std::string::npos);
  decompression_budget enough(size_t{4} << 20);
  ASSERT_TRUE(open_wrapper(parsed->messages[0], storage, size_t{64} << 20, &enough).ok());
  EXPECT_EQ(enough.used(), inner.size());
  // The per-wrapper cap binds on its own too.
  auto capped = open_wrapper(parsed->messages[0], storage, 1000);
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.err().code, make_error_code(errc::message_too_large));
}

TEST(LegacyMessage, NestedCompressionAndMixedMagicRefused) {
  bytes nested_inner;
  ASSERT_TRUE(append_wrapper(nested_inner, 1, compression_type::gzip, 0, 0, false, inner_set(1, 1, true)).ok());
  bytes set;
  ASSERT_TRUE(append_wrapper(set, 1, compression_type::gzip, 0, 0, false, nested_inner).ok());
  bytes storage;
  auto parsed = parse_message_set(set, trailing_bytes::refuse);
  EXPECT_FALSE(open_wrapper(parsed->messages[0], storage, 1 << 20).ok());
  bytes mixed;
  ASSERT_TRUE(append_wrapper(mixed, 1, compression_type::gzip, 0, 0, false, inner_set(0, 1, false)).ok());
  parsed = parse_message_set(mixed, trailing_bytes::refuse);
  EXPECT_FALSE(open_wrapper(parsed->messages[0], storage, 1 << 20).ok());
}

}  // namespace
}  // namespace samsa::record::legacy

namespace samsa::record::legacy {
namespace {

// Message sets librdkafka 2.0.2 (kcat) wrote with broker.version.fallback
// 0.9/0.10, kept in the record fuzz corpus (interop_test.cc).
TEST(LegacyMessage, LibrdkafkaMessageSetsParse) {
  const std::pair<const char*, int> files[] = {{"client_kcat_magic0", 0},
                                               {"client_kcat_magic0_gzip", 0},
                                               {"client_kcat_magic1", 1},
                                               {"client_kcat_magic1_gzip", 1}};
  for (const auto& [name, magic] : files) {
    std::ifstream in(std::filesystem::path(SAMSA_RECORD_CORPUS_DIR) / name, std::ios::binary);
    bytes blob((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto parsed = parse_message_set(blob, trailing_bytes::refuse);
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.err().describe();
    ASSERT_FALSE(parsed->messages.empty());
    std::vector<message> all;
    std::vector<bytes> storage(parsed->messages.size());
    for (size_t i = 0; i < parsed->messages.size(); ++i) {
      const message& m = parsed->messages[i];
      EXPECT_EQ(m.magic, magic) << name;
      if (m.codec() == compression_type::none) {
        all.push_back(m);
        continue;
      }
      auto inner = open_wrapper(m, storage[i], 1 << 20);
      ASSERT_TRUE(inner.ok()) << name << ": " << inner.err().describe();
      all.insert(all.end(), inner->begin(), inner->end());
    }
    ASSERT_FALSE(all.empty());
    for (const message& m : all) {
      EXPECT_EQ(text(m.key).rfind("key", 0), 0u) << name;
      EXPECT_NE(text(m.value).find("message number"), std::string::npos) << name;
    }
  }
}

}  // namespace
}  // namespace samsa::record::legacy
