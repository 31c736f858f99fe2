#include "cli/structured_output.h"

#include <gtest/gtest.h>

namespace samsa::cli {
namespace {

TEST(ToYaml, NestedDocumentsAndQuoting) {
  nlohmann::json doc{{"name", "orders"},
                     {"partitions", nlohmann::json::array({{{"id", 0}, {"leader", 1}}})},
                     {"configs", nlohmann::json::object()},
                     {"odd", nlohmann::json::array({"yes", "007", "", "a: b", nullptr, true, "plain"})}};
  EXPECT_EQ(to_yaml(doc),
            "configs: {}\n"
            "name: orders\n"
            "odd:\n"
            "  - \"yes\"\n"
            "  - \"007\"\n"
            "  - \"\"\n"
            "  - \"a: b\"\n"
            "  - null\n"
            "  - true\n"
            "  - plain\n"
            "partitions:\n"
            "  -\n"
            "    id: 0\n"
            "    leader: 1\n");
  EXPECT_EQ(to_yaml(nlohmann::json::array()), "[]\n");
}

TEST(ToYaml, ControlCharactersAreEscaped) {
  EXPECT_EQ(to_yaml(nlohmann::json{{"v", "a\nb"}}), "v: \"a\\nb\"\n");
}

}  // namespace
}  // namespace samsa::cli
