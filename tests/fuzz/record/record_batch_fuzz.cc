// Fuzz target for the record module: split an arbitrary `records` blob, fully
// validate each batch, decode its records, and rebuild valid batches, checking
// that the rebuilt batch decodes to the same records. The first input byte
// (also the top byte of the first base offset) steers: bit 0 picks lenient
// splitting, bit 1 repairs each CRC first so mutations reach the record and
// decompression code instead of stopping at the checksum, bit 2 also feeds
// the rest of the input straight to the codec chosen by bits 3-5. The
// streamed validation is checked against the whole-body reader, and with a
// small request budget.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "record/batch_builder.h"
#include "record/compression.h"
#include "record/record.h"
#include "record/split.h"
#include "record/validate.h"

namespace {

// Small enough that a fuzzer-made bomb fails fast instead of eating memory.
constexpr size_t fuzz_decompress_limit = size_t{4} << 20;

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace samsa::record;
  std::span<const uint8_t> input(data, size);
  // The first byte picks the split mode so both paths get coverage.
  auto mode = (size > 0 && (data[0] & 1)) ? split_mode::lenient : split_mode::strict;
  bool repair_crc = size > 0 && (data[0] & 2);
  if (size > 0 && (data[0] & 4)) {
    auto codec = static_cast<compression_type>((data[0] >> 3) & 7);
    auto plain = decompress(codec, input.subspan(1), fuzz_decompress_limit);
    if (plain.ok()) {
      check(plain->size() <= fuzz_decompress_limit);
      auto again = compress(codec, *plain);
      check(again.ok());
      auto back = decompress(codec, *again, fuzz_decompress_limit);
      check(back.ok() && *back == *plain);
    }
  }
  auto batches = split_batches(input, mode);
  if (!batches.ok()) return 0;
  for (const auto& original : *batches) {
    batch_view view = original;
    std::vector<uint8_t> repaired;
    if (repair_crc) {
      repaired.assign(view.bytes.begin(), view.bytes.end());
      recompute_crc(repaired);
      view.bytes = repaired;
    }
    validate_options options;
    options.max_decompressed_bytes = fuzz_decompress_limit;
    auto framing_options = options;
    framing_options.level = validation_level::framing;
    auto framed = validate_batch(view.bytes, framing_options);
    auto header = validate_batch(view.bytes, options);
    // Full validation never accepts what framing rejects.
    if (!framed.ok()) check(!header.ok());
    // The streamed walk (validate) and the whole-body reader agree.
    if (framed.ok()) check(header.ok() == decode_records(view.bytes, fuzz_decompress_limit).ok());
    // A small request budget either changes nothing or refuses with INVALID_RECORD.
    decompression_budget budget(size_t{64} << 10);
    auto budgeted_options = options;
    budgeted_options.budget = &budget;
    auto budgeted = validate_batch(view.bytes, budgeted_options);
    if (header.ok()) check(budgeted.ok() || budgeted.err().code == make_error_code(errc::invalid_record));
    if (budgeted.ok()) check(header.ok());
    if (!header.ok()) continue;

    auto records = decode_records(view.bytes, fuzz_decompress_limit);
    check(records.ok());
    check(records->size() == static_cast<size_t>(header->record_count));

    batch_options rebuild;
    rebuild.compression = header->compression();
    rebuild.base_offset = header->base_offset;
    rebuild.last_offset_delta = header->last_offset_delta;
    rebuild.ts_type = header->ts_type();
    rebuild.max_timestamp = header->max_timestamp;
    rebuild.base_timestamp = header->base_timestamp;
    auto rebuilt = build_batch(rebuild, *records);
    if (!rebuilt.ok()) continue;  // e.g. a codec refusing an input; not a decoder bug
    auto again = decode_records(*rebuilt, fuzz_decompress_limit * 2);
    check(again.ok());
    check(*again == *records);

    auto target = static_cast<compression_type>(((size > 1 ? data[1] : 0) & 7) % 5);
    auto recompressed = recompress_batch(view.bytes, target, std::nullopt, fuzz_decompress_limit);
    if (!recompressed.ok()) continue;
    auto checked = validate_batch(*recompressed, options);
    check(checked.ok());
    check(checked->last_offset_delta == header->last_offset_delta);
    auto third = decode_records(*recompressed, fuzz_decompress_limit * 2);
    check(third.ok() && *third == *records);
  }
  return 0;
}
