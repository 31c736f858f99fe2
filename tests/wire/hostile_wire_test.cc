// Hostile clients against a real broker process: each case does something a
// broken or malicious client could do, then checks that a bystander on
// another connection is still answered promptly, that the broker's memory
// stays under a stated bound, and that the misbehaving connection is closed
// or throttled as documented (docs/architecture.md, "Limits").
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/utf8.h"
#include "broker_process.h"
#include "hostile_client.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using namespace std::chrono_literals;

class HostileWire : public ::testing::Test {
 protected:
  void start(std::map<std::string, std::string> settings = {}) {
    broker_ = std::make_unique<broker_process>(std::move(settings));
    broker_->start();
  }
  void TearDown() override {
    if (HasFailure() && broker_) std::cerr << "--- broker log (tail) ---\n" << broker_->log_tail() << "\n";
  }

  // A fresh connection's ApiVersions is answered within `wait`.
  void expect_bystander_answered(std::chrono::milliseconds wait = 2000ms) {
    raw_socket bystander(broker_->port());
    ASSERT_TRUE(bystander.send(api_versions_frame(77)));
    auto started = std::chrono::steady_clock::now();
    std::vector<uint8_t> answer;
    ASSERT_NO_THROW(answer = bystander.read_frame(wait)) << "a bystander was not answered";
    ASSERT_GE(answer.size(), 4u);
    EXPECT_EQ(answer[3], 77);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    std::cout << "[ bystander ] answered in " << took.count() << " ms\n";
  }

  std::unique_ptr<broker_process> broker_;
};

// Bytes after a complete body are ignored, as Kafka ignores them (real
// clients send some: librdkafka 2.0's ListGroups v4 and OffsetFetch v7);
// the request is answered and the broker keeps serving others.
TEST_F(HostileWire, TrailingBytesAfterARequestBodyAreIgnoredAsKafkaDoes) {
  start();
  auto frame = api_versions_frame(1);
  frame.insert(frame.end(), {0xde, 0xad, 0xbe});
  uint32_t size = static_cast<uint32_t>(frame.size() - 4);
  frame[0] = uint8_t(size >> 24);
  frame[1] = uint8_t(size >> 16);
  frame[2] = uint8_t(size >> 8);
  frame[3] = uint8_t(size);
  raw_socket client(broker_->port());
  ASSERT_TRUE(client.send(frame));
  std::vector<uint8_t> answer;
  ASSERT_NO_THROW(answer = client.read_frame());
  EXPECT_EQ(answer[3], 1);
  expect_bystander_answered();
}

// A body cut short inside a field while the frame's size prefix is honest
// (the connection stays open on the client side): the broker must close
// because the request is malformed, not because of an end of stream.
TEST_F(HostileWire, BodyTruncatedInsideAFieldIsRefusedWhileTheClientWaits) {
  start();
  // Metadata v1: an array of 3 topics, but only one topic name follows.
  std::vector<uint8_t> body = {0, 0, 0, 3, 0, 1, 'a'};
  raw_socket bad(broker_->port());
  ASSERT_TRUE(bad.send(raw_frame(3, 1, 5, body, false)));
  EXPECT_TRUE(bad.closed_by_peer_within(5000ms));
  expect_bystander_answered();
}

// Slowloris: connections that send part of a size prefix, or announce a
// large frame and trickle nothing, hold no broker-wide budget beyond what
// they sent, and do not delay anyone else.
TEST_F(HostileWire, SlowlorisConnectionsDoNotHoldTheBroker) {
  start({{"queued.max.request.bytes", "1048576"}});
  std::vector<std::unique_ptr<raw_socket>> slow;
  for (int i = 0; i < 200; ++i) {
    slow.push_back(std::make_unique<raw_socket>(broker_->port()));
    if (i % 2 == 0) {
      slow.back()->send({0x00, 0x10});  // half a size prefix
    } else {
      // Announces 50 MiB, sends 100 bytes of it.
      std::vector<uint8_t> start_of_frame = {0x03, 0x20, 0x00, 0x00, 0, 18, 0, 3, 0, 0, 0, 1};
      start_of_frame.resize(104, 0);
      slow.back()->send(start_of_frame);
    }
  }
  std::this_thread::sleep_for(200ms);
  expect_bystander_answered();
  int64_t rss = resident_kib(broker_->pid());
  std::cout << "[ slowloris ] 200 connections, broker RSS " << rss << " KiB\n";
  EXPECT_LT(rss, 200 * 1024) << "slow connections made the broker hold too much memory";
}

