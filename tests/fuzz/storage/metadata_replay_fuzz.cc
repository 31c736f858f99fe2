// Fuzz target for the metadata log replay (storage/metadata_store.cc): a data
// directory's __cluster_metadata is whatever the disk holds after a crash or
// bit rot. Input: a 2-byte big-endian snapshot length, the snapshot file,
// then the log file (seeds: make_metadata_seeds.py).
//
// Checks beyond "no crash": whatever opens must accept a new topic, survive
// a power loss right after, and reopen with the same topics plus the new one
// (and the same ACLs).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "storage/memory_file_system.h"
#include "storage/metadata_store.h"

using namespace samsa::storage;

namespace {

void put(memory_file_system& fs, const std::string& path, const uint8_t* data, size_t size) {
  auto f = fs.open(path, open_mode::create_truncate);
  if (!f) abort();
  if (size > 0 && !(*f)->append(std::span<const uint8_t>(data, size))) abort();
  if (!(*f)->sync()) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t snap_len = std::min<size_t>((size_t{data[0]} << 8) | data[1], size - 2);
  auto fs = std::make_shared<memory_file_system>();
  const std::string dir = "data/__cluster_metadata";
  if (!fs->create_dirs(dir)) abort();
  if (snap_len > 0) put(*fs, dir + "/snapshot", data + 2, snap_len);
  put(*fs, dir + "/log", data + 2 + snap_len, size - 2 - snap_len);

  auto store = metadata_store::open({fs, dir, 1000});
  if (!store) return 0;  // refused with an error: fine, as long as it did not crash
  auto before = (*store)->topics();
  auto acls_before = (*store)->acls();
  std::string cluster = (*store)->cluster_id();
  topic_metadata t;
  t.name = "fuzz-new-topic";
  t.partition_count = 1;
  t.topic_id[0] = 0xfe;
  bool created = static_cast<bool>((*store)->create_topic(t));
  store->reset();
  fs->drop_unsynced();
  auto again = metadata_store::open({fs, dir, 1000});
  if (!again) abort();  // what we opened and appended to must open again
  if ((*again)->cluster_id() != cluster) abort();
  auto after = (*again)->topics();
  if (created) {
    std::erase_if(after, [](const topic_metadata& x) { return x.name == "fuzz-new-topic"; });
    std::erase_if(before, [](const topic_metadata& x) { return x.name == "fuzz-new-topic"; });
  }
  if (after != before) abort();
  if ((*again)->acls() != acls_before) abort();
  return 0;
}
