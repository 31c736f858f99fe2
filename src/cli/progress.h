// A one-line progress bar with rate and ETA, drawn on stderr (terminal only).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace samsa::cli {

class progress_bar {
 public:
  // total_bytes 0 = unknown size (no percentage, no ETA).
  progress_bar(uint64_t total_bytes, bool enabled);
  void update(uint64_t bytes_done, uint64_t records_done);
  void finish(uint64_t bytes_done, uint64_t records_done);

  // The text of one frame, for tests and for drawing.
  static std::string render(uint64_t total_bytes, uint64_t bytes_done, uint64_t records, double seconds, int width);

 private:
  uint64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace samsa::cli
