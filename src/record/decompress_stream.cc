#include "record/decompress_stream.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "base/big_endian.h"
#include "base/byte_buffer.h"

namespace samsa::record {
namespace {

samsa::error corrupt(compression_type type, const std::string& what) {
  return make_record_error(errc::corrupt_message, std::string(to_string(type)) + " decompression: " + what);
}

// ---- gzip ----

class gzip_stream final : public decompress_stream {
 public:
  explicit gzip_stream(std::span<const uint8_t> in) {
    zs_.next_in = const_cast<Bytef*>(in.data());
    zs_.avail_in = static_cast<uInt>(in.size());
  }
  ~gzip_stream() override {
    if (initialised_) inflateEnd(&zs_);
  }
  status init() {
    // windowBits 15 + 16 selects the gzip wrapper.
    if (inflateInit2(&zs_, 15 + 16) != Z_OK) return corrupt(type, "inflateInit2 failed");
    initialised_ = true;
    return {};
  }

  result<size_t> read(std::span<uint8_t> out) override {
    if (done_) return size_t{0};
    // zlib counts in 32 bits: hand it at most 1 GiB of output space per call.
    auto space = static_cast<uInt>(std::min<size_t>(out.size(), size_t{1} << 30));
    zs_.next_out = out.data();
    zs_.avail_out = space;
    for (;;) {
      int rc = inflate(&zs_, Z_NO_FLUSH);
      size_t produced = space - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        if (zs_.avail_in == 0) {
          done_ = true;
          return produced;
        }
        // Another gzip member follows (concatenated streams are valid gzip).
        if (inflateReset(&zs_) != Z_OK) return corrupt(type, "inflateReset failed");
      } else if (rc == Z_BUF_ERROR) {
        if (zs_.avail_in == 0 && produced == 0) return corrupt(type, "truncated stream");
      } else if (rc != Z_OK) {
        return corrupt(type, zs_.msg != nullptr ? zs_.msg : "inflate error " + std::to_string(rc));
      }
      if (produced > 0) return produced;
    }
  }

 private:
  static constexpr auto type = compression_type::gzip;
  z_stream zs_{};
  bool initialised_ = false;
  bool done_ = false;
};

// ---- snappy (raw block, or xerial framing of blocks) ----

constexpr std::array<uint8_t, 8> xerial_magic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t xerial_header_size = 16;  // magic + int32 version + int32 compatible version

// Snappy blocks are not streamable, but each declares its length: a block is
// decoded whole into `block_` after that length is checked against the limit.
class snappy_stream final : public decompress_stream {
 public:
  snappy_stream(std::span<const uint8_t> in, size_t limit) : in_(in), limit_(limit) {
    xerial_ = in.size() >= xerial_header_size && std::equal(xerial_magic.begin(), xerial_magic.end(), in.begin());
    pos_ = xerial_ ? xerial_header_size : 0;
  }

  result<size_t> read(std::span<uint8_t> out) override {
    while (served_ == block_.size()) {
      auto found = next_block();
      if (!found) return found.err();
      if (!*found) return size_t{0};
      std::span<const uint8_t> next = **found;
      size_t length = 0;
      if (auto st = check_block(next, length); !st) return st.err();
      if (length <= out.size()) {
        // Room for the whole block: decode it where the caller wants it.
        if (auto st = decode_into(next, out.data()); !st) return st.err();
        advance(next);
        total_ += length;
        if (length > 0) return length;
        continue;
      }
      block_.resize(length);
      if (auto st = decode_into(next, block_.data()); !st) return st.err();
      advance(next);
      total_ += length;
      served_ = 0;
    }
    size_t n = std::min(out.size(), block_.size() - served_);
    std::copy_n(block_.data() + served_, n, out.data());
    served_ += n;
    return n;
  }

  size_t preferred_read() const override {
    if (served_ != block_.size()) return 0;
    // Only a length that passes the checks read() makes: a caller sizes its
    // buffer from this, and the length is the sender's claim.
    auto next = next_block();
    size_t length = 0;
    if (!next || !*next || !check_block(**next, length)) return 0;
    return length;
  }

