// Small checkpoint files (log start offset, recovery points): text lines of
// "<key> <offset>" after a version and count line, closed by a CRC-32C line,
// written atomically (temp file, fsync, rename, directory fsync).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "storage/file_system.h"

namespace samsa::storage {

using checkpoint_entries = std::vector<std::pair<std::string, int64_t>>;

[[nodiscard]] status write_checkpoint(file_system& fs, const std::string& path, const checkpoint_entries& entries);
// A missing file reads as empty; a damaged one is errc::corrupt.
[[nodiscard]] result<checkpoint_entries> read_checkpoint(file_system& fs, const std::string& path);

}  // namespace samsa::storage
