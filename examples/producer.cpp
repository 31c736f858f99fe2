// producer.cpp — publishes keyed payment events and prints where each landed.
//
//   ./example_producer [topic] [count]
//
// The key decides the partition (a hash of the key), so every event of one
// user goes to the same partition and keeps its order.
#include <iostream>
#include <string>
#include <vector>

#include "client.hpp"
#include "client/producer.h"

int main(int argc, char** argv) {
  std::string topic = argc > 1 ? argv[1] : example::default_topic;
  int count = argc > 2 ? std::stoi(argv[2]) : 12;
  const std::vector<std::string> users{"alice", "bob", "carol", "dave"};

  auto config = example::load_config("example-producer");
  // acks=all: the broker answers only once the event is durably stored.
  auto producer = samsa::client::producer::create(config, {.acks = "all"});
  if (!producer) example::die(producer.err());

  // send() returns at once with a future; the broker's answer (partition and
  // offset) arrives later. Keep the futures and read them afterwards, so many
  // events are in flight together.
  std::vector<std::future<samsa::result<samsa::client::delivery_report>>> pending;
  std::vector<std::string> keys;
  for (int i = 0; i < count; ++i) {
    std::string user = users[static_cast<size_t>(i) % users.size()];
    std::string value = "{\"user\":\"" + user + "\",\"amount\":" + std::to_string(10 + i) + "}";
    samsa::client::outgoing_message event;
    event.topic = topic;
    event.key = user;  // same key -> same partition
    event.value = value;
    event.headers = {{"event-type", "payment"}};
    pending.push_back(producer->send(event));
    keys.push_back(user);
  }

  for (size_t i = 0; i < pending.size(); ++i) {
    auto report = pending[i].get();  // waits for this event's acknowledgement
    if (!report) example::die(report.err());
    std::cout << "key " << keys[i] << " -> partition " << report->partition << " offset " << report->offset << "\n";
  }
  // The producer flushes anything still queued when it goes out of scope.
  return 0;
}
