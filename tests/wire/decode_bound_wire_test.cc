// Finding 11 over the wire: a request whose decoded form would be many times
// its frame (here a DeleteTopics of millions of one-byte empty names, each a
// 32-byte std::string once decoded) is refused while it is decoded, before
// the memory is taken; the broker's peak RSS barely moves and it keeps
// answering others.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "broker_process.h"
#include "hostile_client.h"
#include "protocol/messages.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

// Peak resident set (VmHWM) of a process, in bytes.
int64_t peak_rss(pid_t pid) { return peak_resident_kib(pid) * 1024; }

TEST(DecodeBoundWire, ArrayOfEmptyNamesIsRefusedBeforeItIsDecoded) {
  broker_process broker;
  broker.start();
  wire_client bystander(broker.port());
  advertised_versions(bystander);
  const int64_t before = peak_rss(broker.pid());

  protocol::delete_topics_request_data hostile;
  hostile.topic_names.assign(4'000'000, std::string());  // 4 MB on the wire (flexible v5)
  hostile.timeout_ms = 1000;
  {
    wire_client attacker(broker.port());
    bool refused = false;
    try {
      auto resp = attacker.call<protocol::delete_topics_response_data>(hostile, 5);
      std::cout << "broker answered " << resp.responses.size() << " topics\n";
    } catch (const std::exception& e) {
      // The broker closes the connection of a request it cannot decode.
      refused = std::string(e.what()).find("closed the connection") != std::string::npos;
      std::cout << "refused: " << e.what() << "\n";
    }
    EXPECT_TRUE(refused);
  }
  const int64_t after = peak_rss(broker.pid());
  std::cout << "broker peak RSS " << before / (1 << 20) << " MiB -> " << after / (1 << 20) << " MiB\n";
  // The frame itself (4 MB) and its copy may be held; 128 MB of strings may not.
  EXPECT_LT(after - before, int64_t{48} << 20);
  EXPECT_FALSE(advertised_versions(bystander).empty());
  if (HasFailure()) std::cerr << broker.log_tail() << "\n";
}

}  // namespace
}  // namespace samsa::wire_test
