#include "quota/sampled_rate.h"

#include <algorithm>

namespace samsa::quota {

sampled_rate::sampled_rate(window_config config) : config_(config) {
  config_.samples = std::max(config_.samples, 2);
  config_.window_ms = std::max<int64_t>(config_.window_ms, 1);
}

void sampled_rate::purge(int64_t now_ms) {
  const int64_t expire_after = static_cast<int64_t>(config_.samples) * config_.window_ms;
  for (auto& s : samples_) {
    if (now_ms - s.start_ms >= expire_after) s = sample{now_ms, 0};
  }
}

void sampled_rate::record(double value, int64_t now_ms) {
  last_record_ms_ = now_ms;
  if (samples_.empty()) {
    samples_.push_back({now_ms, 0});
    current_ = 0;
  } else if (now_ms >= samples_[current_].start_ms + config_.window_ms) {
    // The current sample is complete: start the next one now, reusing the
    // oldest slot once all `samples` exist.
    current_ = (current_ + 1) % static_cast<size_t>(config_.samples);
    if (current_ >= samples_.size())
      samples_.push_back({now_ms, 0});
    else
      samples_[current_] = sample{now_ms, 0};
  }
  samples_[current_].value += value;
}

int64_t sampled_rate::span_ms(int64_t now_ms) {
  purge(now_ms);
  int64_t oldest = now_ms;
  for (auto& s : samples_) oldest = std::min(oldest, s.start_ms);
  int64_t span = now_ms - oldest;
  const int64_t full_windows = span / config_.window_ms;
  const int64_t min_full = config_.samples - 1;
  if (full_windows < min_full) span += (min_full - full_windows) * config_.window_ms;
  return span;
}

double sampled_rate::rate(int64_t now_ms) {
  int64_t span = span_ms(now_ms);  // purges first
  double total = 0;
  for (auto& s : samples_) total += s.value;
  return total / (static_cast<double>(span) / 1000.0);
}

}  // namespace samsa::quota
