// A rate measured over Kafka's quota windows: `samples` samples of `window_ms`
// each (quota.window.num = 11, quota.window.size.seconds = 1 by default).
// A sample starts when the first value after the previous one's end is
// recorded; samples older than samples * window_ms no longer count. The time
// span the rate divides by is at least (samples - 1) whole windows, so a
// burst at start-up is judged against ten seconds, not against the
// milliseconds that have passed. Time is passed in (milliseconds), never read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace samsa::quota {

struct window_config {
  int samples = 11;
  int64_t window_ms = 1000;
};

class sampled_rate {
 public:
  explicit sampled_rate(window_config config);

  void record(double value, int64_t now_ms);
  // Units of value per second.
  double rate(int64_t now_ms);
  // The span (ms) the rate divides by at `now_ms`.
  int64_t span_ms(int64_t now_ms);
  // The last time a value was recorded.
  int64_t last_record_ms() const { return last_record_ms_; }

 private:
  struct sample {
    int64_t start_ms = 0;
    double value = 0;
  };
  void purge(int64_t now_ms);

  window_config config_;
  std::vector<sample> samples_;
  size_t current_ = 0;
  int64_t last_record_ms_ = 0;
};

}  // namespace samsa::quota