// A client pipelines far more requests than it reads: the broker reads
// ahead a bounded number (then leaves the rest in the socket), keeps its
// memory bounded, still serves others, and answers every request in order
// once the client reads.
TEST_F(HostileWire, PipelineFloodIsThrottledAndAnsweredInOrder) {
  start();
  // 40 MB of requests whose 18 MB of answers are more than the kernel
  // buffers of both ends hold: once the answers back up, the broker stops
  // reading and the rest waits in the client's socket.
  constexpr int count = 40000;
  std::vector<uint8_t> flood;
  for (int i = 0; i < count; ++i) {
    auto f = api_versions_frame(i, 1000);
    flood.insert(flood.end(), f.begin(), f.end());
  }
  raw_socket flooder(broker_->port(), 4096);
  size_t sent = 0;
  auto until = std::chrono::steady_clock::now() + 2s;
  while (sent < flood.size() && std::chrono::steady_clock::now() < until) {
    sent += flooder.send_some(flood, sent);
    std::this_thread::sleep_for(10ms);
  }
  std::cout << "[ flood ] " << sent << " of " << flood.size() << " bytes accepted while not reading\n";
  EXPECT_LT(sent, flood.size()) << "the broker read every request ahead of its answers";
  expect_bystander_answered();
  int64_t rss = resident_kib(broker_->pid());
  std::cout << "[ flood ] broker RSS " << rss << " KiB\n";
  EXPECT_LT(rss, 200 * 1024);
  // Now read: every answer arrives, in order, and the rest of the flood goes in.
  int next = 0;
  while (next < count) {
    if (sent < flood.size()) sent += flooder.send_some(flood, sent);
    auto frame = flooder.read_frame(10s);
    int32_t correlation = int32_t((uint32_t(frame[0]) << 24) | (uint32_t(frame[1]) << 16) |
                                  (uint32_t(frame[2]) << 8) | uint32_t(frame[3]));
    ASSERT_EQ(correlation, next);
    ++next;
  }
}

// A client that sends Fetch requests and never reads their answers: once
// no byte could be written for connections.max.write.stall.ms the broker
// closes it, releasing the answers and the log files they pin.
TEST_F(HostileWire, ClientThatNeverReadsIsClosedAfterTheWriteStallLimit) {
  start({{"connections.max.write.stall.ms", "1500"}});
  {
    wire_client admin(broker_->port());
    ASSERT_EQ(create_topic(admin, "pinned", 1), 0);
    std::string value(100 * 1024, 'x');
    for (int i = 0; i < 40; ++i) {
      auto p = produce_batch(admin, 9, "pinned", 0, batch_of({value}, i));
      ASSERT_EQ(p.error_code, 0);
    }
  }
  raw_socket reader(broker_->port(), 4096);
  protocol::fetch_request_data fetch;
  fetch.replica_id = -1;
  fetch.max_wait_ms = 0;
  fetch.max_bytes = 64 << 20;
  fetch.session_epoch = -1;
  fetch.topics.push_back({});
  fetch.topics[0].topic = "pinned";
  fetch.topics[0].partitions.push_back({});
  fetch.topics[0].partitions[0].partition_max_bytes = 64 << 20;
  for (int i = 0; i < 20; ++i) {
    protocol::request_header_data header;
    header.request_api_key = protocol::fetch_request_data::api_key;
    header.request_api_version = 11;
    header.correlation_id = i;
    header.client_id = "never-reads";
    protocol::writer w;
    protocol::encode_request(w, header, fetch);
    reader.send_some(w.buffer(), 0);
  }
  // Without reading a byte (reading would be progress), wait for the broker
  // to give up on this connection.
  bool closed = false;
  for (int i = 0; i < 150 && !closed; ++i) {
    std::this_thread::sleep_for(100ms);
    closed = broker_->log_tail(20000).find("made no write progress") != std::string::npos;
  }
  EXPECT_TRUE(closed) << "a client that never reads was kept open";
  // What was already in the socket buffers drains, then the stream ends.
  EXPECT_TRUE(reader.closed_by_peer_within(10000ms));
  expect_bystander_answered();
}

