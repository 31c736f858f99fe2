// Replaying __consumer_offsets: offsets and groups survive a restart.
#include "group/offsets_codec.h"
#include "group/test_support.h"

namespace samsa::group {
namespace {

using testing::harness;
using testing::make_join;

std::vector<log_record> replay_of(const memory_offset_log& log) {
  std::vector<log_record> out;
  for (const auto& e : log.entries()) out.push_back(e.record);
  return out;
}

TEST(Load, OffsetsAndStableGroupSurviveRestart) {
  harness before;
  auto ids = before.form_group("g", {"c1", "c2"});
  before.commit(offset_commit_request{"g", 1, ids[0], std::nullopt, {{"orders", 0, 42, 7, std::string("m")}}});
  before.commit(offset_commit_request{"g", 1, ids[0], std::nullopt, {{"orders", 0, 43, 7, std::nullopt}}});
  before.commit(offset_commit_request{"simple", -1, "", std::nullopt, {{"t", 3, 9, -1, std::nullopt}}});

  harness after(testing::test_config(), /*loaded=*/false);
  after.now = before.now + 5000;
  EXPECT_EQ(after.c.load(replay_of(before.log), after.now), 0u);
  EXPECT_FALSE(after.c.loading());

  auto g = after.c.fetch_offsets("g", std::nullopt);
  ASSERT_EQ(g.partitions.size(), 1u);
  EXPECT_EQ(g.partitions[0].offset, 43);  // the later commit wins
  EXPECT_EQ(g.partitions[0].leader_epoch, 7);
  EXPECT_EQ(after.c.fetch_offsets("simple", std::nullopt).partitions.at(0).offset, 9);

  auto d = after.c.describe_groups({"g"});
  EXPECT_EQ(d[0].state, "Stable");
  ASSERT_EQ(d[0].members.size(), 2u);
  EXPECT_EQ(d[0].members[1].assignment, (bytes{1}));
  EXPECT_EQ(after.c.find_group("g")->generation_id, 1);
  EXPECT_EQ(after.c.find_group("g")->leader_id, ids[0]);
  // Members carry on with their generation.
  EXPECT_EQ(after.heartbeat("g", 1, ids[0]), errc::none);
  auto s = after.sync("g", 1, ids[1]);
  EXPECT_EQ(s->value.assignment, (bytes{1}));
}

TEST(Load, SilentMembersAfterRestartExpireAndTheGroupEmpties) {
  harness before;
  auto ids = before.form_group("g", {"c1"});
  harness after(testing::test_config(), false);
  after.c.load(replay_of(before.log), after.now);
  after.advance(10000);
  EXPECT_EQ(after.state("g"), "Empty");
  EXPECT_EQ(after.c.find_group("g")->generation_id, 2);
}

TEST(Load, StaticMemberRejoinsAfterRestartWithoutRebalance) {
  harness before;
  auto req = make_join("g", "c1");
  req.group_instance_id = "i1";
  auto j = before.join(req);
  before.advance(100);
  before.sync_all("g", 1, {j->value.member_id});
  harness after(testing::test_config(), false);
  after.c.load(replay_of(before.log), after.now);
  auto again = after.join(req);
  ASSERT_TRUE(again->done);
  EXPECT_EQ(again->value.error, errc::none);
  EXPECT_EQ(again->value.generation_id, 1);
  EXPECT_EQ(after.state("g"), "Stable");
}

TEST(Load, TombstonesAreHonoured) {
  harness before;
  before.commit(offset_commit_request{"a", -1, "", std::nullopt, {{"t", 0, 1, -1, std::nullopt}}});
  before.commit(offset_commit_request{"b", -1, "", std::nullopt, {{"t", 0, 1, -1, std::nullopt}, {"t", 1, 2, -1, std::nullopt}}});
  before.c.delete_groups({"a"}, before.now, [](std::vector<group_error>) {});
  offset_delete_result r;
  before.c.offset_delete("b", {{"t", 0}}, before.now, [&](offset_delete_result x) { r = x; });
  harness after(testing::test_config(), false);
  after.c.load(replay_of(before.log), after.now);
  EXPECT_EQ(after.c.find_group("a"), nullptr);
  auto b = after.c.fetch_offsets("b", std::nullopt);
  ASSERT_EQ(b.partitions.size(), 1u);
  EXPECT_EQ(b.partitions[0].partition, 1);
}

TEST(Load, BadRecordsAreSkipped) {
  harness h(testing::test_config(), false);
  std::vector<log_record> recs;
  recs.push_back({bytes{0, 9, 1}, bytes{1}});
  recs.push_back({encode_offset_commit_key({"g", "t", 0}), bytes{0, 3, 1}});
  recs.push_back({encode_group_metadata_key("g"), bytes{0, 3}});
  recs.push_back({encode_offset_commit_key({"g", "t", 1}), encode_offset_commit_value({5, -1, "", 1, {}})});
  EXPECT_EQ(h.c.load(recs, h.now), 3u);
  auto f = h.c.fetch_offsets("g", std::nullopt);
  ASSERT_EQ(f.partitions.size(), 1u);
  EXPECT_EQ(f.partitions[0].offset, 5);
}

TEST(Load, GroupTombstoneKeepsOffsetsOfThatGroup) {
  harness h(testing::test_config(), false);
  group_metadata_value v;
  v.protocol_type = "consumer";
  v.generation = 3;
  ASSERT_TRUE(h.c.load_record(encode_offset_commit_key({"g", "t", 0}),
                              encode_offset_commit_value({5, -1, "", 1, {}}), h.now).ok());
  ASSERT_TRUE(h.c.load_record(encode_group_metadata_key("g"), encode_group_metadata_value(v), h.now).ok());
  EXPECT_EQ(h.c.find_group("g")->generation_id, 3);
  ASSERT_TRUE(h.c.load_record(encode_group_metadata_key("g"), std::nullopt, h.now).ok());
  h.c.finish_loading(h.now);
  EXPECT_EQ(h.c.fetch_offsets("g", std::nullopt).partitions.size(), 1u);
  EXPECT_EQ(h.c.find_group("g")->generation_id, 0);
}

}  // namespace
}  // namespace samsa::group