 private:
  // The compressed bytes of the next block (none at the end), without
  // consuming them: the whole input when raw, else the next xerial block.
  using block_span = std::optional<std::span<const uint8_t>>;
  result<block_span> next_block() const {
    if (!xerial_) return raw_done_ ? block_span() : block_span(in_);
    if (pos_ >= in_.size()) return block_span();
    if (in_.size() - pos_ < 4) return corrupt(type, "truncated xerial block length");
    uint32_t length = big_endian::load_u32(in_.data() + pos_);
    if (length > in_.size() - pos_ - 4) return corrupt(type, "xerial block overruns the input");
    return block_span(in_.subspan(pos_ + 4, length));
  }
  void advance(std::span<const uint8_t> block) {
    if (xerial_)
      pos_ += 4 + block.size();
    else
      raw_done_ = true;
  }

  status check_block(std::span<const uint8_t> block, size_t& length) const {
    const char* src = reinterpret_cast<const char*>(block.data());
    if (!snappy::GetUncompressedLength(src, block.size(), &length)) return corrupt(type, "bad block length prefix");
    if (length > limit_ - total_) return decompressed_too_large(type, limit_);
    // A snappy element yields at most 64 bytes per 3 input bytes, so a
    // declared length beyond 22x the block is a lie: reject it before allocating.
    if (length / 22 > block.size()) return corrupt(type, "declared length exceeds what the block can hold");
    return {};
  }

  status decode_into(std::span<const uint8_t> block, uint8_t* out) const {
    if (!snappy::RawUncompress(reinterpret_cast<const char*>(block.data()), block.size(), reinterpret_cast<char*>(out)))
      return corrupt(type, "damaged block");
    return {};
  }

  static constexpr auto type = compression_type::snappy;
  std::span<const uint8_t> in_;
  size_t limit_;
  bool xerial_ = false;
  bool raw_done_ = false;  // the one raw block was decoded
  size_t pos_ = 0;
  // A block decoded whole when the caller gave less room than it holds.
  byte_buffer block_;
  size_t served_ = 0;
  size_t total_ = 0;
};

// ---- lz4 (frame format) ----

class lz4_stream final : public decompress_stream {
 public:
  explicit lz4_stream(std::span<const uint8_t> in) : in_(in) {}
  ~lz4_stream() override {
    if (ctx_ != nullptr) LZ4F_freeDecompressionContext(ctx_);
  }

  status init(size_t limit) {
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx_, LZ4F_VERSION))) {
      ctx_ = nullptr;
      return corrupt(type, "cannot create context");
    }
    LZ4F_frameInfo_t info{};
    size_t header_size = in_.size();
    hint_ = LZ4F_getFrameInfo(ctx_, &info, in_.data(), &header_size);
    if (LZ4F_isError(hint_)) return corrupt(type, LZ4F_getErrorName(hint_));
    pos_ = header_size;
    if (info.contentSize > 0) {
      if (info.contentSize > limit) return decompressed_too_large(type, limit);
      declared_ = static_cast<size_t>(info.contentSize);
    }
    return {};
  }

  std::optional<size_t> declared_size() const override { return declared_; }

  result<size_t> read(std::span<uint8_t> out) override {
    while (!done_) {
      size_t src_size = in_.size() - pos_;
      size_t dst_size = out.size();
      // Past the input, calls with no source flush what the decoder still
      // buffers for the last block.
      const uint8_t* src = pos_ < in_.size() ? in_.data() + pos_ : nullptr;
      if (src == nullptr && hint_ == 0) {
        done_ = true;
        break;
      }
      hint_ = LZ4F_decompress(ctx_, out.data(), &dst_size, src, &src_size, nullptr);
      if (LZ4F_isError(hint_)) return corrupt(type, LZ4F_getErrorName(hint_));
      pos_ += src_size;
      if (dst_size > 0) return dst_size;
      if (src == nullptr) {
        if (hint_ != 0) return corrupt(type, "truncated frame");
      } else if (src_size == 0) {
        return corrupt(type, "decoder made no progress");
      }
      // A frame that ended with more input left: another concatenated frame
      // follows (the context resets itself).
    }
    return size_t{0};
  }

 private:
  static constexpr auto type = compression_type::lz4;
  std::span<const uint8_t> in_;
  LZ4F_dctx* ctx_ = nullptr;
  size_t pos_ = 0;
  size_t hint_ = 1;
  bool done_ = false;
  std::optional<size_t> declared_;
};

