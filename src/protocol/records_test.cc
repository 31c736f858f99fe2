#include "protocol/records.h"

#include <gtest/gtest.h>

namespace samsa::protocol {
namespace {

TEST(records, memory_and_file_forms) {
  auto owned = records::owned({1, 2, 3});
  EXPECT_FALSE(owned.is_file());
  EXPECT_EQ(owned.size(), 3u);
  EXPECT_EQ(owned, records::copy(std::vector<uint8_t>{1, 2, 3}));
  EXPECT_NE(owned, records::copy(std::vector<uint8_t>{1, 2}));

  auto file = records::file(file_slice{nullptr, 3, 10, 20});
  EXPECT_TRUE(file.is_file());
  EXPECT_EQ(file.size(), 20u);
  EXPECT_TRUE(file.bytes().empty());
  EXPECT_NE(file, owned);
  EXPECT_EQ(file, records::file(file_slice{nullptr, 3, 10, 20}));
}

TEST(records, copies_share_the_owner) {
  auto a = records::owned({4, 5});
  records b = a;
  EXPECT_EQ(a.bytes().data(), b.bytes().data());
  EXPECT_EQ(records().size(), 0u);
}

TEST(records, view_keeps_owner_alive) {
  records r;
  {
    auto buf = std::make_shared<std::vector<uint8_t>>(std::vector<uint8_t>{7, 8, 9});
    r = records::view(std::span<const uint8_t>(buf->data() + 1, 2), buf);
  }
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.bytes()[0], 8);
}

}  // namespace
}  // namespace samsa::protocol
