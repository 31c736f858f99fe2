// Test support: builds real v2 record batches (through samsa::record) for
// storage unit tests, the crash test and the benchmark.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samsa::storage::testing {

struct test_record {
  std::optional<std::string> key;
  std::optional<std::string> value;  // nullopt = tombstone
  int64_t timestamp = 0;
};

// A batch with base offset 0 holding `records`, uncompressed unless `codec`
// (Kafka attribute bits 0-2) says otherwise.
std::vector<uint8_t> make_batch(const std::vector<test_record>& records, int codec = 0);
// `count` records of `value_bytes` pseudo-random bytes derived from `seed`.
std::vector<uint8_t> make_filler_batch(int count, size_t value_bytes, int64_t timestamp, uint64_t seed);
// A batch from a producer (idempotent, and transactional if asked).
struct producer_fields {
  int64_t producer_id = -1;
  int16_t epoch = 0;
  int32_t base_sequence = 0;
  bool transactional = false;
};
std::vector<uint8_t> make_producer_batch(const std::vector<test_record>& records, const producer_fields& producer);
// A COMMIT or ABORT control batch, as the transaction coordinator writes it.
std::vector<uint8_t> make_marker(int64_t producer_id, int16_t epoch, bool commit, int64_t timestamp = 0);
// Decodes a batch's records (for compaction checks).
std::vector<std::pair<int64_t, test_record>> decode_batch(const std::vector<uint8_t>& batch);

}  // namespace samsa::storage::testing
