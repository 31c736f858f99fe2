#include "record/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>

#include "record/endian.h"

namespace samsa::record {
namespace {

samsa::error corrupt(compression_type type, const std::string& what) {
  return make_record_error(errc::corrupt_message,
                           std::string(to_string(type)) + " decompression: " + what);
}

samsa::error too_large(compression_type type, size_t limit) {
  return make_record_error(errc::message_too_large,
                           std::string(to_string(type)) +
                               " decompression: output exceeds the limit of " +
                               std::to_string(limit) + " bytes");
}

// Grows `out` for streaming decoders: doubles up to the limit (plus one byte,
// so that exceeding the limit is detectable). Returns false when already there.
bool grow(bytes& out, size_t used, size_t limit) {
  size_t cap_limit = limit == SIZE_MAX ? limit : limit + 1;
  if (used >= cap_limit) return false;
  size_t next = std::max<size_t>(used * 2, 64 * 1024);
  out.resize(std::min(next, cap_limit));
  return true;
}

// ---- gzip ----

result<bytes> gzip_compress(std::span<const uint8_t> in, std::optional<int> level) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper.
  if (deflateInit2(&zs, level.value_or(Z_DEFAULT_COMPRESSION), Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return make_record_error(errc::compression_failed, "gzip: deflateInit2 failed");
  }
  bytes out(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    return make_record_error(errc::compression_failed, "gzip: deflate did not finish");
  }
  out.resize(produced);
  return out;
}

result<bytes> gzip_decompress(std::span<const uint8_t> in, size_t limit) {
  constexpr auto type = compression_type::gzip;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return corrupt(type, "inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  bytes out;
  size_t used = 0;
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  for (;;) {
    if (used == out.size() && !grow(out, used, limit)) return too_large(type, limit);
    // zlib counts in 32 bits: hand it at most 1 GiB of output space per call.
    auto space = static_cast<uInt>(std::min<size_t>(out.size() - used, size_t{1} << 30));
    zs.next_out = out.data() + used;
    zs.avail_out = space;
    int rc = inflate(&zs, Z_NO_FLUSH);
    used += space - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (concatenated streams are valid gzip).
      if (inflateReset(&zs) != Z_OK) return corrupt(type, "inflateReset failed");
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && zs.avail_out != 0) {
      return corrupt(type, "truncated stream");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return corrupt(type, zs.msg != nullptr ? zs.msg : "inflate error " + std::to_string(rc));
    }
  }
  if (used > limit) return too_large(type, limit);
  out.resize(used);
  return out;
}

// ---- snappy ----

constexpr std::array<uint8_t, 8> xerial_magic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t xerial_header_size = 16;  // magic + int32 version + int32 compatible version

result<bytes> snappy_compress(std::span<const uint8_t> in) {
  bytes out(snappy::MaxCompressedLength(in.size()));
  size_t produced = 0;
  snappy::RawCompress(reinterpret_cast<const char*>(in.data()), in.size(),
                      reinterpret_cast<char*>(out.data()), &produced);
  out.resize(produced);
  return out;
}

// Appends one raw snappy block to `out`, keeping the total within `limit`.
status snappy_block(std::span<const uint8_t> block, bytes& out, size_t limit) {
  constexpr auto type = compression_type::snappy;
  const char* src = reinterpret_cast<const char*>(block.data());
  size_t length = 0;
  if (!snappy::GetUncompressedLength(src, block.size(), &length)) {
    return corrupt(type, "bad block length prefix");
  }
  if (length > limit || out.size() > limit - length) return too_large(type, limit);
  // A snappy element yields at most 64 bytes per 3 input bytes, so a declared
  // length beyond 22x the block is a lie: reject it before allocating.
  if (length / 22 > block.size()) return corrupt(type, "declared length exceeds what the block can hold");
  size_t start = out.size();
  out.resize(start + length);
  if (!snappy::RawUncompress(src, block.size(), reinterpret_cast<char*>(out.data() + start))) {
    return corrupt(type, "damaged block");
  }
  return {};
}

result<bytes> snappy_decompress(std::span<const uint8_t> in, size_t limit) {
  constexpr auto type = compression_type::snappy;
  bytes out;
  bool xerial = in.size() >= xerial_header_size &&
                std::equal(xerial_magic.begin(), xerial_magic.end(), in.begin());
  if (!xerial) {
    auto st = snappy_block(in, out, limit);
    if (!st) return st.err();
    return out;
  }
  size_t pos = xerial_header_size;
  while (pos < in.size()) {
    if (in.size() - pos < 4) return corrupt(type, "truncated xerial block length");
    uint32_t length = detail::load_be32(in.data() + pos);
    pos += 4;
    if (length > in.size() - pos) return corrupt(type, "xerial block overruns the input");
    auto st = snappy_block(in.subspan(pos, length), out, limit);
    if (!st) return st.err();
    pos += length;
  }
  return out;
}

// ---- lz4 (frame format) ----

result<bytes> lz4_compress(std::span<const uint8_t> in, std::optional<int> level) {
  LZ4F_preferences_t prefs{};
  // Independent 64 KiB blocks, no checksums beyond the header's: what Kafka's
  // own writer produces and every client reads.
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.compressionLevel = level.value_or(0);
  bytes out(LZ4F_compressFrameBound(in.size(), &prefs));
  size_t produced = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
  if (LZ4F_isError(produced)) {
    return make_record_error(errc::compression_failed,
                             std::string("lz4: ") + LZ4F_getErrorName(produced));
  }
  out.resize(produced);
  return out;
}

result<bytes> lz4_decompress(std::span<const uint8_t> in, size_t limit) {
  constexpr auto type = compression_type::lz4;
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return corrupt(type, "cannot create context");
  }
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> ctx(raw, LZ4F_freeDecompressionContext);
  bytes out;
  size_t used = 0;
  size_t pos = 0;
  size_t hint = 1;
  // Producers (librdkafka among them) record the content size in the frame
  // header: size the output once instead of growing it batch after batch.
  LZ4F_frameInfo_t info{};
  size_t header_size = in.size();
  hint = LZ4F_getFrameInfo(ctx.get(), &info, in.data(), &header_size);
  if (LZ4F_isError(hint)) return corrupt(type, LZ4F_getErrorName(hint));
  pos = header_size;
  if (info.contentSize > 0) {
    if (info.contentSize > limit) return too_large(type, limit);
    out.resize(static_cast<size_t>(info.contentSize) + 1);  // +1: a frame that lies about its size is caught
  }
  while (pos < in.size()) {
    if (used == out.size() && !grow(out, used, limit)) return too_large(type, limit);
    size_t src_size = in.size() - pos;
    size_t dst_size = out.size() - used;
    hint = LZ4F_decompress(ctx.get(), out.data() + used, &dst_size, in.data() + pos, &src_size,
                           nullptr);
    if (LZ4F_isError(hint)) return corrupt(type, LZ4F_getErrorName(hint));
    pos += src_size;
    used += dst_size;
    if (hint == 0 && pos < in.size()) {
      // A frame ended; accept another concatenated frame (the context resets itself).
      continue;
    }
    if (src_size == 0 && dst_size == 0) return corrupt(type, "decoder made no progress");
  }
  // Flush what the decoder still buffers for the last block.
  while (hint != 0) {
    if (used == out.size() && !grow(out, used, limit)) return too_large(type, limit);
    size_t src_size = 0;
    size_t dst_size = out.size() - used;
    hint = LZ4F_decompress(ctx.get(), out.data() + used, &dst_size, nullptr, &src_size, nullptr);
    if (LZ4F_isError(hint)) return corrupt(type, LZ4F_getErrorName(hint));
    used += dst_size;
    if (dst_size == 0 && hint != 0) return corrupt(type, "truncated frame");
  }
  if (used > limit) return too_large(type, limit);
  out.resize(used);
  return out;
}

// ---- zstd ----

result<bytes> zstd_compress(std::span<const uint8_t> in, std::optional<int> level) {
  bytes out(ZSTD_compressBound(in.size()));
  size_t produced =
      ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level.value_or(ZSTD_CLEVEL_DEFAULT));
  if (ZSTD_isError(produced)) {
    return make_record_error(errc::compression_failed,
                             std::string("zstd: ") + ZSTD_getErrorName(produced));
  }
  out.resize(produced);
  return out;
}

