#include "storage/test_batches.h"

#include <cstdlib>
#include <random>

#include "record/batch_builder.h"
#include "record/control_record.h"
#include "record/record.h"

namespace samsa::storage::testing {

std::vector<uint8_t> make_batch(const std::vector<test_record>& records, int codec) {
  record::batch_options o;
  o.compression = static_cast<record::compression_type>(codec);
  record::batch_builder b(o);
  for (auto& r : records) {
    auto bytes = [](const std::optional<std::string>& s) -> std::optional<std::span<const uint8_t>> {
      if (!s) return std::nullopt;
      return std::span(reinterpret_cast<const uint8_t*>(s->data()), s->size());
    };
    if (!b.append(r.timestamp, bytes(r.key), bytes(r.value))) std::abort();
  }
  auto built = b.build();
  if (!built) std::abort();
  return std::move(*built);
}

std::vector<uint8_t> make_producer_batch(const std::vector<test_record>& records, const producer_fields& producer) {
  record::batch_options o;
  o.producer_id = producer.producer_id;
  o.producer_epoch = producer.epoch;
  o.base_sequence = producer.base_sequence;
  o.transactional = producer.transactional;
  record::batch_builder b(o);
  for (auto& r : records) {
    auto bytes = [](const std::optional<std::string>& s) -> std::optional<std::span<const uint8_t>> {
      if (!s) return std::nullopt;
      return std::span(reinterpret_cast<const uint8_t*>(s->data()), s->size());
    };
    if (!b.append(r.timestamp, bytes(r.key), bytes(r.value))) std::abort();
  }
  auto built = b.build();
  if (!built) std::abort();
  return std::move(*built);
}

std::vector<uint8_t> make_marker(int64_t producer_id, int16_t epoch, bool commit, int64_t timestamp) {
  record::end_txn_options o;
  o.producer_id = producer_id;
  o.producer_epoch = epoch;
  o.commit = commit;
  o.timestamp = timestamp;
  auto built = record::build_end_txn_batch(o);
  if (!built) std::abort();
  return std::vector<uint8_t>(built->begin(), built->end());
}

std::vector<uint8_t> make_filler_batch(int count, size_t value_bytes, int64_t timestamp, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<test_record> recs;
  for (int i = 0; i < count; ++i) {
    std::string v(value_bytes, ' ');
    for (auto& c : v) c = static_cast<char>('a' + rng() % 26);
    recs.push_back({std::nullopt, std::move(v), timestamp});
  }
  return make_batch(recs);
}

std::vector<std::pair<int64_t, test_record>> decode_batch(const std::vector<uint8_t>& batch) {
  auto recs = record::decode_records(batch);
  if (!recs) std::abort();
  std::vector<std::pair<int64_t, test_record>> out;
  for (auto& r : *recs) {
    test_record t;
    if (r.key) t.key = std::string(r.key->begin(), r.key->end());
    if (r.value) t.value = std::string(r.value->begin(), r.value->end());
    t.timestamp = r.timestamp;
    out.emplace_back(r.offset, std::move(t));
  }
  return out;
}

}  // namespace samsa::storage::testing