// max.connections: the connection past the limit is closed at once with a
// log line; the others keep working, and a freed place is taken again.
TEST_F(HostileWire, ConnectionsPastMaxConnectionsAreRefused) {
  start({{"max.connections", "5"}});
  std::vector<std::unique_ptr<raw_socket>> held;
  for (int i = 0; i < 5; ++i) {
    held.push_back(std::make_unique<raw_socket>(broker_->port()));
    ASSERT_TRUE(held.back()->send(api_versions_frame(i)));
    ASSERT_NO_THROW(held.back()->read_frame());
  }
  raw_socket extra(broker_->port());
  EXPECT_TRUE(extra.closed_by_peer_within(5000ms));
  EXPECT_NE(broker_->log_tail(20000).find("max.connections=5 reached"), std::string::npos);
  held.pop_back();
  std::this_thread::sleep_for(300ms);  // the broker sees the close
  raw_socket again(broker_->port());
  ASSERT_TRUE(again.send(api_versions_frame(9)));
  EXPECT_NO_THROW(again.read_frame());
}

// Many connections at once (10,000 when the descriptor limit allows it):
// each is served, the broker's memory per connection stays small, and a
// bystander is answered.
TEST_F(HostileWire, TenThousandConnections) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  rlimit raised = lim;
  raised.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &raised);
  getrlimit(RLIMIT_NOFILE, &lim);
  size_t wanted = std::min<size_t>(10000, lim.rlim_cur > 200 ? lim.rlim_cur - 200 : 0);
  start({{"max.connections", "20000"}});
  int64_t before = resident_kib(broker_->pid());
  std::vector<std::unique_ptr<raw_socket>> conns;
  conns.reserve(wanted);
  for (size_t i = 0; i < wanted; ++i) {
    try {
      conns.push_back(std::make_unique<raw_socket>(broker_->port()));
    } catch (const std::exception& e) {
      std::cout << "[ connections ] stopped at " << i << ": " << e.what() << "\n";
      break;
    }
  }
  for (size_t i = 0; i < conns.size(); ++i) ASSERT_TRUE(conns[i]->send(api_versions_frame(int32_t(i))));
  for (size_t i = 0; i < conns.size(); i += 97) ASSERT_NO_THROW(conns[i]->read_frame(20s)) << i;
  expect_bystander_answered(5000ms);
  int64_t after = resident_kib(broker_->pid());
  std::cout << "[ connections ] " << conns.size() << " open (client descriptor limit " << lim.rlim_cur
            << "), broker RSS " << before << " -> " << after << " KiB, "
            << (after - before) * 1024 / std::max<int64_t>(1, int64_t(conns.size())) << " bytes each, "
            << open_descriptors(broker_->pid()) << " broker descriptors\n";
  EXPECT_GE(conns.size(), std::min<size_t>(wanted, 1000));
  EXPECT_LT(after - before, int64_t(conns.size()) * 64);  // under 64 KiB per connection
}

// Creating thousands of partitions takes the file system seconds; that work
// runs on the worker pool, so requests of other clients are answered while
// it goes on (the creation's own answer comes after the bystander's).
TEST_F(HostileWire, TopicCreationDoesNotHoldOtherRequests) {
  start();
  wire_client creator(broker_->port());
  protocol::create_topics_request_data create;
  create.timeout_ms = 60000;
  create.topics.push_back({});
  create.topics[0].name = "wide";
  create.topics[0].num_partitions = 5000;
  create.topics[0].replication_factor = 1;
  int32_t id = creator.send(create, 4);
  std::this_thread::sleep_for(50ms);  // the creation has started
  expect_bystander_answered(10000ms);
  EXPECT_FALSE(creator.answer_waiting()) << "the bystander waited for the creation to end";
  auto created = creator.receive<protocol::create_topics_response_data>(protocol::create_topics_request_data::api_key,
                                                                        4, id);
  ASSERT_EQ(created.topics.size(), 1u);
  EXPECT_EQ(created.topics[0].error_code, 0);
}

