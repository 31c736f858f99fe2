#include "txn/producer_id_allocator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace samsa::txn {
namespace {

namespace fs = std::filesystem;

class ProducerIds : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("samsa-pid-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file() const { return (dir_ / "producer_ids").string(); }
  fs::path dir_;
};

TEST_F(ProducerIds, CountUpFromZero) {
  auto a = producer_id_allocator::open(file(), 3);
  ASSERT_TRUE(a.ok());
  for (int64_t want = 0; want < 7; ++want) EXPECT_EQ((*a)->next().value(), want);
}

TEST_F(ProducerIds, NeverReusedAfterARestart) {
  {
    auto a = producer_id_allocator::open(file(), 10);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ((*a)->next().value(), 0);
    EXPECT_EQ((*a)->next().value(), 1);
  }
  // Whatever was handed out of the first block, a new process starts above it.
  auto b = producer_id_allocator::open(file(), 10);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->next().value(), 10);
}

TEST_F(ProducerIds, DamagedFileIsAnErrorNotAReset) {
  std::ofstream(file()) << "garbage";
  auto a = producer_id_allocator::open(file());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.err().message.find("damaged"), std::string::npos) << a.err().message;
}

TEST_F(ProducerIds, UnwritableDirectoryFailsWithContext) {
  auto a = producer_id_allocator::open((dir_ / "missing-dir" / "producer_ids").string());
  ASSERT_TRUE(a.ok());
  auto id = (*a)->next();
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.err().message.find("missing-dir"), std::string::npos) << id.err().message;
}

}  // namespace
}  // namespace samsa::txn
