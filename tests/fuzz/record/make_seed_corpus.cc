// Writes the seed corpus for record_batch_fuzz: valid batches for every codec,
// multi-batch blobs, a truncated tail, legacy magic 0/1 message sets, and a few
// damaged batches. Usage: record_make_seed_corpus <output-dir>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "record/batch_builder.h"

namespace {

using namespace samsa::record;

bytes text(const std::string& s) { return bytes(s.begin(), s.end()); }

std::vector<record> some_records(int n) {
  std::vector<record> out;
  for (int i = 0; i < n; ++i) {
    record r;
    r.offset = i;
    r.timestamp = 1700000000000 + i;
    if (i % 2 == 0) r.key = text("key" + std::to_string(i));
    r.value = text("value-" + std::string(static_cast<size_t>(i * 3), 'v'));
    if (i == 1) r.headers.push_back({"hdr", text("x")});
    if (i == 2) r.headers.push_back({"null", std::nullopt});
    out.push_back(std::move(r));
  }
  return out;
}

void put32(bytes& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

bytes legacy(int8_t magic) {
  bytes body = {static_cast<uint8_t>(magic), 0};
  if (magic == 1) body.insert(body.end(), 8, 0);
  put32(body, 1);
  body.push_back('k');
  put32(body, 5);
  for (char c : std::string("hello")) body.push_back(static_cast<uint8_t>(c));
  bytes out(8, 0);
  put32(out, static_cast<uint32_t>(4 + body.size()));
  put32(out, static_cast<uint32_t>(::crc32(0, body.data(), static_cast<uInt>(body.size()))));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

bool write(const std::filesystem::path& dir, const std::string& name, const bytes& data) {
  std::ofstream f(dir / name, std::ios::binary);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output-dir>\n", argv[0]);
    return 2;
  }
  std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  bool ok = true;
  bytes multi;
  for (auto c : {compression_type::none, compression_type::gzip, compression_type::snappy,
                 compression_type::lz4, compression_type::zstd}) {
    batch_options o;
    o.compression = c;
    o.producer_id = 9;
    o.producer_epoch = 0;
    o.base_sequence = 0;
    auto b = build_batch(o, some_records(4));
    if (!b.ok()) return 1;
    ok &= write(dir, std::string("batch_") + to_string(c), *b);
    multi.insert(multi.end(), b->begin(), b->end());
  }
  ok &= write(dir, "multi_batch", multi);
  bytes cut(multi.begin(), multi.end() - 10);
  cut[0] = 1;  // odd first byte: the fuzz target splits leniently
  ok &= write(dir, "multi_batch_truncated", cut);

  batch_options control;
  control.transactional = true;
  control.control = true;
  control.producer_id = 3;
  control.producer_epoch = 1;
  record marker;
  marker.key = bytes{0, 0, 0, 1};
  marker.value = bytes{0, 0, 0, 0, 0, 5};
  ok &= write(dir, "control_commit", *build_batch(control, {&marker, 1}));

  batch_options compacted;
  compacted.compression = compression_type::gzip;
  compacted.last_offset_delta = 20;
  compacted.delete_horizon_ms = 1800000000000;
  ok &= write(dir, "compacted_empty", *build_batch(compacted, {}));

  batch_options append_time;
  append_time.ts_type = timestamp_type::log_append_time;
  append_time.max_timestamp = 1750000000000;
  ok &= write(dir, "log_append_time", *build_batch(append_time, some_records(2)));

  bytes bad_crc = *build_batch({}, some_records(2));
  bad_crc.back() ^= 0xFF;
  ok &= write(dir, "bad_crc", bad_crc);

  // A snappy batch framed the way snappy-java (the Java client) writes it.
  bytes plain = *build_batch({}, some_records(6));
  bytes body(plain.begin() + batch_header_size, plain.end());
  auto block = compress(compression_type::snappy, body);
  bytes xerial = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
  put32(xerial, static_cast<uint32_t>(block->size()));
  xerial.insert(xerial.end(), block->begin(), block->end());
  bytes framed(plain.begin(), plain.begin() + batch_header_size);
  framed.insert(framed.end(), xerial.begin(), xerial.end());
  framed[field::attributes + 1] = static_cast<uint8_t>(compression_type::snappy);
  uint32_t length = static_cast<uint32_t>(framed.size() - log_overhead);
  for (int i = 0; i < 4; ++i) framed[field::batch_length + i] = static_cast<uint8_t>(length >> (24 - 8 * i));
  recompute_crc(framed);
  ok &= write(dir, "batch_snappy_xerial", framed);

  // First byte bit 1: the fuzz target repairs CRCs, so mutations reach the codecs.
  for (auto c : {compression_type::none, compression_type::gzip, compression_type::lz4,
                 compression_type::zstd}) {
    batch_options o;
    o.compression = c;
    auto b = build_batch(o, some_records(3));
    (*b)[0] = 2;
    ok &= write(dir, std::string("repair_crc_") + to_string(c), *b);
  }
  framed[0] = 2;
  ok &= write(dir, "repair_crc_snappy_xerial", framed);

  // First byte bit 2: the rest is one compressed stream for codec bits 3-5.
  bytes sample = *build_batch({}, some_records(8));
  for (auto c : {compression_type::gzip, compression_type::snappy, compression_type::lz4,
                 compression_type::zstd}) {
    bytes stream = {static_cast<uint8_t>(4 | (static_cast<int>(c) << 3))};
    auto z = compress(c, sample);
    stream.insert(stream.end(), z->begin(), z->end());
    ok &= write(dir, std::string("stream_") + to_string(c), stream);
  }
  bytes xerial_stream = {static_cast<uint8_t>(4 | (2 << 3))};
  xerial_stream.insert(xerial_stream.end(), xerial.begin(), xerial.end());
  ok &= write(dir, "stream_snappy_xerial", xerial_stream);

  ok &= write(dir, "legacy_magic0", legacy(0));
  ok &= write(dir, "legacy_magic1", legacy(1));
  return ok ? 0 : 1;
}
