// What checking a produced batch costs, in process: the record walk a
// Produce request's batches get (validate_batch at the full level with the
// producer's rules, as the broker runs it on an uncompressed batch) against
// the framing level alone (header and CRC-32C), on the same 1 MiB batches.
// The walk's share is what small records pay per byte: at 100 B a batch
// holds ten times the records of one at 1 KiB.
//
// Prints one JSON object: per value size, ns per record and CPU s per GB
// for each level (best of several rounds; the machine is shared).
//
//   produce_check_bench [--rounds N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "record/batch_builder.h"
#include "record/validate.h"

using namespace samsa;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr size_t batch_target_bytes = 1 << 20;
constexpr int checks_per_round = 50;

// A 1 MiB producer batch of `value_size`-byte values (idempotent producer,
// CreateTime, no key), as librdkafka sends them.
record::bytes make_batch(size_t value_size) {
  record::batch_options options;
  options.producer_id = 7;
  options.producer_epoch = 0;
  options.base_sequence = 0;
  record::batch_builder builder(options);
  std::vector<uint8_t> value(value_size);
  for (size_t i = 0; i < value_size; ++i) value[i] = static_cast<uint8_t>("abcdefghij"[i % 10]);
  const int records = static_cast<int>(batch_target_bytes / (value_size + 12));
  for (int i = 0; i < records; ++i) {
    if (!builder.append(1700000000000 + i, std::nullopt, std::span<const uint8_t>(value))) {
      std::fprintf(stderr, "produce_check_bench: could not add record %d\n", i);
      std::exit(1);
    }
  }
  auto built = builder.build();
  if (!built) {
    std::fprintf(stderr, "produce_check_bench: %s\n", built.err().message.c_str());
    std::exit(1);
  }
  return std::move(*built);
}

// Best seconds per check over `rounds` rounds.
double best_seconds(const record::bytes& batch, const record::validate_options& options, int rounds) {
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    auto start = clock_type::now();
    for (int i = 0; i < checks_per_round; ++i) {
      auto checked = record::validate_batch(batch, options);
      if (!checked) {
        std::fprintf(stderr, "produce_check_bench: %s\n", checked.err().message.c_str());
        std::exit(1);
      }
    }
    best = std::min(best, std::chrono::duration<double>(clock_type::now() - start).count() / checks_per_round);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 7;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: produce_check_bench [--rounds N]\n");
      return 2;
    }
  }
  record::validate_options framing;
  framing.level = record::validation_level::framing;
  record::validate_options full;
  full.level = record::validation_level::full;
  full.producer_rules = true;

  std::string out = "{\"rounds\": " + std::to_string(rounds) + ", \"sizes\": [";
  bool first = true;
  for (size_t value_size : {size_t{100}, size_t{1024}, size_t{10240}}) {
    record::bytes batch = make_batch(value_size);
    auto header = record::decode_header(batch);
    const double records = header ? header->record_count : 1;
    const double gb = static_cast<double>(batch.size()) / 1e9;
    const double crc = best_seconds(batch, framing, rounds);
    const double walk = best_seconds(batch, full, rounds);
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s{\"value_bytes\": %zu, \"records\": %.0f, \"batch_bytes\": %zu, "
                  "\"framing_ns_per_record\": %.1f, \"full_ns_per_record\": %.1f, "
                  "\"framing_cpu_s_per_gb\": %.3f, \"full_cpu_s_per_gb\": %.3f}",
                  first ? "" : ", ", value_size, records, batch.size(), crc / records * 1e9, walk / records * 1e9,
                  crc / gb, walk / gb);
    out += line;
    first = false;
  }
  out += "]}";
  std::puts(out.c_str());
  return 0;
}
