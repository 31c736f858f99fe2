#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "storage/errc.h"
#include "storage/file_system.h"

namespace samsa::storage {
namespace {

size_t open_descriptors() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    path = std::filesystem::temp_directory_path() / ("posix_fs_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
};

TEST(posix_fs, list_dir_returns_every_name_of_a_folder_larger_than_one_read) {
  // 1,500 names of ~200 bytes need many getdents64 calls of the 16 KiB buffer.
  temp_dir d;
  std::set<std::string> made;
  for (int i = 0; i < 1500; ++i) {
    std::string name = std::string(190, 'n') + "." + std::to_string(i);
    std::ofstream(d.path / name) << "x";
    made.insert(name);
  }
  std::filesystem::create_directories(d.path / "sub");
  made.insert("sub");
  auto fs = posix_file_system();
  size_t before = open_descriptors();
  auto names = fs->list_dir(d.path.string());
  ASSERT_TRUE(names) << names.err().describe();
  EXPECT_EQ(open_descriptors(), before);
  EXPECT_EQ(std::set<std::string>(names->begin(), names->end()), made);  // no ".", "..", none twice
  EXPECT_EQ(names->size(), made.size());
}

TEST(posix_fs, list_dir_of_a_missing_folder_is_not_found_and_of_a_file_an_error) {
  temp_dir d;
  auto fs = posix_file_system();
  auto missing = fs->list_dir((d.path / "nope").string());
  ASSERT_FALSE(missing);
  EXPECT_TRUE(is(missing.err(), errc::not_found)) << missing.err().describe();
  std::ofstream(d.path / "file") << "x";
  size_t before = open_descriptors();
  auto file = fs->list_dir((d.path / "file").string());
  ASSERT_FALSE(file);
  EXPECT_FALSE(is(file.err(), errc::not_found));
  EXPECT_NE(file.err().message.find("file"), std::string::npos);  // names the path
  EXPECT_EQ(open_descriptors(), before);
  auto empty = fs->list_dir((d.path).string());
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, std::vector<std::string>{"file"});
}

}  // namespace
}  // namespace samsa::storage
