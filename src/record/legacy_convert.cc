#include "record/legacy_convert.h"

#include <algorithm>
#include <string>

#include "record/batch_builder.h"
#include "record/record.h"

namespace samsa::record::legacy {

result<upconverted> upconvert_message_set(std::span<const uint8_t> set, decompression_budget& budget,
                                          size_t max_per_wrapper) {
  auto parsed = parse_message_set(set, trailing_bytes::allow);
  if (!parsed) return parsed.err();
  if (parsed->messages.empty()) {
    return make_record_error(errc::corrupt_message, "message set of " + std::to_string(set.size()) +
                                                        " bytes holds no whole message");
  }
  upconverted out;
  out.magic = parsed->messages.front().magic;
  out.trimmed_bytes = set.size() - parsed->valid_bytes;
  bool codec_seen = false;
  batch_builder builder(batch_options{});
  auto add = [&](const message& m) -> status {
    int64_t timestamp = m.magic == 0 ? no_timestamp : m.timestamp;
    return builder.append(timestamp, m.key, m.value);
  };
  bytes inner_storage;
  for (const message& m : parsed->messages) {
    // The broker, not the producer, decides a LogAppendTime (Kafka refuses
    // the bit from a producer too).
    if (m.log_append_time()) {
      return make_record_error(errc::invalid_timestamp, "message at offset " + std::to_string(m.offset) +
                                                            " sets the LogAppendTime bit, which only a broker may set");
    }
    if (m.magic != out.magic) {
      return make_record_error(errc::corrupt_message, "message set mixes magic " + std::to_string(out.magic) +
                                                          " and " + std::to_string(m.magic));
    }
    if (m.codec() == compression_type::none) {
      if (auto added = add(m); !added) return added.err();
      continue;
    }
    auto inner = open_wrapper(m, inner_storage, max_per_wrapper, &budget);
    if (!inner) return inner.err();
    out.decompressed_bytes += inner_storage.size();
    if (!codec_seen) {
      out.source_codec = m.codec();
      codec_seen = true;
    }
    for (const message& i : *inner) {
      if (auto added = add(i); !added) return added.err();
    }
  }
  auto built = builder.build();
  if (!built) return built.err();
  out.batch = std::move(*built);
  return out;
}

result<downconverted> downconvert_batch(std::span<const uint8_t> batch, int8_t magic, int64_t min_offset,
                                        size_t room, bool first_may_overflow, bytes& out) {
  auto reader = record_reader::open(batch);
  if (!reader) return reader.err();
  const batch_header& header = reader->header();
  downconverted done;
  done.next_offset = header.next_offset();
  const compression_type codec = header.compression();
  if (codec == compression_type::zstd) {
    return make_record_error(errc::unsupported_compression_type,
                             "batch at offset " + std::to_string(header.base_offset) +
                                 " is zstd-compressed, which message format v0/v1 cannot carry");
  }
  const bool append_time = header.ts_type() == timestamp_type::log_append_time;
  const int8_t attributes = magic == 1 && append_time ? timestamp_type_bit : 0;
  const size_t start = out.size();
  record_view r;

  if (codec == compression_type::none) {
    for (;;) {
      auto more = reader->next(r);
      if (!more) return more.err();
      if (!*more) break;
      if (r.offset < min_offset) continue;
      size_t before = out.size();
      append_message(out, magic, r.offset, attributes, r.timestamp, r.key, r.value);
      bool first = start == before && first_may_overflow;
      if (out.size() - start > room && !first) {
        out.resize(before);
        done.next_offset = r.offset;
        done.appended_bytes = before - start;
        return done;
      }
    }
    done.appended_bytes = out.size() - start;
    done.complete = true;
    return done;
  }

  // Compressed: one wrapper. Magic 1 inner offsets count from the first
  // inner message; magic 0 ones are absolute.
  bytes inner;
  int64_t first_offset = -1;
  int64_t last_offset = -1;
  int64_t max_timestamp = no_timestamp;
  for (;;) {
    auto more = reader->next(r);
    if (!more) return more.err();
    if (!*more) break;
    if (r.offset < min_offset) continue;
    if (first_offset < 0) first_offset = r.offset;
    last_offset = r.offset;
    max_timestamp = std::max(max_timestamp, r.timestamp);
    int64_t inner_offset = magic == 1 ? r.offset - first_offset : r.offset;
    append_message(inner, magic, inner_offset, attributes, r.timestamp, r.key, r.value);
  }
  done.complete = true;
  if (first_offset < 0) return done;  // every record lies before min_offset
  int64_t wrapper_timestamp = append_time ? header.max_timestamp : max_timestamp;
  if (auto wrapped = append_wrapper(out, magic, codec, last_offset, wrapper_timestamp, append_time, inner); !wrapped) {
    return wrapped.err();
  }
  if (out.size() - start > room && !first_may_overflow) {
    out.resize(start);
    done.next_offset = first_offset;
    done.complete = false;
    return done;
  }
  done.appended_bytes = out.size() - start;
  return done;
}

}  // namespace samsa::record::legacy
