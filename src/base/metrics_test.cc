#include "base/metrics.h"

#include <gtest/gtest.h>

namespace samsa::metrics {
namespace {

TEST(metrics_registry, counts_requests_into_latency_buckets) {
  auto& reg = registry::instance();
  // A key's counters exist from its first request on (nothing before: all zero).
  const auto* s = reg.api(3, 12);
  uint64_t before = s ? s->requests.load() : 0;
  reg.record_request(3, 12, 100, 200, 50, false);       // 50 us: first bucket (<= 100 us)
  s = reg.api(3, 12);
  ASSERT_NE(s, nullptr);
  reg.record_request(3, 12, 100, 0, 2'000'000, true);   // 2 s: the <= 5 s bucket
  reg.record_request(3, 12, 100, 0, 90'000'000, false);  // 90 s: +Inf
  EXPECT_EQ(s->requests.load() - before, 3u);
  EXPECT_GE(s->latency_buckets[0].load(), 1u);
  EXPECT_GE(s->latency_buckets[12].load(), 1u);
  EXPECT_GE(s->latency_buckets.back().load(), 1u);
  EXPECT_GE(s->failed.load(), 1u);
}

TEST(metrics_registry, ignores_keys_versions_and_codes_out_of_range) {
  auto& reg = registry::instance();
  uint64_t unknown = reg.unknown_requests();
  reg.record_request(500, 0, 1, 1, 1, false);
  reg.record_request(0, 99, 1, 1, 1, false);
  EXPECT_EQ(reg.unknown_requests() - unknown, 2u);
  reg.record_error(0, 3);
  reg.record_error(0, 3);
  reg.record_error(0, 0);     // NONE is not an error
  reg.record_error(0, 4000);  // outside the table: dropped, no crash
  EXPECT_EQ(reg.errors(0, 3), 2u);
  EXPECT_EQ(reg.errors(0, 0), 0u);
  reg.record_error(-1, 3);  // outside the table too
  EXPECT_EQ(reg.errors(-1, 3), 0u);
  EXPECT_EQ(reg.api(127, 0), nullptr);  // a key never used holds no counters
  EXPECT_EQ(reg.errors(127, 3), 0u);
}

}  // namespace
}  // namespace samsa::metrics
