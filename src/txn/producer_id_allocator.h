// Hands out producer ids that are never reused, across restarts and crashes:
// ids come from blocks, and the end of the current block is made durable in
// a small file before the first id of the block is handed out.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"

namespace samsa::txn {

class producer_id_allocator {
 public:
  // `path` is the file that keeps the next unallocated block; created when missing.
  [[nodiscard]] static result<std::unique_ptr<producer_id_allocator>> open(std::string path,
                                                                          int64_t block_size = 1000);

  // The next producer id; fails only when the block file cannot be written.
  [[nodiscard]] result<int64_t> next();

 private:
  producer_id_allocator(std::string path, int64_t block_size, int64_t block_start);
  [[nodiscard]] status persist_block_end(int64_t end);

  std::mutex mutex_;
  std::string path_;
  int64_t block_size_;
  int64_t next_id_;
  int64_t block_end_;  // exclusive; ids below it are reserved on disk
};

}  // namespace samsa::txn
