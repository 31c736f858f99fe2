// The two transaction files on their own: the aborted-transaction index
// (.txnindex) and the producer snapshot codec (.snapshot).
#include <gtest/gtest.h>

#include "storage/memory_file_system.h"
#include "storage/producer_snapshot.h"
#include "storage/txn_index.h"

namespace samsa::storage {
namespace {

using v = std::vector<aborted_txn>;

TEST(txn_index, entries_survive_reopen_and_a_torn_tail_is_cut) {
  auto fs = std::make_shared<memory_file_system>();
  ASSERT_TRUE(fs->create_dirs("d"));
  {
    auto idx = txn_index::open(*fs, "d/0.txnindex");
    ASSERT_TRUE(idx);
    ASSERT_TRUE((*idx)->append({1, 0, 5}));
    ASSERT_TRUE((*idx)->append({2, 3, 9}));
  }
  auto node = fs->lookup("d/0.txnindex");
  ASSERT_EQ(node->data.size(), 2u * txn_index::entry_bytes);
  node->data.push_back(1);  // half of a third entry
  {
    auto idx = txn_index::open(*fs, "d/0.txnindex");
    ASSERT_TRUE(idx);
    EXPECT_EQ((*idx)->entries(), (v{{1, 0, 5}, {2, 3, 9}}));
    EXPECT_EQ(node->data.size(), 2u * txn_index::entry_bytes);
  }
  node->data[txn_index::entry_bytes + 3] ^= 1;  // damage the second entry: its CRC fails
  auto idx = txn_index::open(*fs, "d/0.txnindex");
  ASSERT_TRUE(idx);
  EXPECT_EQ((*idx)->entries(), (v{{1, 0, 5}}));
}

TEST(txn_index, truncate_from_drops_entries_whose_marker_is_at_or_past_it) {
  auto fs = std::make_shared<memory_file_system>();
  ASSERT_TRUE(fs->create_dirs("d"));
  auto idx = txn_index::open(*fs, "d/0.txnindex");
  ASSERT_TRUE(idx);
  for (auto e : v{{1, 0, 2}, {2, 1, 4}, {3, 5, 6}}) ASSERT_TRUE((*idx)->append(e));
  ASSERT_TRUE((*idx)->truncate_from(4));
  EXPECT_EQ((*idx)->entries(), (v{{1, 0, 2}}));
  auto again = txn_index::open(*fs, "d/0.txnindex");
  EXPECT_EQ((*again)->entries(), (v{{1, 0, 2}}));
}

TEST(txn_index, aborted_in_range_takes_what_overlaps) {
  v all{{1, 0, 2}, {2, 1, 10}, {3, 5, 6}};
  EXPECT_EQ(aborted_in_range(all, 3, 5), (v{{2, 1, 10}}));
  EXPECT_EQ(aborted_in_range(all, 0, 1), (v{{1, 0, 2}}));
  EXPECT_EQ(aborted_in_range(all, 6, 7), (v{{2, 1, 10}, {3, 5, 6}}));
  EXPECT_EQ(aborted_in_range(all, 11, 20), v{});
}

producer_snapshot sample() {
  producer_snapshot s;
  s.offset = 1234;
  s.producers.push_back({7, 3, 99999, -1, {{0, 4, 10, -1}, {5, 5, 15, 777}}});
  s.producers.push_back({8, 0, 5, 42, {}});
  return s;
}

TEST(producer_snapshot, round_trips) {
  auto bytes = encode_producer_snapshot(sample());
  auto back = decode_producer_snapshot(bytes);
  ASSERT_TRUE(back) << back.err().describe();
  EXPECT_EQ(back->offset, 1234);
  ASSERT_EQ(back->producers.size(), 2u);
  EXPECT_EQ(back->producers[0].epoch, 3);
  EXPECT_EQ(back->producers[0].last_update_ms, 99999);
  ASSERT_EQ(back->producers[0].recent.size(), 2u);
  EXPECT_EQ(back->producers[0].recent[1].append_time_ms, 777);
  EXPECT_EQ(back->producers[0].recent[1].base_offset, 15);
  EXPECT_EQ(back->producers[1].txn_first_offset, 42);
}

TEST(producer_snapshot, damage_is_refused_not_misread) {
  auto good = encode_producer_snapshot(sample());
  for (size_t i = 0; i < good.size(); ++i) {
    auto bad = good;
    bad[i] ^= 0x40;
    EXPECT_FALSE(decode_producer_snapshot(bad)) << "flipped byte " << i;
  }
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(decode_producer_snapshot(std::span<const uint8_t>(good).first(n))) << "cut to " << n;
  }
}

}  // namespace
}  // namespace samsa::storage