// ---- zstd ----

// One decoder context kept per thread: creating one per batch was 1.2% of
// the broker's CPU under 1 KiB zstd produce. A stream takes it (or makes its
// own when another stream on this thread holds it) and gives it back reset.
struct zstd_context_cache {
  ZSTD_DCtx* spare = nullptr;
  ~zstd_context_cache() { ZSTD_freeDCtx(spare); }
};
thread_local zstd_context_cache zstd_contexts;

class zstd_stream final : public decompress_stream {
 public:
  explicit zstd_stream(std::span<const uint8_t> in) : input_{in.data(), in.size(), 0} {}
  ~zstd_stream() override {
    if (ctx_ == nullptr) return;
    if (zstd_contexts.spare == nullptr && !ZSTD_isError(ZSTD_DCtx_reset(ctx_, ZSTD_reset_session_and_parameters))) {
      zstd_contexts.spare = ctx_;
    } else {
      ZSTD_freeDCtx(ctx_);
    }
  }

  status init(size_t limit) {
    if (input_.size == 0) return corrupt(type, "empty input");
    ctx_ = std::exchange(zstd_contexts.spare, nullptr);
    if (ctx_ == nullptr) ctx_ = ZSTD_createDCtx();
    if (ctx_ == nullptr) return corrupt(type, "cannot create context");
    // The frame header chooses the window (decoder memory); cap it near the
    // output limit instead of zstd's 128 MiB default.
    int window_log = 20;
    while (window_log < 27 && (size_t{1} << window_log) < limit) ++window_log;
    ZSTD_DCtx_setParameter(ctx_, ZSTD_d_windowLogMax, window_log);
    limit_ = limit;
    return {};
  }

  result<size_t> read(std::span<uint8_t> out) override {
    for (;;) {
      if (input_.pos == input_.size && last_ == 0) return size_t{0};
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      size_t before_in = input_.pos;
      // Streaming on purpose: the frame's declared content size is attacker data.
      last_ = ZSTD_decompressStream(ctx_, &output, &input_);
      if (ZSTD_isError(last_)) {
        // A window beyond our cap means the output could exceed the limit.
        if (ZSTD_getErrorCode(last_) == ZSTD_error_frameParameter_windowTooLarge) return decompressed_too_large(type, limit_);
        return corrupt(type, ZSTD_getErrorName(last_));
      }
      if (output.pos > 0) return output.pos;
      if (input_.pos == before_in && input_.pos == input_.size && last_ != 0) {
        return corrupt(type, "truncated frame");
      }
    }
  }

 private:
  static constexpr auto type = compression_type::zstd;
  ZSTD_DCtx* ctx_ = nullptr;
  ZSTD_inBuffer input_;
  size_t last_ = 1;
  size_t limit_ = 0;
};

}  // namespace

result<std::unique_ptr<decompress_stream>> decompress_stream::open(compression_type type,
                                                                   std::span<const uint8_t> input,
                                                                   size_t max_output) {
  switch (type) {
    case compression_type::gzip: {
      auto s = std::make_unique<gzip_stream>(input);
      if (auto st = s->init(); !st) return st.err();
      return std::unique_ptr<decompress_stream>(std::move(s));
    }
    case compression_type::snappy:
      return std::unique_ptr<decompress_stream>(std::make_unique<snappy_stream>(input, max_output));
    case compression_type::lz4: {
      auto s = std::make_unique<lz4_stream>(input);
      if (auto st = s->init(max_output); !st) return st.err();
      return std::unique_ptr<decompress_stream>(std::move(s));
    }
    case compression_type::zstd: {
      auto s = std::make_unique<zstd_stream>(input);
      if (auto st = s->init(max_output); !st) return st.err();
      return std::unique_ptr<decompress_stream>(std::move(s));
    }
    case compression_type::none: break;
  }
  return make_record_error(errc::unsupported_compression_type,
                           "decompress: no stream for codec " + std::to_string(static_cast<int>(type)));
}

samsa::error decompressed_too_large(compression_type type, size_t limit) {
  return make_record_error(errc::message_too_large, std::string(to_string(type)) +
                                                        " decompression: output exceeds the limit of " +
                                                        std::to_string(limit) + " bytes");
}

}  // namespace samsa::record
