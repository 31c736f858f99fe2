// Disk-full test on a real, small file system: mounts a 4 MiB tmpfs (needs
// root; skipped otherwise), fills it through partition_log, and checks that
// the failing append reports errc::disk_full, leaves no partial batch, keeps
// reads working, and that appends resume once space is freed.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "storage/errc.h"
#include "storage/log_manager.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

class tmpfs_mount {
 public:
  tmpfs_mount() {
    auto base = std::filesystem::temp_directory_path() / ("samsa-diskfull-" + std::to_string(::getpid()));
    std::filesystem::create_directories(base);
    path_ = base.string();
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, "size=4m") != 0) {
      error_ = std::strerror(errno);
      std::filesystem::remove(base);
      path_.clear();
    }
  }
  ~tmpfs_mount() {
    if (path_.empty()) return;
    ::umount2(path_.c_str(), MNT_DETACH);
    std::filesystem::remove(path_);
  }
  const std::string& path() const { return path_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  std::string error_;
};

TEST(storage_disk_full, append_fails_cleanly_and_resumes) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  tmpfs_mount mnt;
  if (mnt.path().empty()) GTEST_SKIP() << "cannot mount tmpfs: " << mnt.error();

  // Ballast we delete later to free space.
  std::string ballast = mnt.path() + "/ballast";
  {
    std::ofstream out(ballast, std::ios::binary);
    std::string mb(1 << 20, 'x');
    out << mb;
  }
  log_manager::options o;
  o.data_dir = mnt.path() + "/data";
  o.background = false;
  auto m = log_manager::open(o);
  ASSERT_TRUE(m) << m.err().describe();
  topic_id id{};
  auto log = (*m)->create_partition("full", 0, id, {});
  ASSERT_TRUE(log);

  std::vector<std::vector<uint8_t>> acked;
  error failure;
  for (int i = 0; i < 200; ++i) {
    auto b = testing::make_filler_batch(1, 60 << 10, i, static_cast<uint64_t>(i));
    auto r = (*log)->append_in_place(b, 0);
    if (!r) {
      failure = r.err();
      break;
    }
    ASSERT_TRUE((*log)->flush());
    acked.push_back(std::move(b));
  }
  ASSERT_TRUE(failure.code) << "the disk never filled up";
  EXPECT_TRUE(is(failure, errc::disk_full)) << failure.describe();
  ASSERT_FALSE(acked.empty());
  int64_t end = (*log)->log_end_offset();
  EXPECT_EQ(end, static_cast<int64_t>(acked.size()));
  int64_t acked_bytes = 0;
  for (auto& b : acked) acked_bytes += static_cast<int64_t>(b.size());
  EXPECT_EQ((*log)->size_bytes(), acked_bytes) << "a partial batch was left behind";
  for (size_t i = 0; i < acked.size(); ++i) {
    auto r = (*log)->read_copy(static_cast<int64_t>(i), 1, INT64_MAX);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->bytes, acked[i]);
  }
  // Still full: still failing, without damage.
  auto again = (*log)->append(testing::make_filler_batch(1, 60 << 10, 0, 999), 0);
  EXPECT_FALSE(again);
  // Free space: appends resume at the next offset.
  std::filesystem::remove(ballast);
  auto b = testing::make_filler_batch(1, 60 << 10, 0, 1000);
  auto r = (*log)->append_in_place(b, 0);
  ASSERT_TRUE(r) << r.err().describe();
  EXPECT_EQ(r->base_offset, end);
  acked.push_back(b);
  ASSERT_TRUE((*m)->shutdown());
  m->reset();

  auto reopened = log_manager::open(o);
  ASSERT_TRUE(reopened) << reopened.err().describe();
  auto l2 = (*reopened)->get("full", 0);
  ASSERT_TRUE(l2);
  EXPECT_EQ(l2->log_end_offset(), static_cast<int64_t>(acked.size()));
  for (size_t i = 0; i < acked.size(); ++i) EXPECT_EQ(l2->read_copy(int64_t(i), 1, INT64_MAX)->bytes, acked[i]);
  ASSERT_TRUE((*reopened)->shutdown());
}

}  // namespace
}  // namespace samsa::storage