// A flood of malformed frames: every refusal is counted, but the log gets at
// most a few lines per second and then one line saying how many it left out.
TEST_F(HostileWire, RefusalFloodIsLoggedAtABoundedRate) {
  start();
  constexpr int bad = 300;
  for (int i = 0; i < bad; ++i) {
    raw_socket s(broker_->port());
    s.send({0x00, 0x00, 0x00, 0x01, 0x00});  // a 1-byte request: below the 8-byte minimum
    s.closed_by_peer_within(2000ms);
  }
  std::this_thread::sleep_for(1100ms);
  raw_socket last(broker_->port());
  last.send({0x00, 0x00, 0x00, 0x01, 0x00});
  last.closed_by_peer_within(2000ms);
  std::this_thread::sleep_for(200ms);
  std::string log = broker_->log_tail(1 << 20);
  size_t lines = 0;
  for (size_t at = log.find("is outside [8,"); at != std::string::npos; at = log.find("is outside [8,", at + 1)) ++lines;
  std::cout << "[ refusals ] " << bad + 1 << " refused, " << lines << " logged\n";
  EXPECT_LT(lines, 60u) << "refusals were logged without a rate limit";
  EXPECT_NE(log.find("were not logged"), std::string::npos) << "the left-out refusals were not counted in the log";
  expect_bystander_answered();
}

// Malformed UTF-8 in protocol strings (a group id, the client id) becomes
// U+FFFD when decoded, as Kafka's decoder makes it: the group is known,
// listed and logged by its repaired id, and nothing the broker writes to its
// log is malformed text. A flood of group refusals is logged at a bounded
// rate, as other refusals are, and control characters in what they quote
// are escaped.
TEST_F(HostileWire, MalformedTextIsRepairedAndGroupRefusalsAreLoggedAtABoundedRate) {
  start({{"group.max.groups", "1"}});
  const std::string malformed = "bad-\xFF\xC0\xAF-\xE2\x82";
  const std::string repaired = "bad-\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD-\xEF\xBF\xBD";
  wire_client client(broker_->port(), "client-\xFE\n-id");
  ASSERT_EQ(create_topic(client, "t", 1), 0);
  auto commit = [&](const std::string& group) {
    protocol::offset_commit_request_data req;
    req.group_id = group;
    req.generation_id_or_member_epoch = -1;
    auto& t = req.topics.emplace_back();
    t.name = "t";
    auto& p = t.partitions.emplace_back();
    p.partition_index = 0;
    p.committed_offset = 3;
    return client.call<protocol::offset_commit_response_data>(req, 8).topics.at(0).partitions.at(0).error_code;
  };
  ASSERT_EQ(commit(malformed), 0);
  auto listed = client.call<protocol::list_groups_response_data>(protocol::list_groups_request_data{}, 5);
  ASSERT_EQ(listed.groups.size(), 1u);
  EXPECT_EQ(listed.groups[0].group_id, repaired);
  EXPECT_EQ(commit(repaired), 0) << "the same group under its repaired id";

  // group.max.groups=1: every other id is refused, and logged at most a few
  // times a second however many come. The first names an id with a newline
  // in it: logged escaped, it cannot start a line of its own.
  const std::string forged = "g\n2026-01-01 00:00:00.000 error forged by a client";
  ASSERT_EQ(commit(forged), to_int(protocol::error_code::group_max_size_reached));
  constexpr int refused = 300;
  for (int i = 0; i < refused; ++i) {
    ASSERT_EQ(commit(malformed + std::to_string(i)), to_int(protocol::error_code::group_max_size_reached));
  }
  std::this_thread::sleep_for(1100ms);
  ASSERT_EQ(commit("last"), to_int(protocol::error_code::group_max_size_reached));
  std::this_thread::sleep_for(200ms);
  const std::string log = broker_->log_text();
  size_t lines = 0;
  for (size_t at = log.find("refusing to create group"); at != std::string::npos;
       at = log.find("refusing to create group", at + 1)) {
    ++lines;
  }
  std::cout << "[ group refusals ] " << refused + 2 << " refused, " << lines << " logged\n";
  EXPECT_GE(lines, 1u);
  EXPECT_LT(lines, 60u) << "group refusals were logged without a rate limit";
  EXPECT_NE(log.find("were not logged"), std::string::npos);
  EXPECT_NE(log.find(repaired), std::string::npos) << "the refusal names the repaired id";
  EXPECT_TRUE(utf8::valid(log)) << "the broker's log holds malformed text";
  EXPECT_EQ(log.find("\n2026-01-01 00:00:00.000 error forged"), std::string::npos) << "a client forged a log line";
  EXPECT_NE(log.find("g\\n2026-01-01 00:00:00.000 error forged"), std::string::npos) << "the id is not logged escaped";
  expect_bystander_answered();
}

