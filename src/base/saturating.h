// Integer sums that clamp instead of overflowing: times and offsets built from
// values a client or a replayed record chose (a retention of INT64_MAX ms
// added to now) must stay ordered, not wrap into the past.
#pragma once
#include <cstdint>
#include <limits>

namespace samsa {

constexpr int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return sum;
}

constexpr int64_t saturating_sub(int64_t a, int64_t b) {
  int64_t difference = 0;
  if (__builtin_sub_overflow(a, b, &difference)) {
    return b < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return difference;
}

}  // namespace samsa