result<bytes> zstd_decompress(std::span<const uint8_t> in, size_t limit) {
  constexpr auto type = compression_type::zstd;
  // Streaming on purpose: the frame's declared content size is attacker data.
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) return corrupt(type, "cannot create context");
  // The frame header chooses the window (decoder memory); cap it near the
  // output limit instead of zstd's 128 MiB default.
  int window_log = 20;
  while (window_log < 27 && (size_t{1} << window_log) < limit) ++window_log;
  ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, window_log);
  bytes out;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t used = 0;
  size_t last = 1;
  if (in.empty()) return corrupt(type, "empty input");
  while (input.pos < input.size || last != 0) {
    if (used == out.size() && !grow(out, used, limit)) return too_large(type, limit);
    ZSTD_outBuffer output{out.data(), out.size(), used};
    size_t before_in = input.pos;
    last = ZSTD_decompressStream(ctx.get(), &output, &input);
    if (ZSTD_isError(last)) {
      // A window beyond our cap means the output could exceed the limit.
      if (ZSTD_getErrorCode(last) == ZSTD_error_frameParameter_windowTooLarge) {
        return too_large(type, limit);
      }
      return corrupt(type, ZSTD_getErrorName(last));
    }
    bool progressed = output.pos != used || input.pos != before_in;
    used = output.pos;
    if (!progressed && input.pos == input.size && last != 0 && used < out.size()) {
      return corrupt(type, "truncated frame");
    }
  }
  if (used > limit) return too_large(type, limit);
  out.resize(used);
  return out;
}

}  // namespace

result<bytes> compress(compression_type type, std::span<const uint8_t> input,
                       std::optional<int> level) {
  switch (type) {
    case compression_type::none: return bytes(input.begin(), input.end());
    case compression_type::gzip: return gzip_compress(input, level);
    case compression_type::snappy: return snappy_compress(input);
    case compression_type::lz4: return lz4_compress(input, level);
    case compression_type::zstd: return zstd_compress(input, level);
  }
  return make_record_error(errc::unsupported_compression_type,
                           "compress: unknown codec " + std::to_string(static_cast<int>(type)));
}

result<bytes> decompress(compression_type type, std::span<const uint8_t> input, size_t max_output) {
  switch (type) {
    case compression_type::none:
      if (input.size() > max_output) return too_large(type, max_output);
      return bytes(input.begin(), input.end());
    case compression_type::gzip: return gzip_decompress(input, max_output);
    case compression_type::snappy: return snappy_decompress(input, max_output);
    case compression_type::lz4: return lz4_decompress(input, max_output);
    case compression_type::zstd: return zstd_decompress(input, max_output);
  }
  return make_record_error(errc::unsupported_compression_type,
                           "decompress: unknown codec " + std::to_string(static_cast<int>(type)));
}

}  // namespace samsa::record
