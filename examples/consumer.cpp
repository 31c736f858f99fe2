// consumer.cpp — joins a consumer group, prints assignment changes and each
// message, and commits what it processed.
//
//   ./example_consumer [topic] [group] [max-messages]
//
// Start it twice with the same group: the partitions are split between the
// two, and a rebalance message shows who got what. Stops after max-messages
// (0 = never) or after 10 seconds without new messages.
#include <chrono>
#include <iostream>
#include <string>

#include "client.hpp"
#include "client/consumer.h"

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  std::string topic = argc > 1 ? argv[1] : example::default_topic;
  std::string group = argc > 2 ? argv[2] : "payments-app";
  long max_messages = argc > 3 ? std::stol(argv[3]) : 0;

  auto config = example::load_config("example-consumer");
  // earliest: a brand-new group starts at the beginning of each partition.
  // auto_commit off: we commit ourselves, after processing.
  auto consumer = samsa::client::consumer::create(
      config, {.group_id = group, .auto_offset_reset = "earliest", .auto_commit = false});
  if (!consumer) example::die(consumer.err());
  if (auto s = consumer->subscribe({topic}); !s) example::die(s.err());
  std::cout << "joined group " << group << ", waiting for partitions of " << topic << "\n";

  long received = 0;
  auto last_activity = std::chrono::steady_clock::now();
  while (max_messages == 0 || received < max_messages) {
    auto event = consumer->poll(500ms);
    if (!event) {  // e.g. broker restarting: the client retries by itself
      std::cerr << "warning: " << event.err().message << "\n";
      continue;
    }
    if (auto* change = std::get_if<samsa::client::rebalance_event>(&*event)) {
      // The group coordinator moved partitions: print the new situation.
      bool assigned = change->what == samsa::client::rebalance_event::kind::assigned;
      std::cout << (assigned ? "assigned:" : "revoked:");
      for (const auto& p : change->partitions) std::cout << " " << p.topic << "[" << p.partition << "]";
      std::cout << "\n";
      last_activity = std::chrono::steady_clock::now();
    } else if (auto* m = std::get_if<samsa::client::consumed_message>(&*event)) {
      std::cout << "partition " << m->partition << " offset " << m->offset << " key " << m->key.value_or("(none)")
                << " value " << m->value.value_or("(null)") << "\n";
      ++received;
      last_activity = std::chrono::steady_clock::now();
      // Commit after processing: if this program dies, the next member of the
      // group resumes right after the last committed message.
      if (auto s = consumer->commit(); !s) std::cerr << "warning: " << s.err().message << "\n";
    } else if (std::chrono::steady_clock::now() - last_activity > 10s) {
      std::cout << "no new messages for 10s, stopping\n";
      break;
    }
  }
  // close() leaves the group cleanly so the others take over at once.
  if (auto s = consumer->close(); !s) example::die(s.err());
  std::cout << "processed " << received << " messages\n";
  return 0;
}
