#include "base/log_format.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace samsa::logging {
namespace {

TEST(LogFormat, ControlCharactersAreEscapedAndTextIsKept) {
  EXPECT_EQ(escape_control("plain group-1"), "plain group-1");
  EXPECT_EQ(escape_control("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(escape_control(std::string("\x00\x1b[31m\x7f", 7)), "\\x00\\x1b[31m\\x7f");
  EXPECT_EQ(escape_control("caf\xC3\xA9 \xE2\x82\xAC"), "caf\xC3\xA9 \xE2\x82\xAC");  // UTF-8 as it is
  EXPECT_EQ(escape_control(""), "");
  EXPECT_EQ(escape_control("\n"), "\\n");
}

// A message that quotes a client's id with a newline in it stays one line.
TEST(LogFormat, AQuotedNewlineCannotStartALineOfItsOwn) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto logger = std::make_shared<spdlog::logger>("log-format-test", sink);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  use_line_format();
  spdlog::warn("refusing group '{}'", "g\n2026-01-01 00:00:00.000 error forged");
  spdlog::set_default_logger(previous);
  const std::string text = out.str();
  ASSERT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1) << text;
  EXPECT_NE(text.find("warning refusing group 'g\\n2026-01-01 00:00:00.000 error forged'"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace samsa::logging
