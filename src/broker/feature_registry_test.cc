#include "broker/feature_registry.h"

#include <gtest/gtest.h>

namespace samsa::broker {
namespace {

std::vector<std::string> names(const std::vector<feature_level>& levels) {
  std::vector<std::string> out;
  for (const auto& l : levels) out.push_back(l.name);
  return out;
}

TEST(feature_registry, lists_declared_features_by_name) {
  feature_registry r;
  r.register_feature("transaction.version", 0, 2, 2);
  r.register_feature("group.version", 0, 1, 1);
  EXPECT_EQ(names(r.all()), (std::vector<std::string>{"group.version", "transaction.version"}));
  auto all = r.all();
  EXPECT_EQ(all[0].max_version, 1);
  EXPECT_EQ(all[0].finalized_level, 1);
}

TEST(feature_registry, redeclaring_replaces_the_levels) {
  feature_registry r;
  r.register_feature("share.version", 0, 1, 0);
  r.register_feature("share.version", 0, 1, 1);
  ASSERT_EQ(r.all().size(), 1u);
  EXPECT_EQ(r.all()[0].finalized_level, 1);
}

TEST(feature_registry, below_v4_a_zero_minimum_is_not_listed) {
  feature_registry r;
  r.register_feature("transaction.version", 0, 2, 2);
  r.register_feature("metadata.version", 7, 27, 27);
  EXPECT_EQ(names(r.supported_for(3)), (std::vector<std::string>{"metadata.version"}));
  EXPECT_EQ(names(r.supported_for(4)), (std::vector<std::string>{"metadata.version", "transaction.version"}));
}

TEST(feature_registry, level_zero_is_not_finalized) {
  feature_registry r;
  r.register_feature("share.version", 0, 1, 0);
  r.register_feature("group.version", 0, 1, 1);
  EXPECT_EQ(names(r.finalized()), (std::vector<std::string>{"group.version"}));
}

TEST(feature_registry, impossible_levels_abort) {
  feature_registry r;
  EXPECT_DEATH(r.register_feature("x", 2, 1, 0), "");  // (spdlog writes the reason to stdout)
  EXPECT_DEATH(r.register_feature("x", 0, 1, 2), "");  // (spdlog writes the reason to stdout)
  EXPECT_DEATH(r.register_feature("", 0, 1, 1), "");  // (spdlog writes the reason to stdout)
}

}  // namespace
}  // namespace samsa::broker
