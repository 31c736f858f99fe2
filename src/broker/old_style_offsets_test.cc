#include "broker/old_style_offsets.h"

#include <gtest/gtest.h>

namespace samsa::broker {
namespace {

// Three segments starting at 0, 100 and 200 (last written at t=10, 20, 30),
// the last one holding data up to the log end 250.
log_shape three_segments() {
  log_shape log;
  log.segments = {{0, 1000, 10}, {100, 1000, 20}, {200, 500, 30}};
  log.log_start_offset = 0;
  log.log_end_offset = 250;
  log.high_watermark = 250;
  return log;
}

TEST(old_style_offsets, latest_lists_the_end_then_segment_starts_newest_first) {
  EXPECT_EQ(old_style_offsets(three_segments(), {-1, 1, true}, 99), (std::vector<int64_t>{250}));
  EXPECT_EQ(old_style_offsets(three_segments(), {-1, 10, true}, 99), (std::vector<int64_t>{250, 200, 100, 0}));
  EXPECT_EQ(old_style_offsets(three_segments(), {-1, 2, true}, 99), (std::vector<int64_t>{250, 200}));
}

TEST(old_style_offsets, earliest_is_the_first_segment_only) {
  EXPECT_EQ(old_style_offsets(three_segments(), {-2, 10, true}, 99), (std::vector<int64_t>{0}));
  log_shape trimmed = three_segments();
  trimmed.log_start_offset = 42;  // DeleteRecords moved the start inside the first segment
  EXPECT_EQ(old_style_offsets(trimmed, {-2, 1, true}, 99), (std::vector<int64_t>{42}));
}

TEST(old_style_offsets, a_timestamp_picks_segments_written_at_or_before_it) {
  EXPECT_EQ(old_style_offsets(three_segments(), {20, 10, true}, 99), (std::vector<int64_t>{100, 0}));
  EXPECT_EQ(old_style_offsets(three_segments(), {25, 1, true}, 99), (std::vector<int64_t>{100}));
  EXPECT_TRUE(old_style_offsets(three_segments(), {5, 10, true}, 99).empty());
  // The log end counts as written now.
  EXPECT_EQ(old_style_offsets(three_segments(), {99, 1, true}, 99), (std::vector<int64_t>{250}));
}

TEST(old_style_offsets, an_empty_last_segment_adds_no_end_offset) {
  log_shape log;
  log.segments = {{0, 0, 10}};
  EXPECT_EQ(old_style_offsets(log, {-1, 5, true}, 99), (std::vector<int64_t>{0}));
  EXPECT_EQ(old_style_offsets(log, {-2, 5, true}, 99), (std::vector<int64_t>{0}));
}

TEST(old_style_offsets, a_consumer_sees_nothing_past_the_high_watermark) {
  log_shape log = three_segments();
  log.high_watermark = 150;
  EXPECT_EQ(old_style_offsets(log, {-1, 10, true}, 99), (std::vector<int64_t>{150, 100, 0}));
  // A replica (or the debugging id) sees the log as it is.
  EXPECT_EQ(old_style_offsets(log, {-1, 10, false}, 99), (std::vector<int64_t>{250, 200, 100, 0}));
}

TEST(old_style_offsets, zero_offsets_asked_gives_none) {
  EXPECT_TRUE(old_style_offsets(three_segments(), {-1, 0, true}, 99).empty());
}

}  // namespace
}  // namespace samsa::broker
