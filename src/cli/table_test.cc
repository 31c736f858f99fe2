#include "cli/table.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/progress.h"

namespace samsa::cli {
namespace {

TEST(Table, AlignsColumnsWithoutColourOffTerminal) {
  cli_context ctx;
  ctx.no_color = true;
  table t({"NAME", "PARTITIONS"});
  t.add({"orders", "3"});
  t.add({"a-much-longer-name", "12"});
  std::ostringstream out;
  t.print(out, ctx);
  EXPECT_EQ(out.str(),
            "NAME                PARTITIONS\n"
            "orders              3\n"
            "a-much-longer-name  12\n");
}

TEST(Table, Helpers) {
  EXPECT_EQ(join_ints({1, 2, 3}), "1,2,3");
  EXPECT_EQ(or_dash(-1), "-");
  EXPECT_EQ(or_dash(7), "7");
}

TEST(Progress, ShowsPercentRateAndEta) {
  auto text = progress_bar::render(1000, 500, 50, 2.0, 10);
  EXPECT_NE(text.find("[#####.....]"), std::string::npos) << text;
  EXPECT_NE(text.find("50%"), std::string::npos) << text;
  EXPECT_NE(text.find("25 rec/s"), std::string::npos) << text;
  EXPECT_NE(text.find("ETA 2s"), std::string::npos) << text;
}

}  // namespace
}  // namespace samsa::cli
