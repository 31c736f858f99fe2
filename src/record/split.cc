#include "record/split.h"

#include <string>


namespace samsa::record {

result<std::vector<batch_view>> split_batches(std::span<const uint8_t> records, split_mode mode) {
  std::vector<batch_view> out;
  size_t pos = 0;
  while (pos < records.size()) {
    auto rest = records.subspan(pos);
    std::string where = "records at byte " + std::to_string(pos);
    if (rest.size() > field::magic) {
      // Check the magic first: v0/v1 message sets keep it at the same offset but
      // frame their length differently, so they must not be parsed as v2.
      auto magic = static_cast<int8_t>(rest[field::magic]);
      if (magic != current_magic) {
        auto header = decode_header(rest);
        return samsa::error(header.err().code, where + ": " + header.err().message);
      }
    }
    if (rest.size() < batch_header_size) {
      if (mode == split_mode::lenient) break;
      return make_record_error(errc::corrupt_message,
                               where + ": " + std::to_string(rest.size()) +
                                   " trailing bytes are not a whole batch header");
    }
    auto header = decode_header(rest);
    if (!header) return samsa::error(header.err().code, where + ": " + header.err().message);
    size_t size = header->size_bytes();
    if (size > rest.size()) {
      if (mode == split_mode::lenient) break;
      return make_record_error(errc::corrupt_message,
                               where + ": batch of " + std::to_string(size) + " bytes is cut at " +
                                   std::to_string(rest.size()));
    }
    out.push_back({rest.first(size), *header});
    pos += size;
  }
  return out;
}

}  // namespace samsa::record
