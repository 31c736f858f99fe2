#include "http/partition_records.h"

#include <algorithm>

#include "storage/partition_log.h"

namespace samsa::http {

namespace {

std::string as_text(std::span<const uint8_t> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

}  // namespace

partition_records::partition_records(const storage::partition_log& log, int64_t from)
    : log_(&log), position_(from), high_watermark_(log.high_watermark()), log_start_offset_(log.log_start_offset()),
      chunk_next_offset_(from) {}

result<partition_records::chunk_read> partition_records::read_chunk(int64_t may_read) {
  reader_.reset();
  batches_.clear();
  next_batch_ = 0;
  const int64_t at = std::max(position_, chunk_next_offset_);
  high_watermark_ = log_->high_watermark();
  if (at >= high_watermark_) return chunk_read::at_end;
  if (may_read <= 0) return chunk_read::over_budget;
  auto want = static_cast<int32_t>(std::clamp<int64_t>(may_read, 1, default_chunk_bytes));
  auto chunk = log_->read_copy(at, want, high_watermark_);
  if (!chunk) return chunk.err();
  log_start_offset_ = chunk->log_start_offset;
  if (chunk->bytes.empty()) return chunk_read::at_end;  // nothing below the high watermark from here (an empty tail)
  if (chunk->next_offset <= at) {
    return make_error(std::errc::io_error, log_->topic() + "-" + std::to_string(log_->partition()) +
                                               ": no progress reading at offset " + std::to_string(at));
  }
  bytes_read_ += static_cast<int64_t>(chunk->bytes.size());
  chunk_ = std::move(chunk->bytes);
  chunk_next_offset_ = chunk->next_offset;
  auto batches = record::split_batches(chunk_, record::split_mode::lenient);
  if (!batches) return batches.err();
  batches_ = std::move(*batches);
  return chunk_read::read;
}

result<bool> partition_records::open_next_batch() {
  while (next_batch_ < batches_.size()) {
    const auto& batch = batches_[next_batch_++];
    if (batch.header.is_control()) {
      position_ = std::max(position_, batch.header.next_offset());
      continue;
    }
    auto reader = record::record_reader::open(batch.bytes);
    if (!reader) return reader.err();
    reader_.emplace(std::move(*reader));
    reader_log_append_time_ = batch.header.ts_type() == record::timestamp_type::log_append_time;
    reader_next_offset_ = batch.header.next_offset();
    return true;
  }
  // The chunk is used up: the next read starts after it, even where
  // compaction left no batch for its last offsets.
  position_ = std::max(position_, chunk_next_offset_);
  return false;
}

result<std::optional<read_record>> partition_records::next(int64_t may_read) {
  record::record_view view;
  at_end_ = false;
  const int64_t read_before = bytes_read_;
  for (;;) {
    if (!reader_) {
      auto opened = open_next_batch();
      if (!opened) return opened.err();
      if (!*opened) {
        auto read = read_chunk(may_read - (bytes_read_ - read_before));
        if (!read) return read.err();
        if (*read != chunk_read::read) {
          at_end_ = *read == chunk_read::at_end;
          return std::optional<read_record>();
        }
        continue;
      }
    }
    auto more = reader_->next(view);
    if (!more) return more.err();
    if (!*more) {
      reader_.reset();
      position_ = std::max(position_, reader_next_offset_);
      continue;
    }
    if (view.offset < position_) continue;  // the batch holding `from` starts before it
    read_record r;
    r.offset = view.offset;
    r.timestamp = view.timestamp;
    r.log_append_time = reader_log_append_time_;
    if (view.key) r.key = as_text(*view.key);
    if (view.value) r.value = as_text(*view.value);
    for (const auto& h : view.headers)
      r.headers.push_back({std::string(h.key), h.value ? std::optional(as_text(*h.value)) : std::nullopt});
    position_ = view.offset + 1;
    return std::optional<read_record>(std::move(r));
  }
}

}  // namespace samsa::http
