#include "storage/offset_index.h"

#include <gtest/gtest.h>

#include "storage/errc.h"
#include "storage/memory_file_system.h"
#include "storage/time_index.h"

namespace samsa::storage {
namespace {

struct fixture : ::testing::Test {
  std::shared_ptr<memory_file_system> fs = std::make_shared<memory_file_system>();
  void SetUp() override { ASSERT_TRUE(fs->create_dirs("p")); }
  std::shared_ptr<file> open(const std::string& name) { return fs->open("p/" + name, open_mode::create).value(); }
};

TEST_F(fixture, offset_lookup_and_reload) {
  offset_index idx(open("0.index"), 100, 1024);
  EXPECT_EQ(idx.lookup(150).position, 0);
  ASSERT_TRUE(idx.append(110, 4096));
  ASSERT_TRUE(idx.append(130, 8192));
  EXPECT_EQ(idx.lookup(109).offset, 100);
  EXPECT_EQ(idx.lookup(110).position, 4096);
  EXPECT_EQ(idx.lookup(129).position, 4096);
  EXPECT_EQ(idx.lookup(1000).position, 8192);
  ASSERT_TRUE(idx.persist());

  offset_index again(open("0.index"), 100, 1024);
  ASSERT_TRUE(again.load(10000));
  EXPECT_EQ(again.entries(), 2u);
  EXPECT_EQ(again.lookup(131).offset, 130);
  // Entries pointing past the segment are corrupt.
  offset_index shorter(open("0.index"), 100, 1024);
  auto s = shorter.load(5000);
  ASSERT_FALSE(s);
  EXPECT_TRUE(is(s.err(), errc::corrupt));
}

TEST_F(fixture, offset_truncate_and_full) {
  offset_index idx(open("0.index"), 0, 16);
  ASSERT_TRUE(idx.append(10, 100));
  EXPECT_FALSE(idx.full());
  ASSERT_TRUE(idx.append(20, 200));
  EXPECT_TRUE(idx.full());
  ASSERT_TRUE(idx.persist());
  ASSERT_TRUE(idx.truncate_to(20));
  EXPECT_EQ(idx.entries(), 1u);
  EXPECT_EQ(fs->lookup("p/0.index")->data.size(), 8u);
}

TEST_F(fixture, offset_index_rejects_torn_entry) {
  auto f = open("0.index");
  offset_index idx(f, 0, 1024);
  ASSERT_TRUE(idx.append(10, 100));
  ASSERT_TRUE(idx.sync());
  fs->lookup("p/0.index")->data.push_back(1);
  offset_index again(f, 0, 1024);
  EXPECT_FALSE(again.load(1000));
}

TEST_F(fixture, time_index_lookup) {
  time_index idx(open("0.timeindex"), 0, 1024);
  ASSERT_TRUE(idx.maybe_append(1000, 0));
  ASSERT_TRUE(idx.maybe_append(900, 5));  // not increasing: ignored
  ASSERT_TRUE(idx.maybe_append(2000, 10));
  EXPECT_EQ(idx.entries(), 2u);
  EXPECT_FALSE(idx.lookup_before(1000).has_value());
  EXPECT_EQ(idx.lookup_before(1001)->offset, 0);
  EXPECT_EQ(idx.lookup_before(5000)->offset, 10);
  EXPECT_EQ(fs->lookup("p/0.timeindex")->data.size(), 0u);  // buffered until persist()
  ASSERT_TRUE(idx.persist());
  time_index again(open("0.timeindex"), 0, 1024);
  ASSERT_TRUE(again.load(11));
  EXPECT_EQ(again.last()->timestamp, 2000);
  time_index bad(open("0.timeindex"), 0, 1024);
  EXPECT_FALSE(bad.load(10));
  ASSERT_TRUE(again.truncate_to(10));
  EXPECT_EQ(again.entries(), 1u);
}

}  // namespace
}  // namespace samsa::storage
