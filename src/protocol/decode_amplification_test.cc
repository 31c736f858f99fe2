// Finding 11 (issue 11): decoding must not turn a frame into many times its
// size in memory. An array's element count is bounded by the bytes left, but
// one wire byte (an empty compact string) decodes into a 32-byte std::string:
// a 100 MiB frame of them would take over 3 GiB. The reader charges what the
// decoded message takes and refuses past a bound relative to the frame.
#include <malloc.h>

#include <gtest/gtest.h>

#include "protocol/messages.h"
#include "protocol/reader.h"
#include "protocol/writer.h"

namespace samsa::protocol {
namespace {

// Small chunks plus mmap()ed ones (a large vector is the latter).
size_t heap_in_use() {
  auto info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

TEST(DecodeAmplification, ArrayOfEmptyStringsStaysWithinTheBound) {
  std::vector<uint8_t> frame;
  {
    delete_topics_request_data hostile;
    hostile.topic_names.assign(2'000'000, std::string());
    hostile.timeout_ms = 1000;
    writer w;
    hostile.encode(w, 5);  // flexible: each name is one byte
    ASSERT_TRUE(w.ok());
    frame = w.buffer();
  }
  size_t before = heap_in_use();
  delete_topics_request_data decoded;
  reader r(frame);
  decoded.decode(r, 5);
  size_t used = heap_in_use() - before;
  std::cout << "frame of " << frame.size() << " bytes decoded into " << used << " bytes of heap (reader "
            << (r.ok() ? "accepted" : "refused: " + r.error()) << ")\n";
  EXPECT_LE(used, reader::decoded_limit_for(frame.size()));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error().find("memory"), std::string::npos) << r.error();
}

TEST(DecodeAmplification, OrdinaryRequestsDecode) {
  delete_topics_request_data many;
  for (int i = 0; i < 20000; ++i) many.topic_names.push_back("topic-" + std::to_string(i));
  many.timeout_ms = 1000;
  writer w;
  many.encode(w, 5);
  std::vector<uint8_t> frame = w.buffer();
  delete_topics_request_data decoded;
  reader r(frame);
  decoded.decode(r, 5);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(decoded.topic_names.size(), 20000u);
}

}  // namespace
}  // namespace samsa::protocol
