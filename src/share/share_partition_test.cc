#include "share/share_partition.h"

#include <gtest/gtest.h>

#include <limits>

namespace samsa::share {
namespace {

constexpr int8_t accept_t = static_cast<int8_t>(ack_type::accept);
constexpr int8_t release_t = static_cast<int8_t>(ack_type::release);
constexpr int8_t reject_t = static_cast<int8_t>(ack_type::reject);
constexpr int8_t renew_t = static_cast<int8_t>(ack_type::renew);
constexpr int8_t gap_t = static_cast<int8_t>(ack_type::gap);

partition_settings settings_with(int32_t limit = 5, int64_t lock_ms = 1000, int32_t locks = 100) {
  partition_settings s;
  s.delivery_count_limit = limit;
  s.lock_duration_ms = lock_ms;
  s.max_record_locks = locks;
  return s;
}

TEST(share_partition, acquires_new_records_up_to_max_records_and_the_limit) {
  share_partition p(10);
  auto s = settings_with();
  auto got = p.acquire("a", 20, 4, s, 0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], (acquired_range{10, 13, 1}));
  got = p.acquire("b", 16, 100, s, 0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], (acquired_range{14, 15, 1}));
  EXPECT_EQ(p.next_offset(), 16);
  EXPECT_TRUE(p.acquire("c", 16, 100, s, 0).empty());
  EXPECT_EQ(p.count(record_state::acquired), 6);
}

TEST(share_partition, accept_advances_the_start_offset_only_over_a_done_prefix) {
  share_partition p(0);
  auto s = settings_with();
  p.acquire("a", 3, 3, s, 0);
  EXPECT_EQ(p.acknowledge("a", {1, 1, {accept_t}}, s, 0), error_code::none);
  EXPECT_EQ(p.start_offset(), 0);  // offset 0 is still acquired
  EXPECT_EQ(p.acknowledge("a", {0, 0, {accept_t}}, s, 0), error_code::none);
  EXPECT_EQ(p.start_offset(), 2);
  EXPECT_EQ(p.acknowledge("a", {2, 2, {reject_t}}, s, 0), error_code::none);
  EXPECT_EQ(p.start_offset(), 3);
  EXPECT_TRUE(p.records().empty());
}

TEST(share_partition, released_records_are_redelivered_first_with_a_higher_count) {
  share_partition p(0);
  auto s = settings_with();
  p.acquire("a", 5, 5, s, 0);
  ASSERT_EQ(p.acknowledge("a", {1, 2, {release_t}}, s, 0), error_code::none);
  auto got = p.acquire("b", 10, 3, s, 0);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (acquired_range{1, 2, 2}));
  EXPECT_EQ(got[1], (acquired_range{5, 5, 1}));
}

TEST(share_partition, per_offset_types_apply_one_each) {
  share_partition p(0);
  auto s = settings_with();
  p.acquire("a", 4, 4, s, 0);
  ASSERT_EQ(p.acknowledge("a", {0, 3, {accept_t, release_t, reject_t, gap_t}}, s, 0), error_code::none);
  EXPECT_EQ(p.start_offset(), 1);
  EXPECT_EQ(p.records().at(1).state, record_state::available);
  EXPECT_EQ(p.records().at(2).state, record_state::archived);
  EXPECT_EQ(p.records().at(3).state, record_state::archived);
}

TEST(share_partition, another_members_records_are_invalid_record_state_and_nothing_changes) {
  share_partition p(0);
  auto s = settings_with();
  p.acquire("a", 2, 1, s, 0);
  p.acquire("b", 2, 1, s, 0);
  EXPECT_EQ(p.acknowledge("a", {0, 1, {accept_t}}, s, 0), error_code::invalid_record_state);
  EXPECT_EQ(p.records().at(0).state, record_state::acquired);
  EXPECT_EQ(p.acknowledge("a", {5, 5, {accept_t}}, s, 0), error_code::invalid_record_state);
  EXPECT_EQ(p.acknowledge("a", {0, 0, {accept_t}}, s, 0), error_code::none);
  // Acknowledged already: a second acknowledgement is refused.
  EXPECT_EQ(p.acknowledge("b", {0, 0, {accept_t}}, s, 0), error_code::invalid_record_state);
}

