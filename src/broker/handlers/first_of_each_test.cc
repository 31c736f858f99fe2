#include "broker/handlers/first_of_each.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::broker {
namespace {

TEST(FirstOfEach, KeepsTheFirstMentionOfEachKeyInOrder) {
  std::vector<std::string> ids{"b", "a", "b", "c", "a", "a", std::string(40, 'x'), std::string(40, 'x')};
  EXPECT_EQ(keep_first_of_each(ids, [](const std::string& id) { return std::string_view(id); }), 4u);
  EXPECT_EQ(ids, (std::vector<std::string>{"b", "a", "c", std::string(40, 'x')}));
  std::vector<std::string> none;
  EXPECT_EQ(keep_first_of_each(none, [](const std::string& id) { return std::string_view(id); }), 0u);
}

struct topic_entry {
  std::string name;
  std::vector<int32_t> partitions;
};

TEST(FirstOfEach, PartitionsAreFoldedUnderTheirTopicsFirstEntry) {
  std::vector<topic_entry> topics{{"t", {0, 0, 1}}, {"u", {5}}, {"t", {1, 2, 0}}, {"u", {5, 6}}};
  keep_first_of_each_partition(topics, [](topic_entry& t) -> std::vector<int32_t>& { return t.partitions; });
  ASSERT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics[0].name, "t");
  EXPECT_EQ(topics[0].partitions, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(topics[1].name, "u");
  EXPECT_EQ(topics[1].partitions, (std::vector<int32_t>{5, 6}));
}

struct group_entry {
  std::string group_id;
  std::optional<std::vector<std::string>> topics;  // null: every partition
};

TEST(FirstOfEach, AGroupAskedForAllAgainIsDroppedButListedAsksStay) {
  std::vector<group_entry> groups{{"g", std::nullopt},
                                  {"g", std::vector<std::string>{"t"}},
                                  {"h", std::nullopt},
                                  {"g", std::nullopt},
                                  {"g", std::vector<std::string>{"t"}}};
  keep_first_ask_for_all_of_each_group(groups);
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[0].group_id, "g");
  EXPECT_FALSE(groups[0].topics);
  EXPECT_TRUE(groups[1].topics);
  EXPECT_EQ(groups[2].group_id, "h");
  EXPECT_TRUE(groups[3].topics);
}

}  // namespace
}  // namespace samsa::broker
