// A bound on log lines a client can cause (the audit log, refusals): at most
// `per_second` lines in any one second, so a client retrying a denied request
// in a loop cannot fill the disk, while the first lines of every second are
// all seen. The lines left out are counted
// and reported with the first line of a later second. Pure (the caller gives
// the second and holds any lock), so it is tested without a clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace samsa {

// The second a rate_window counts in: steady, so a clock step cannot reopen
// or freeze the window.
inline int64_t steady_second() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class rate_window {
 public:
  explicit rate_window(uint32_t per_second) : per_second_(per_second) {}

  // Whether a line may be written in `second`. When it may and an earlier
  // second left lines out, `left_out` gets their number (else 0).
  bool admit(int64_t second, uint64_t& left_out) {
    left_out = 0;
    if (second != second_) {
      pending_ += suppressed_;
      suppressed_ = 0;
      second_ = second;
      written_ = 0;
    }
    if (written_ >= per_second_) {
      ++suppressed_;
      return false;
    }
    ++written_;
    left_out = pending_;
    pending_ = 0;
    return true;
  }

 private:
  uint32_t per_second_;
  int64_t second_ = INT64_MIN;
  uint32_t written_ = 0;
  uint64_t suppressed_ = 0;  // left out in the current second
  uint64_t pending_ = 0;     // left out in earlier seconds, not yet reported
};

}  // namespace samsa
