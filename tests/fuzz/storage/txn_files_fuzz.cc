// Fuzz target for a partition's transaction files (storage/txn_index.cc,
// storage/producer_snapshot.cc, partition_log open): a damaged or hostile
// .snapshot or .txnindex beside a good segment.
// Input: one byte choosing the file (bit 0 clear: the producer snapshot at
// offset 2, the log end; set: the .txnindex of segment 0), then its bytes.
// The segment holds producer 1's transactional batch (offset 0) and its
// ABORT marker (offset 1).
//
// Checks beyond "no crash": the log opens; the LSO lies within
// [log start, high watermark]; every listed aborted transaction has
// first <= last < log end; a marker can be appended; a snapshot that fails
// to decode leaves the state the segment gives (abort of [0, 1] listed).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "storage/memory_file_system.h"
#include "storage/partition_log.h"
#include "storage/producer_snapshot.h"
#include "storage/test_batches.h"

using namespace samsa::storage;

namespace {

constexpr const char* dir = "data/t-0";

std::shared_ptr<partition_log> open_log(const std::shared_ptr<memory_file_system>& fs) {
  partition_log::options o;
  o.fs = fs;
  o.dir = dir;
  o.topic = "t";
  o.recovery_point = INT64_MAX;
  auto r = partition_log::open(o);
  return r ? *r : nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool index = data[0] & 1;
  const std::span<const uint8_t> body(data + 1, size - 1);
  auto fs = std::make_shared<memory_file_system>();
  {
    auto log = open_log(fs);
    if (!log) abort();
    using namespace samsa::storage::testing;
    if (!log->append(make_producer_batch({{"k", "v", 1000}}, producer_fields{1, 0, 0, true}), 1000)) abort();
    if (!log->append(make_marker(1, 0, false, 1000), 1000)) abort();
    if (!log->flush()) abort();
  }
  const std::string path =
      index ? std::string(dir) + "/" + segment_file_name(0, ".txnindex") : snapshot_path(dir, 2);
  {
    auto f = fs->open(path, open_mode::create_truncate);
    if (!f || (!body.empty() && !(*f)->append(body)) || !(*f)->sync()) abort();
  }
  auto log = open_log(fs);
  if (!log) abort();  // damaged side files are never a reason to refuse the log
  const auto o = log->offsets();
  if (o.last_stable_offset < o.log_start_offset || o.last_stable_offset > o.high_watermark) abort();
  for (const auto& a : log->aborted_transactions(0, o.high_watermark + 1)) {
    if (a.first_offset > a.last_offset || a.last_offset >= o.high_watermark) abort();
  }
  if (!index && !decode_producer_snapshot(body)) {
    // Ignored snapshot: everything comes from the segment itself.
    auto aborted = log->aborted_transactions(0, 2);
    if (aborted.size() != 1 || aborted[0] != aborted_txn{1, 0, 1} || o.last_stable_offset != 2) abort();
  }
  if (!log->append(samsa::storage::testing::make_marker(1, 0, true, 1000), 1000)) abort();
  return 0;
}
