// A POSIX file system for durability tests of the real broker process: it
// remembers how much of each file a completed fdatasync covered and which
// names a directory fsync made durable, and when the trigger file appears it
// throws away everything else (truncates files to their synced size, removes
// files and directories whose names were never synced) and exits at once
// with status 137, as if the power had gone. SIGKILL alone cannot show a
// missing sync: the page cache survives it.
//
// Test use only (`samsa.test.crash.trigger` in the broker settings). Data
// written outside the file_system seam (producer ids) is not tracked.
#pragma once

#include <memory>
#include <string>

#include "storage/file_system.h"

namespace samsa::storage {

// Starts a thread that polls for `trigger_path` every few milliseconds.
std::shared_ptr<file_system> crash_sim_file_system(const std::string& trigger_path);

}  // namespace samsa::storage