// Every request decoder's fuzz seeds, sent over the wire as real requests,
// then mutated (bytes flipped, cut short, counts blown up): the broker
// answers or closes each one, stays up, keeps its memory bounded and keeps
// answering a bystander.
TEST_F(HostileWire, FuzzCorpusOverTheWire) {
  start();
  std::vector<std::vector<uint8_t>> seeds;
  // The named seeds (one per API, captured from clients or generated), any
  // kept crash reproducers (regressions/), and a fixed sample of what long
  // fuzz campaigns added (libFuzzer names those by their SHA-1): every
  // decoder, in bounded test time.
  std::vector<std::filesystem::path> files, grown;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(SAMSA_REQUEST_BODY_CORPUS)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    bool hashed = name.size() == 40 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
    (hashed ? grown : files).push_back(entry.path());
  }
  std::sort(grown.begin(), grown.end());
  for (size_t i = 0; i < grown.size() && i < 40; ++i) files.push_back(grown[i * grown.size() / std::min<size_t>(grown.size(), 40)]);
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() >= 4) seeds.push_back(std::move(bytes));
  }
  ASSERT_GE(seeds.size(), 10u) << "corpus not found at " << SAMSA_REQUEST_BODY_CORPUS;
  std::mt19937 rng(11);
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  int sent = 0, answered = 0;
  for (const auto& seed : seeds) {
    int16_t key = static_cast<int16_t>((seed[0] << 8) | seed[1]);
    int16_t version = static_cast<int16_t>((seed[2] << 8) | seed[3]);
    std::vector<uint8_t> body(seed.begin() + 4, seed.end());
    for (int round = 0; round < 25; ++round) {
      std::vector<uint8_t> mutated = body;
      switch (round % 5) {
        case 0: break;  // the seed itself
        case 1:
          for (int flips = 0; flips < 4 && !mutated.empty(); ++flips) mutated[pick(mutated.size())] ^= uint8_t(1u << pick(8));
          break;
        case 2: mutated.resize(pick(mutated.size() + 1)); break;
        case 3:
          if (mutated.size() >= 4) {
            size_t at = pick(mutated.size() - 3);
            mutated[at] = 0x7f, mutated[at + 1] = 0xff, mutated[at + 2] = 0xff, mutated[at + 3] = 0xff;
          }
          break;
        case 4: {
          size_t at = pick(mutated.size() + 1);
          std::vector<uint8_t> junk(pick(64) + 1);
          for (auto& b : junk) b = uint8_t(pick(256));
          mutated.insert(mutated.begin() + static_cast<std::ptrdiff_t>(at), junk.begin(), junk.end());
          break;
        }
      }
      bool flexible = protocol::request_header_version(key, version) >= 2;
      raw_socket s(broker_->port());
      ASSERT_TRUE(s.send(raw_frame(key, version, sent, mutated, flexible)));
      ++sent;
      if (key == 0) {
        // A Produce with acks=0 that succeeds is answered by nothing, as in
        // Kafka; an ApiVersions behind it must then be answered (or the
        // connection closed, if the produce failed).
        ASSERT_TRUE(s.send(raw_frame(18, 0, sent, {}, false)));
      }
      try {
        s.read_frame(5000ms);
        ++answered;
      } catch (const std::exception& e) {
        // Refused (closed) is fine; silence is not.
        ASSERT_NE(std::string(e.what()), "no answer in time") << "api " << key << " v" << version << " round " << round;
      }
    }
    expect_bystander_answered();
  }
  int64_t rss = resident_kib(broker_->pid());
  std::cout << "[ fuzz over wire ] " << sent << " requests from " << seeds.size() << " seeds, " << answered
            << " answered, the rest refused; broker RSS " << rss << " KiB\n";
  EXPECT_LT(rss, 300 * 1024);
}

}  // namespace
}  // namespace samsa::wire_test
