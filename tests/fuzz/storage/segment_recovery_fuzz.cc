// Fuzz target for segment recovery (storage/segment.cc, partition_log open):
// a partition directory after a crash, a torn write or a damaged disk.
// Input: one flags byte (bit 0: clean start, trusting the files; bit 1: an
// offset index follows), for bit 1 a 2-byte big-endian index length and the
// index, then the bytes of segment 00000000000000000000.log.
//
// Checks beyond "no crash": after an unclean start every batch served is
// whole and valid with increasing offsets; the log takes an append; after a
// power loss it opens again with at least what was synced.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "storage/batch_ops.h"
#include "storage/memory_file_system.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

using namespace samsa::storage;

namespace {

void put(memory_file_system& fs, const std::string& path, const uint8_t* data, size_t size) {
  auto f = fs.open(path, open_mode::create_truncate);
  if (!f) abort();
  if (size > 0 && !(*f)->append(std::span<const uint8_t>(data, size))) abort();
  if (!(*f)->sync()) abort();
}

std::shared_ptr<partition_log> open_log(const std::shared_ptr<memory_file_system>& fs, int64_t recovery_point) {
  partition_log::options o;
  o.fs = fs;
  o.dir = "data/t-0";
  o.topic = "t";
  o.recovery_point = recovery_point;
  o.config.segment_bytes = 1 << 20;
  auto r = partition_log::open(o);
  return r ? *r : nullptr;
}

// Reads every batch from the log start to the end; aborts on an invalid one.
void check_contents(partition_log& log) {
  int64_t next = log.log_start_offset();
  int64_t end = log.log_end_offset();
  while (next < end) {
    auto r = log.read_copy(next, 1 << 20, INT64_MAX);
    if (!r) abort();
    if (r->bytes.empty()) break;
    for (size_t pos = 0; pos < r->bytes.size();) {
      auto info = peek_batch(std::span(r->bytes).subspan(pos));
      if (!info || info->base_offset < next || pos + static_cast<size_t>(info->size) > r->bytes.size()) abort();
      if (!check_batch(std::span(r->bytes).subspan(pos, static_cast<size_t>(info->size)))) abort();
      next = info->last_offset() + 1;
      pos += static_cast<size_t>(info->size);
    }
    if (r->next_offset <= next - 1) abort();
    next = std::max(next, r->next_offset);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool clean = data[0] & 1;
  size_t pos = 1;
  auto fs = std::make_shared<memory_file_system>();
  if (!fs->create_dirs("data/t-0")) abort();
  if (data[0] & 2) {
    if (size < 3) return 0;
    size_t n = std::min<size_t>((size_t{data[1]} << 8) | data[2], size - 3);
    put(*fs, "data/t-0/00000000000000000000.index", data + 3, n);
    pos = 3 + n;
  }
  put(*fs, "data/t-0/00000000000000000000.log", data + pos, size - pos);

  auto log = open_log(fs, clean ? INT64_MAX : -1);
  if (!log) return 0;  // refused with an error: fine
  if (!clean) check_contents(*log);
  int64_t end = log->log_end_offset();
  auto appended = log->append(samsa::storage::testing::make_filler_batch(2, 10, 1000, 1), 1000);
  if (appended) {
    if (appended->base_offset != end || log->log_end_offset() != end + 2) abort();
    if (!log->flush()) abort();
  }
  int64_t durable = log->flushed_offset();
  log.reset();
  fs->drop_unsynced();
  auto again = open_log(fs, -1);
  if (!again) abort();  // a log we recovered and synced must open again
  // After a clean start the files were trusted as they were: damage in them
  // may cut the log on this unclean open, so only the unclean path promises this.
  if (!clean && again->log_end_offset() < durable) abort();
  check_contents(*again);
  return 0;
}
