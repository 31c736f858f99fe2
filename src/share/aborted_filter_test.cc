#include "share/aborted_filter.h"

#include <gtest/gtest.h>

namespace samsa::share {
namespace {

TEST(share_aborted_filter, only_data_batches_of_aborted_transactions_are_removed) {
  // Producer 7 aborts [10, 20) (marker at 20); producer 8 commits; producer 9
  // writes plain records; 7 starts a second transaction after its marker.
  std::vector<batch_summary> batches = {
      {10, 12, 7, true, false},   // aborted
      {13, 14, 8, true, false},   // another producer's transaction
      {15, 15, 9, false, false},  // not transactional
      {16, 18, 7, true, false},   // aborted
      {20, 20, 7, true, true},    // the ABORT marker itself
      {21, 22, 7, true, false},   // a later transaction of 7
  };
  std::vector<aborted_transaction> aborted = {{7, 10, 20}};
  EXPECT_EQ(aborted_batches(batches, aborted), (std::vector<offset_span>{{10, 12}, {16, 18}}));
  EXPECT_TRUE(aborted_batches(batches, {}).empty());
}

TEST(share_aborted_filter, acquired_ranges_lose_exactly_the_removed_offsets) {
  std::vector<acquired_range> acquired = {{10, 18, 1}, {30, 31, 2}};
  auto out = without(acquired, {{10, 12}, {16, 18}});
  EXPECT_EQ(out, (std::vector<acquired_range>{{13, 15, 1}, {30, 31, 2}}));
  out = without(acquired, {{5, 8}, {11, 11}, {31, 40}});
  EXPECT_EQ(out, (std::vector<acquired_range>{{10, 10, 1}, {12, 18, 1}, {30, 30, 2}}));
  EXPECT_TRUE(without(acquired, {{0, 100}}).empty());
  EXPECT_EQ(without(acquired, {}), acquired);
}

}  // namespace
}  // namespace samsa::share
