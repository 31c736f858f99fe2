#include <gtest/gtest.h>

#include <sys/stat.h>
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

TEST(posix_fs, read_whole_reads_files_of_every_size_around_its_first_read) {
  // The first read fills a 16 KiB buffer; past it the size comes from fstat.
  temp_dir d;
  auto fs = posix_file_system();
  size_t before = open_descriptors();
  for (size_t size : {size_t{0}, size_t{1}, size_t{12}, size_t{16383}, size_t{16384}, size_t{16385},
                      size_t{100000}, size_t{1} << 20}) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>('a' + (i * 7 + size) % 26);
    auto path = d.path / ("f" + std::to_string(size));
    std::ofstream(path, std::ios::binary) << data;
    auto got = fs->read_whole(path.string());
    ASSERT_TRUE(got) << got.err().describe();
    ASSERT_EQ(got->size(), size);
    EXPECT_TRUE(std::equal(got->begin(), got->end(), data.begin())) << "file of " << size << " bytes";
  }
  EXPECT_EQ(open_descriptors(), before);
  auto missing = fs->read_whole((d.path / "nope").string());
  ASSERT_FALSE(missing);
  EXPECT_TRUE(is(missing.err(), errc::not_found)) << missing.err().describe();
  ASSERT_EQ(::mkfifo((d.path / "fifo").c_str(), 0644), 0);  // read at once as empty, never waits for a writer
  auto fifo = fs->read_whole((d.path / "fifo").string());
  ASSERT_TRUE(fifo) << fifo.err().describe();
  EXPECT_TRUE(fifo->empty());
  auto folder = fs->read_whole(d.path.string());  // a folder opens, but its read fails
  ASSERT_FALSE(folder);
  EXPECT_NE(folder.err().message.find(d.path.string()), std::string::npos);
  EXPECT_EQ(open_descriptors(), before);
}

}  // namespace
}  // namespace samsa::storage