TEST(share_partition, delivery_count_limit_archives_on_release_and_on_lock_expiry) {
  share_partition p(0);
  auto s = settings_with(2, 100);
  p.acquire("a", 1, 1, s, 0);
  ASSERT_EQ(p.acknowledge("a", {0, 0, {release_t}}, s, 0), error_code::none);
  auto got = p.acquire("b", 1, 1, s, 10);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].delivery_count, 2);
  EXPECT_FALSE(p.expire_locks(109, s));
  EXPECT_TRUE(p.expire_locks(110, s));  // second delivery timed out: at the limit
  EXPECT_EQ(p.start_offset(), 1);
  EXPECT_TRUE(p.acquire("c", 1, 1, s, 200).empty());
}

TEST(share_partition, lock_expiry_makes_records_available_again) {
  share_partition p(0);
  auto s = settings_with(5, 100);
  p.acquire("a", 3, 3, s, 0);
  EXPECT_EQ(p.next_lock_deadline(), 100);
  EXPECT_TRUE(p.expire_locks(100, s));
  EXPECT_EQ(p.count(record_state::available), 3);
  EXPECT_EQ(p.acknowledge("a", {0, 0, {accept_t}}, s, 101), error_code::invalid_record_state);
}

TEST(share_partition, renew_extends_the_lock) {
  share_partition p(0);
  auto s = settings_with(5, 100);
  p.acquire("a", 1, 1, s, 0);
  ASSERT_EQ(p.acknowledge("a", {0, 0, {renew_t}}, s, 80), error_code::none);
  EXPECT_FALSE(p.expire_locks(150, s));
  EXPECT_EQ(p.records().at(0).state, record_state::acquired);
  EXPECT_TRUE(p.expire_locks(180, s));
}

TEST(share_partition, in_flight_window_is_bounded_by_max_record_locks) {
  share_partition p(0);
  auto s = settings_with(5, 100, 3);
  auto got = p.acquire("a", 100, 10, s, 0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].last_offset, 2);
  EXPECT_FALSE(p.first_acquirable(100, s).has_value());
  // Finishing offset 0 frees one slot.
  ASSERT_EQ(p.acknowledge("a", {0, 0, {accept_t}}, s, 0), error_code::none);
  EXPECT_EQ(p.first_acquirable(100, s), 3);
  got = p.acquire("a", 100, 10, s, 0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], (acquired_range{3, 3, 1}));
}

TEST(share_partition, release_member_frees_only_its_locks) {
  share_partition p(0);
  auto s = settings_with();
  p.acquire("a", 2, 1, s, 0);
  p.acquire("b", 2, 1, s, 0);
  EXPECT_TRUE(p.release_member("a", s));
  EXPECT_EQ(p.records().at(0).state, record_state::available);
  EXPECT_EQ(p.records().at(0).delivery_count, 0);  // the acquisition is not counted
  EXPECT_EQ(p.records().at(1).state, record_state::acquired);
  EXPECT_FALSE(p.release_member("nobody", s));
}

TEST(share_partition, snapshot_restores_without_locks) {
  share_partition p(5);
  auto s = settings_with();
  p.acquire("a", 10, 5, s, 0);
  ASSERT_EQ(p.acknowledge("a", {6, 6, {accept_t}}, s, 0), error_code::none);
  ASSERT_EQ(p.acknowledge("a", {7, 7, {release_t}}, s, 0), error_code::none);
  auto snap = p.snapshot();
  auto q = share_partition::restore(snap);
  EXPECT_EQ(q.start_offset(), 5);
  EXPECT_EQ(q.next_offset(), 10);
  EXPECT_EQ(q.records().at(5).state, record_state::available);
  EXPECT_EQ(q.records().at(5).delivery_count, 1);
  EXPECT_EQ(q.records().at(6).state, record_state::acknowledged);
  auto got = q.acquire("b", 20, 10, s, 0);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (acquired_range{5, 5, 2}));
  EXPECT_EQ(got[1], (acquired_range{7, 9, 2}));
  EXPECT_EQ(got[2], (acquired_range{10, 15, 1}));  // ten records in all
}

