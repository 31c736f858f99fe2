#include "group/consumer_group_reconcile.h"

#include <gtest/gtest.h>

#include "group/consumer_group_test_support.h"

namespace samsa::group {
namespace {

using cgtest::parts;
using cgtest::tid;

const cg_owned_elsewhere nobody = [](const topic_id&, int32_t) { return false; };

cg_member_assignment at(int32_t epoch, cg_assignment assigned) {
  cg_member_assignment m;
  m.member_epoch = epoch;
  m.assigned = std::move(assigned);
  return m;
}

TEST(Reconcile, StableAtTargetEpochStaysPut) {
  auto m = at(3, parts(tid(1), {0, 1}));
  EXPECT_EQ(reconcile(m, 3, parts(tid(1), {2}), std::nullopt, nobody), m);
}

TEST(Reconcile, RevokesFirstAndKeepsTheEpoch) {
  auto next = reconcile(at(3, parts(tid(1), {0, 1})), 4, parts(tid(1), {1, 2}), std::nullopt, nobody);
  EXPECT_EQ(next.state, cg_member_state::unrevoked_partitions);
  EXPECT_EQ(next.member_epoch, 3);
  EXPECT_EQ(next.assigned, parts(tid(1), {1}));  // nothing new while revoking
  EXPECT_EQ(next.pending_revocation, parts(tid(1), {0}));
}

TEST(Reconcile, StaysUnrevokedUntilTheMemberReportsTheRevocation) {
  auto revoking = reconcile(at(3, parts(tid(1), {0, 1})), 4, parts(tid(1), {1, 2}), std::nullopt, nobody);
  EXPECT_EQ(reconcile(revoking, 4, parts(tid(1), {1, 2}), std::nullopt, nobody), revoking);
  EXPECT_EQ(reconcile(revoking, 4, parts(tid(1), {0, 1}), parts(tid(1), {0, 1}), nobody), revoking);
  auto done = reconcile(revoking, 4, parts(tid(1), {1, 2}), parts(tid(1), {1}), nobody);
  EXPECT_EQ(done.state, cg_member_state::stable);
  EXPECT_EQ(done.member_epoch, 4);
  EXPECT_EQ(done.previous_member_epoch, 3);
  EXPECT_EQ(done.assigned, parts(tid(1), {1, 2}));
}

TEST(Reconcile, WaitsForPartitionsAnotherMemberStillOwns) {
  cg_owned_elsewhere p2_taken = [](const topic_id&, int32_t p) { return p == 2; };
  auto next = reconcile(at(3, parts(tid(1), {1})), 4, parts(tid(1), {1, 2, 3}), std::nullopt, p2_taken);
  EXPECT_EQ(next.state, cg_member_state::unreleased_partitions);
  EXPECT_EQ(next.member_epoch, 4);
  EXPECT_EQ(next.assigned, parts(tid(1), {1, 3}));
  auto later = reconcile(next, 4, parts(tid(1), {1, 2, 3}), std::nullopt, nobody);
  EXPECT_EQ(later.state, cg_member_state::stable);
  EXPECT_EQ(later.assigned, parts(tid(1), {1, 2, 3}));
}

TEST(Reconcile, AssignmentHelpers) {
  EXPECT_TRUE(contains_any(parts(tid(1), {1, 2}), parts(tid(1), {2})));
  EXPECT_FALSE(contains_any(parts(tid(1), {1}), parts(tid(2), {1})));
  EXPECT_TRUE(is_subset(parts(tid(1), {1}), parts(tid(1), {1, 2})));
  EXPECT_FALSE(is_subset(parts(tid(1), {3}), parts(tid(1), {1, 2})));
}

}  // namespace
}  // namespace samsa::group
