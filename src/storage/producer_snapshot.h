// Producer-state snapshots, `<offset>.snapshot` beside the segments
// (docs/formats/producer-snapshot.md): the partition's producer table as it
// stood after every batch below `offset`. The log writes one when it rolls a
// segment and when it closes cleanly; on open it loads the newest valid one
// and replays only the batch headers after it, instead of the whole log.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/file_system.h"
#include "txn/producer_state.h"

namespace samsa::storage {

struct producer_snapshot {
  int64_t offset = 0;
  std::vector<txn::producer_record> producers;
};

std::vector<uint8_t> encode_producer_snapshot(const producer_snapshot& snap);
// errc::corrupt on a bad CRC, a wrong version or bytes that do not add up.
[[nodiscard]] result<producer_snapshot> decode_producer_snapshot(std::span<const uint8_t> bytes);

// The offsets of the .snapshot files in `names`, ascending.
std::vector<int64_t> snapshot_offsets(const std::vector<std::string>& names);

// Writes `<dir>/<offset>.snapshot` through a temporary file and a rename,
// without syncing (the caller syncs the file and the directory later; a torn
// file fails its CRC and the previous snapshot is used).
[[nodiscard]] status write_producer_snapshot(file_system& fs, const std::string& dir, const producer_snapshot& snap);
std::string snapshot_path(const std::string& dir, int64_t offset);

}  // namespace samsa::storage
