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

#include "record/decompress_stream.h"

namespace samsa::record {
namespace {

// Grows `out` for a streaming decoder: doubles up to the limit (plus one byte,
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

// ---- snappy ----

result<bytes> snappy_compress(std::span<const uint8_t> in) {
  bytes out(snappy::MaxCompressedLength(in.size()));
  size_t produced = 0;
  snappy::RawCompress(reinterpret_cast<const char*>(in.data()), in.size(),
                      reinterpret_cast<char*>(out.data()), &produced);
  out.resize(produced);
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
      if (input.size() > max_output) return decompressed_too_large(type, max_output);
      return bytes(input.begin(), input.end());
    case compression_type::gzip:
    case compression_type::snappy:
    case compression_type::lz4:
    case compression_type::zstd: break;
  }
  if (static_cast<int>(type) > static_cast<int>(compression_type::zstd)) {
    return make_record_error(errc::unsupported_compression_type,
                             "decompress: unknown codec " + std::to_string(static_cast<int>(type)));
  }
  auto stream = decompress_stream::open(type, input, max_output);
  if (!stream) return stream.err();
  bytes out;
  // Frames that declare their size (librdkafka's lz4) are read into one
  // buffer sized once; +1 catches a frame that lies about its size.
  if (auto declared = (*stream)->declared_size()) out.resize(*declared + 1);
  size_t used = 0;
  for (;;) {
    if (used == out.size() && !grow(out, used, max_output)) return decompressed_too_large(type, max_output);
    auto n = (*stream)->read(std::span<uint8_t>(out).subspan(used));
    if (!n) return n.err();
    if (*n == 0) break;
    used += *n;
  }
  if (used > max_output) return decompressed_too_large(type, max_output);
  out.resize(used);
  return out;
}

}  // namespace samsa::record
