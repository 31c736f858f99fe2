#include "proxy/record_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace samsa::proxy {
namespace {

struct split {
  std::vector<std::string> records;
  bool ok = true;
  problem error;
};

// Feeds `body` in pieces of `step` bytes (every chunk boundary a client may cut at).
split run(std::string_view body, size_t step, size_t max_bytes = 1024, size_t max_depth = 8) {
  record_splitter s(max_bytes, max_depth);
  split out;
  auto keep = [&out](std::string_view r) { out.records.emplace_back(r); };
  for (size_t i = 0; i < body.size() && out.ok; i += step) out.ok = s.feed(body.substr(i, step), keep);
  if (out.ok) out.ok = s.finish();
  if (!out.ok) out.error = s.error();
  return out;
}

TEST(record_splitter, finds_records_across_every_chunk_boundary) {
  const std::string body =
      " {\"value\":{\"data\":\"a}b{c\"}}\n\t{\"k\":\"esc \\\" } \\\\\"}{\"n\":[1,{\"x\":[]}]}\r\n{}  ";
  const std::vector<std::string> want = {"{\"value\":{\"data\":\"a}b{c\"}}", "{\"k\":\"esc \\\" } \\\\\"}",
                                         "{\"n\":[1,{\"x\":[]}]}", "{}"};
  for (size_t step = 1; step <= body.size(); ++step) {
    auto got = run(body, step);
    ASSERT_TRUE(got.ok) << "step " << step << ": " << got.error.message;
    EXPECT_EQ(got.records, want) << "step " << step;
  }
}

TEST(record_splitter, garbage_between_records_breaks_the_stream) {
  for (std::string_view body : {"{}x{}", "[1]", "{},{}", "\"s\"", "{}}"}) {
    auto got = run(body, 1);
    EXPECT_FALSE(got.ok) << body;
    EXPECT_EQ(got.error.status, 400) << body;
    EXPECT_NE(got.error.message.find("expected a JSON object"), std::string::npos) << got.error.message;
  }
  // Records before the garbage were framed.
  EXPECT_EQ(run("{\"a\":1} nope", 3).records.size(), 1u);
}

TEST(record_splitter, mismatched_brackets_and_unfinished_records_are_refused) {
  auto wrong = run("{\"a\":[1}", 2);
  EXPECT_FALSE(wrong.ok);
  EXPECT_NE(wrong.error.message.find("closes a '['"), std::string::npos) << wrong.error.message;
  auto cut = run("{\"a\":\"}", 4);
  EXPECT_FALSE(cut.ok);
  EXPECT_NE(cut.error.message.find("ended inside record 1"), std::string::npos) << cut.error.message;
}

TEST(record_splitter, depth_is_bounded) {
  std::string ok = std::string(8 - 1, '[');
  ok = "{\"a\":" + ok + std::string(8 - 1, ']') + "}";
  EXPECT_TRUE(run(ok, 5).ok);
  std::string deep = "{\"a\":" + std::string(8, '[') + std::string(8, ']') + "}";
  auto got = run(deep, 5);
  EXPECT_FALSE(got.ok);
  EXPECT_NE(got.error.message.find("deeper than 8"), std::string::npos) << got.error.message;
  // Brackets inside strings do not count.
  EXPECT_TRUE(run("{\"a\":\"" + std::string(100, '[') + "\"}", 7).ok);
}

TEST(record_splitter, an_oversized_record_is_a_413_before_it_is_held_whole) {
  const std::string small = "{\"v\":\"" + std::string(10, 'x') + "\"}";
  const std::string big = "{\"v\":\"" + std::string(200, 'x') + "\"}";
  for (size_t step : {1, 16, 1000}) {
    auto got = run(small + big + small, step, 64);
    EXPECT_FALSE(got.ok);
    EXPECT_EQ(got.error.status, 413);
    EXPECT_EQ(got.error.code, codes::payload_too_large);
    EXPECT_NE(got.error.message.find("record 2"), std::string::npos) << got.error.message;
    EXPECT_EQ(got.records, std::vector<std::string>{small});
  }
  // A record of exactly the limit passes.
  const std::string exact = "{\"v\":\"" + std::string(64 - 8, 'y') + "\"}";
  ASSERT_EQ(exact.size(), 64u);
  EXPECT_TRUE(run(exact + exact, 9, 64).ok);
  // An endless record never holds more than the limit.
  record_splitter s(64, 8);
  ASSERT_TRUE(s.feed("{\"v\":\"", [](std::string_view) {}));
  for (int i = 0; i < 100 && !s.broken(); ++i) {
    s.feed(std::string(10, 'z'), [](std::string_view) {});
    EXPECT_LE(s.held_bytes(), 64u);
  }
  EXPECT_TRUE(s.broken());
}

TEST(record_splitter, nothing_is_accepted_after_a_break) {
  record_splitter s(64, 8);
  int seen = 0;
  auto count = [&seen](std::string_view) { ++seen; };
  EXPECT_FALSE(s.feed("x", count));
  EXPECT_FALSE(s.feed("{}", count));
  EXPECT_FALSE(s.finish());
  EXPECT_EQ(seen, 0);
}

}  // namespace
}  // namespace samsa::proxy
