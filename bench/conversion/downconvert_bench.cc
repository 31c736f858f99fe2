// Down-conversion rate: what serving an old consumer (Fetch v0-3, message
// format v0/v1) costs against a modern fetch (v4+, record batches sent as
// stored) of the same data, measured in the same run.
//
// Two parts, each per codec (none, lz4, gzip):
//  - in process: record::legacy::downconvert_batch over every stored batch,
//    next to a memcpy of the same bytes (the least any fetch costs);
//  - over the wire: a real `samsa serve` (SAMSA_BIN or the build's own), the
//    data produced once, then the whole partition read back by Fetch v12,
//    v3 (magic 1) and v1 (magic 0) with 1 MiB per request.
// Rates are MB/s of stored (record batch) bytes. Prints one JSON object.
//
//   downconvert_bench [--mb N]   (data per codec, default 64)
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/big_endian.h"
#include "broker_process.h"
#include "protocol/messages.h"
#include "record/batch_builder.h"
#include "record/legacy_convert.h"
#include "wire_client.h"
#include "wire_helpers.h"

using namespace samsa;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr int records_per_batch = 100;
constexpr size_t value_size = 1000;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Batches of keyed 1000-byte values, text-like so the codecs have work.
std::vector<std::vector<uint8_t>> make_batches(record::compression_type codec, size_t total_bytes) {
  std::vector<std::vector<uint8_t>> out;
  std::string value(value_size, ' ');
  size_t made = 0;
  uint64_t seed = 42;
  int64_t n = 0;
  while (made < total_bytes) {
    record::batch_options o;
    o.compression = codec;
    record::batch_builder b(o);
    for (int i = 0; i < records_per_batch; ++i, ++n) {
      for (auto& c : value) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        c = static_cast<char>('a' + (seed >> 61));  // 8 letters: gzip ~2.5x, lz4 less
      }
      std::string key = "key-" + std::to_string(n % 1000);
      (void)b.append(1700000000000 + n,
                     std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
                     std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
    }
    auto built = b.build();
    if (!built) throw std::runtime_error(built.err().describe());
    made += built->size();
    out.push_back(std::move(*built));
  }
  return out;
}

size_t total_size(const std::vector<std::vector<uint8_t>>& batches) {
  size_t n = 0;
  for (const auto& b : batches) n += b.size();
  return n;
}

// In-process conversion of every batch to `magic`; MB/s of stored bytes.
double convert_rate(const std::vector<std::vector<uint8_t>>& batches, int8_t magic) {
  std::vector<uint8_t> out;
  out.reserve(4 << 20);
  auto start = clock_type::now();
  for (const auto& b : batches) {
    out.clear();
    auto done = record::legacy::downconvert_batch(b, magic, 0, SIZE_MAX, true, out);
    if (!done) throw std::runtime_error(done.err().describe());
  }
  return static_cast<double>(total_size(batches)) / 1e6 / seconds_since(start);
}

double memcpy_rate(const std::vector<std::vector<uint8_t>>& batches) {
  std::vector<uint8_t> out(4 << 20);
  auto start = clock_type::now();
  for (const auto& b : batches) std::memcpy(out.data(), b.data(), std::min(b.size(), out.size()));
  volatile uint8_t sink = out[0];
  (void)sink;
  return static_cast<double>(total_size(batches)) / 1e6 / seconds_since(start);
}

// Reads the whole partition at `version`, 1 MiB per request; MB/s of stored bytes.
double fetch_rate(wire_test::wire_client& client, const std::string& topic, int16_t version, int64_t end_offset,
                  size_t stored_bytes) {
  auto start = clock_type::now();
  int64_t offset = 0;
  while (offset < end_offset) {
    protocol::fetch_request_data req;
    req.replica_id = -1;
    req.max_bytes = 1 << 20;
    req.topics.push_back({});
    req.topics[0].topic = topic;
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].fetch_offset = offset;
    req.topics[0].partitions[0].partition_max_bytes = 1 << 20;
    auto resp = client.call<protocol::fetch_response_data>(req, version);
    const auto& p = resp.responses.at(0).partitions.at(0);
    if (p.error_code != 0) throw std::runtime_error("fetch error " + std::to_string(p.error_code));
    auto bytes = p.records->bytes();
    // The last offset in the answer: a batch header's base + lastOffsetDelta
    // (v4+), or the last message's offset (v0-3), found by walking the entries.
    int64_t last = -1;
    size_t pos = 0;
    while (pos + 12 <= bytes.size()) {
      int64_t base = big_endian::load<int64_t>(bytes.data() + pos);
      int32_t size = big_endian::load<int32_t>(bytes.data() + pos + 8);
      if (pos + 12 + static_cast<size_t>(size) > bytes.size()) break;
      last = version >= 4 ? base + big_endian::load<int32_t>(bytes.data() + pos + 23) : base;
      pos += 12 + static_cast<size_t>(size);
    }
    if (last < offset) throw std::runtime_error("fetch made no progress at offset " + std::to_string(offset));
    offset = last + 1;
  }
  return static_cast<double>(stored_bytes) / 1e6 / seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  size_t mb = 64;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--mb") mb = std::stoul(argv[i + 1]);
  }
  wire_test::broker_process broker;
  broker.start();
  wire_test::wire_client client(broker.port());
  std::printf("{\"mb_per_codec\": %zu, \"record_value_bytes\": %zu, \"records_per_batch\": %d, \"codecs\": {", mb,
              value_size, records_per_batch);
  const record::compression_type codecs[] = {record::compression_type::none, record::compression_type::lz4,
                                             record::compression_type::gzip};
  bool first = true;
  for (auto codec : codecs) {
    auto batches = make_batches(codec, mb << 20);
    const size_t stored = total_size(batches);
    std::string topic = std::string("bench-") + record::to_string(codec);
    if (wire_test::create_topic(client, topic, 1) != 0) throw std::runtime_error("create_topic failed");
    for (const auto& b : batches) {
      auto p = wire_test::produce_batch(client, 9, topic, 0, b);
      if (p.error_code != 0) throw std::runtime_error("produce failed: " + std::to_string(p.error_code));
    }
    const int64_t end = static_cast<int64_t>(batches.size()) * records_per_batch;
    double copy = memcpy_rate(batches);
    double conv1 = convert_rate(batches, 1);
    double conv0 = convert_rate(batches, 0);
    double modern = fetch_rate(client, topic, 12, end, stored);
    double v3 = fetch_rate(client, topic, 3, end, stored);
    double v1 = fetch_rate(client, topic, 1, end, stored);
    std::printf(
        "%s\"%s\": {\"stored_mb\": %.1f, \"records\": %lld, \"in_process_mb_s\": {\"memcpy\": %.0f, \"to_magic1\": %.0f, "
        "\"to_magic0\": %.0f}, \"wire_mb_s\": {\"fetch_v12\": %.0f, \"fetch_v3_magic1\": %.0f, "
        "\"fetch_v1_magic0\": %.0f}, \"v3_vs_v12\": %.2f}",
        first ? "" : ", ", record::to_string(codec), static_cast<double>(stored) / 1e6, static_cast<long long>(end), copy, conv1, conv0, modern,
        v3, v1, v3 / modern);
    std::fflush(stdout);
    first = false;
  }
  std::printf("}}\n");
  return 0;
}
