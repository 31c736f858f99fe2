// How many bytes of decompressed records one request may still produce. A
// produce request is a few bytes on the wire but may inflate a thousandfold;
// one budget shared by every batch of the request bounds the work an attacker
// gets for each byte sent, whatever the number of batches or listings.
#pragma once

#include <cstddef>

namespace samsa::record {

class decompression_budget {
 public:
  explicit decompression_budget(size_t limit) : limit_(limit) {}

  size_t limit() const { return limit_; }
  size_t used() const { return used_; }
  size_t remaining() const { return limit_ - used_; }

  // Counts `n` more decompressed bytes; false (and the budget spent) when
  // they do not fit.
  bool charge(size_t n) {
    if (n > remaining()) {
      used_ = limit_;
      return false;
    }
    used_ += n;
    return true;
  }

 private:
  size_t limit_;
  size_t used_ = 0;
};

}  // namespace samsa::record
