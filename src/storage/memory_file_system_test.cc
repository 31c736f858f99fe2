#include "storage/memory_file_system.h"

#include <gtest/gtest.h>

#include "storage/errc.h"

namespace samsa::storage {
namespace {

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(memory_file_system, drop_unsynced_keeps_synced_prefix) {
  auto fs = std::make_shared<memory_file_system>();
  ASSERT_TRUE(fs->create_dirs("d"));
  auto f = fs->open("d/a", open_mode::create);
  ASSERT_TRUE(f);
  ASSERT_TRUE((*f)->append(bytes("hello")));
  ASSERT_TRUE((*f)->sync());
  ASSERT_TRUE((*f)->append(bytes(" world")));
  auto g = fs->open("d/b", open_mode::create);
  ASSERT_TRUE(g);
  ASSERT_TRUE((*g)->append(bytes("lost")));
  fs->drop_unsynced();
  auto data = read_whole_file(*fs, "d/a");
  ASSERT_TRUE(data);
  EXPECT_EQ(*data, bytes("hello"));
  EXPECT_FALSE(fs->exists("d/b"));
}

TEST(memory_file_system, space_limit_gives_disk_full) {
  auto fs = std::make_shared<memory_file_system>();
  ASSERT_TRUE(fs->create_dirs("d"));
  fs->set_space_limit(8);
  auto f = fs->open("d/a", open_mode::create);
  ASSERT_TRUE(f);
  ASSERT_TRUE((*f)->append(bytes("12345678")));
  auto s = (*f)->append(bytes("9"));
  ASSERT_FALSE(s);
  EXPECT_TRUE(is(s.err(), errc::disk_full));
  fs->set_space_limit(-1);
  EXPECT_TRUE((*f)->append(bytes("9")));
}

TEST(memory_file_system, list_and_rename) {
  auto fs = std::make_shared<memory_file_system>();
  ASSERT_TRUE(fs->create_dirs("d/e"));
  ASSERT_TRUE(write_file_atomic(*fs, "d/x", bytes("1")));
  auto names = fs->list_dir("d");
  ASSERT_TRUE(names);
  std::sort(names->begin(), names->end());
  EXPECT_EQ(*names, (std::vector<std::string>{"e", "x"}));
  ASSERT_TRUE(fs->remove_all("d"));
  EXPECT_FALSE(fs->exists("d/x"));
}

}  // namespace
}  // namespace samsa::storage
