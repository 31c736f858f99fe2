#include "storage/lazy_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "storage/file_system.h"
#include "storage/memory_file_system.h"

namespace samsa::storage {
namespace {

std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

size_t open_descriptors() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST(lazy_file, holds_no_descriptor_after_release) {
  auto dir = std::filesystem::temp_directory_path() / ("lazy_file_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto fs = posix_file_system();
  size_t before = open_descriptors();
  auto f = lazy_file::open(*fs, (dir / "x.index").string(), open_mode::create_truncate);
  ASSERT_TRUE(f) << f.err().describe();
  EXPECT_EQ(open_descriptors(), before + 1);
  (*f)->release();
  EXPECT_EQ(open_descriptors(), before);

  ASSERT_TRUE((*f)->append(bytes_of("abcdef")));
  ASSERT_TRUE((*f)->sync());
  EXPECT_EQ((*f)->size(), 6);
  EXPECT_EQ(open_descriptors(), before);  // each call opened and closed its own
  std::vector<uint8_t> out(6);
  auto n = (*f)->read_at(0, out);
  ASSERT_TRUE(n);
  EXPECT_EQ(out, bytes_of("abcdef"));
  ASSERT_TRUE((*f)->truncate(2));
  EXPECT_EQ((*f)->size(), 2);
  EXPECT_EQ(std::filesystem::file_size(dir / "x.index"), 2u);
  std::filesystem::remove_all(dir);
}

TEST(lazy_file, acquire_lends_one_descriptor_for_as_long_as_it_is_kept) {
  auto dir = std::filesystem::temp_directory_path() / ("lazy_file_acquire_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto fs = posix_file_system();
  auto f = lazy_file::open(*fs, (dir / "x.log").string(), open_mode::create_truncate);
  ASSERT_TRUE(f) << f.err().describe();
  ASSERT_TRUE((*f)->append(bytes_of("abcdef")));
  (*f)->release();
  const size_t before = open_descriptors();
  {
    auto a = (*f)->acquire();
    ASSERT_TRUE(a) << a.err().describe();
    EXPECT_GE((*a)->fd(), 0) << "a real descriptor, for sendfile";
    auto b = (*f)->acquire();
    ASSERT_TRUE(b);
    EXPECT_EQ(a->get(), b->get()) << "a second reader shares the first one's";
    std::vector<uint8_t> out(3);
    ASSERT_TRUE((*f)->read_at(3, out));
    EXPECT_EQ(out, bytes_of("def"));
    EXPECT_EQ(open_descriptors(), before + 1) << "reads while it is kept use it";
  }
  EXPECT_EQ(open_descriptors(), before) << "closed once no reader keeps it";
  std::filesystem::remove_all(dir);
}

TEST(lazy_file, follows_a_rename_and_syncs_through_a_fresh_handle) {
  auto fs = std::make_shared<memory_file_system>();
  ASSERT_TRUE(fs->create_dirs("a"));
  ASSERT_TRUE(fs->create_dirs("b"));
  auto f = lazy_file::open(*fs, "a/x", open_mode::create);
  ASSERT_TRUE(f);
  (*f)->release();
  ASSERT_TRUE((*f)->append(bytes_of("hello")));
  ASSERT_TRUE(fs->rename("a/x", "b/x"));
  (*f)->relocate("b/x");
  EXPECT_EQ((*f)->path(), "b/x");
  ASSERT_TRUE((*f)->append(bytes_of("!")));
  ASSERT_TRUE((*f)->sync());
  auto node = fs->lookup("b/x");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->synced, bytes_of("hello!"));
  // Without the relocation the old name is gone: writes fail, a sync has
  // nothing left to make durable.
  (*f)->relocate("a/x");
  EXPECT_FALSE((*f)->append(bytes_of("?")));
  EXPECT_TRUE((*f)->sync());
}

TEST(lazy_file, read_whole_returns_the_contents_and_holds_no_descriptor) {
  auto dir = std::filesystem::temp_directory_path() / ("lazy_file_read_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto fs = posix_file_system();
  size_t before = open_descriptors();
  std::vector<uint8_t> contents{9, 9};
  // A missing index is created empty, as opening it did before.
  auto missing = lazy_file::read_whole(*fs, (dir / "a.index").string(), contents);
  ASSERT_TRUE(missing) << missing.err().describe();
  EXPECT_TRUE(contents.empty());
  EXPECT_TRUE(std::filesystem::exists(dir / "a.index"));
  EXPECT_EQ(open_descriptors(), before);
  ASSERT_TRUE((*missing)->append(bytes_of("12345678")));
  auto again = lazy_file::read_whole(*fs, (dir / "a.index").string(), contents);
  ASSERT_TRUE(again);
  EXPECT_EQ(contents, bytes_of("12345678"));
  EXPECT_EQ((*again)->size(), 8);
  EXPECT_EQ(open_descriptors(), before);
  // Later calls open it on demand and append at its end.
  ASSERT_TRUE((*again)->append(bytes_of("9")));
  std::vector<uint8_t> out(9);
  ASSERT_TRUE((*again)->read_at(0, out));
  EXPECT_EQ(out, bytes_of("123456789"));
  EXPECT_EQ(open_descriptors(), before);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace samsa::storage
