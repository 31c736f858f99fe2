// Fuzz target for message format v0/v1 (Produce v0-2 bodies): parse a
// message set both ways (partial tail allowed / refused), open every
// compressed wrapper under a small limit and budget, up-convert the set as
// the produce path does, then down-convert the resulting batch to magic 0
// and 1 and check the values survive. The first input byte steers: bit 0
// repairs every top-level CRC first, so mutations reach the wrapper and
// codec code instead of stopping at the checksum; the rest is the set.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "base/big_endian.h"
#include "record/legacy_convert.h"
#include "record/legacy_message.h"
#include "record/record.h"

namespace {

constexpr size_t fuzz_decompress_limit = size_t{1} << 20;

void check(bool ok) {
  if (!ok) std::abort();
}

// Rewrites the CRC of every whole top-level message in place.
void repair_crcs(std::vector<uint8_t>& set) {
  using namespace samsa::record::legacy;
  size_t pos = 0;
  while (set.size() - pos >= log_overhead + header_size_v0) {
    auto size = samsa::big_endian::load<int32_t>(set.data() + pos + 8);
    if (size < static_cast<int32_t>(header_size_v0) || set.size() - pos - log_overhead < static_cast<size_t>(size)) {
      return;
    }
    uint8_t* body = set.data() + pos + log_overhead;
    samsa::big_endian::store<uint32_t>(
        body, crc32_ieee(std::span<const uint8_t>(body + 4, static_cast<size_t>(size) - 4)));
    pos += log_overhead + static_cast<size_t>(size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace samsa::record;
  using namespace samsa::record::legacy;
  if (size == 0) return 0;
  std::vector<uint8_t> set(data + 1, data + size);
  if (data[0] & 1) repair_crcs(set);

  auto strict = parse_message_set(set, trailing_bytes::refuse);
  auto lenient = parse_message_set(set, trailing_bytes::allow);
  // Whatever parses strictly parses leniently, to the same messages.
  if (strict.ok()) check(lenient.ok() && lenient->messages.size() == strict->messages.size());
  if (lenient.ok()) {
    check(lenient->valid_bytes <= set.size());
    decompression_budget budget(4 * fuzz_decompress_limit);
    for (const auto& m : lenient->messages) {
      if (m.codec() == compression_type::none) continue;
      std::vector<uint8_t> storage;
      auto inner = open_wrapper(m, storage, fuzz_decompress_limit, &budget);
      if (inner.ok()) {
        check(storage.size() <= fuzz_decompress_limit);
        absolute_offsets(m, *inner);
      }
    }
    check(budget.used() <= budget.limit());
  }

  decompression_budget budget(4 * fuzz_decompress_limit);
  auto up = upconvert_message_set(set, budget, fuzz_decompress_limit);
  if (!up.ok()) return 0;
  auto records = decode_records(up->batch);
  check(records.ok());
  for (int8_t magic : {int8_t{0}, int8_t{1}}) {
    std::vector<uint8_t> out;
    auto down = downconvert_batch(up->batch, magic, 0, SIZE_MAX, true, out);
    check(down.ok() && down->complete);
    auto again = parse_message_set(out, trailing_bytes::refuse);
    check(again.ok() && again->messages.size() == records->size());
    for (size_t i = 0; i < records->size(); ++i) {
      const auto& m = again->messages[i];
      const auto& r = (*records)[i];
      check(m.value.has_value() == r.value.has_value());
      if (m.value) check(std::equal(m.value->begin(), m.value->end(), r.value->begin(), r.value->end()));
    }
  }
  return 0;
}
