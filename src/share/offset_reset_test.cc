#include "share/offset_reset.h"

#include <gtest/gtest.h>

namespace samsa::share {
namespace {

iso_duration d(int64_t s, int32_t n = 0) { return {s, n}; }

TEST(share_offset_reset, iso_durations_read_as_java_reads_them) {
  EXPECT_EQ(parse_iso_duration("PT1H"), d(3600));
  EXPECT_EQ(parse_iso_duration("P2D"), d(172800));
  EXPECT_EQ(parse_iso_duration("P1DT2H3M4S"), d(86400 + 7200 + 180 + 4));
  EXPECT_EQ(parse_iso_duration("PT1.5S"), d(1, 500000000));
  EXPECT_EQ(parse_iso_duration("PT1,000000001S"), d(1, 1));
  EXPECT_EQ(parse_iso_duration("PT1.S"), d(1));  // an empty fraction is allowed
  EXPECT_EQ(parse_iso_duration("pt15m"), d(900));  // letters in either case
  EXPECT_EQ(parse_iso_duration("+PT+10S"), d(10));
  EXPECT_EQ(parse_iso_duration("PT0S"), d(0));
  EXPECT_EQ(parse_iso_duration("P1DT-1H"), d(82800));  // parts carry their own signs
  // Negative totals parse (with nanos normalised); the caller refuses them.
  EXPECT_EQ(parse_iso_duration("-PT1S"), d(-1));
  EXPECT_EQ(parse_iso_duration("PT-0.5S"), d(-1, 500000000));
  EXPECT_EQ(parse_iso_duration("-PT1.25S"), d(-2, 750000000));
}

TEST(share_offset_reset, malformed_durations_are_refused) {
  for (const char* bad : {"", "P", "PT", "P1DT", "1H", "PT1", "P1H", "PT1D", "P1W", "PT1M1H", "PT1S1S", "PT.5S",
                          "PT1.0000000001S", "PT1.5H", "P1D1D", "PT1H ", " PT1H", "PTxS", "P-D",
                          "P106751991167301D", "PT9223372036854775808S", "PT1H2"}) {
    EXPECT_FALSE(parse_iso_duration(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(share_offset_reset, strategies_and_their_timestamps) {
  EXPECT_EQ(parse_offset_reset("latest")->type, offset_reset_strategy::kind::latest);
  EXPECT_EQ(parse_offset_reset("earliest")->type, offset_reset_strategy::kind::earliest);
  auto by = parse_offset_reset("by_duration:PT1H");
  ASSERT_TRUE(by);
  EXPECT_EQ(by->type, offset_reset_strategy::kind::by_duration);
  EXPECT_EQ(by->timestamp_ms(10'000'000), 10'000'000 - 3'600'000);
  // Sub-millisecond parts round the timestamp down (further into the past).
  EXPECT_EQ(parse_offset_reset("by_duration:PT0.0005S")->timestamp_ms(1000), 999);
  // Longer than the epoch: the very beginning.
  EXPECT_EQ(parse_offset_reset("by_duration:P36500000D")->timestamp_ms(1'700'000'000'000), 0);
  for (const char* bad : {"EARLIEST", "Latest", "none", "by_duration", "by_duration:", "by_duration:-PT1H",
                          "by_duration:PT-1S", "BY_DURATION:PT1H", "by_duration:1h", "sometimes"}) {
    EXPECT_FALSE(parse_offset_reset(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace samsa::share