TEST(share_partition, advance_start_and_reset) {
  share_partition p(0);
  auto s = settings_with();
  p.acquire("a", 10, 10, s, 0);
  p.advance_start(4);
  EXPECT_EQ(p.start_offset(), 4);
  EXPECT_EQ(p.records().size(), 6u);
  p.reset(100);
  EXPECT_EQ(p.start_offset(), 100);
  EXPECT_EQ(p.next_offset(), 100);
  EXPECT_TRUE(p.records().empty());
}

TEST(share_partition, malformed_batches_are_invalid_request) {
  EXPECT_EQ(validate_ack_batch({3, 2, {accept_t}}, true), error_code::invalid_request);
  EXPECT_EQ(validate_ack_batch({0, 2, {accept_t, accept_t}}, true), error_code::invalid_request);
  EXPECT_EQ(validate_ack_batch({0, 0, {}}, true), error_code::invalid_request);
  EXPECT_EQ(validate_ack_batch({0, 0, {9}}, true), error_code::invalid_request);
  EXPECT_EQ(validate_ack_batch({0, 0, {renew_t}}, false), error_code::invalid_request);
  EXPECT_EQ(validate_ack_batch({0, 0, {renew_t}}, true), error_code::none);
  EXPECT_EQ(validate_ack_batch({0, 2, {accept_t, release_t, reject_t}}, false), error_code::none);
  // The whole offset range in one batch: its span does not overflow.
  constexpr int64_t last = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(validate_ack_batch({0, last, {accept_t}}, false), error_code::none);
  EXPECT_EQ(validate_ack_batch({0, last, {accept_t, accept_t}}, false), error_code::invalid_request);
  EXPECT_EQ(validate_ack_batch({last, last, {accept_t}}, false), error_code::none);
}

// A member's release never archives, even at the delivery limit: the
// delivery is taken back rather than counted.
TEST(share_partition, a_released_member_gives_back_its_delivery_at_the_limit) {
  share_partition p(0);
  auto s = settings_with(2);
  p.acquire("a", 1, 1, s, 0);
  ASSERT_EQ(p.acknowledge("a", {0, 0, {release_t}}, s, 0), error_code::none);  // count 1, available
  auto again = p.acquire("a", 1, 1, s, 0);
  ASSERT_EQ(again.at(0).delivery_count, 2);
  EXPECT_TRUE(p.release_member("a", s));
  EXPECT_EQ(p.records().at(0).state, record_state::available);
  EXPECT_EQ(p.records().at(0).delivery_count, 1);
  EXPECT_EQ(p.acquire("b", 1, 1, s, 0).at(0).delivery_count, 2);
}

TEST(share_partition, archive_acquired_takes_only_the_members_records) {
  share_partition p(0);
  auto s = settings_with();
  p.acquire("a", 4, 10, s, 0);  // 0..3 to a
  p.acquire("b", 6, 10, s, 0);  // 4..5 to b
  EXPECT_TRUE(p.archive_acquired("a", {{0, 1}, {3, 5}}));
  EXPECT_EQ(p.start_offset(), 2);  // 0 and 1 are done
  EXPECT_EQ(p.records().at(2).state, record_state::acquired);
  EXPECT_EQ(p.records().at(3).state, record_state::archived);
  EXPECT_EQ(p.records().at(4).state, record_state::acquired);  // b's
  EXPECT_FALSE(p.archive_acquired("a", {{0, 1}}));
}

}  // namespace
}  // namespace samsa::share
