// client.hpp — the one client configuration shared by admin.cpp, producer.cpp
// and consumer.cpp (the C++ twin of nodejs/client.js).
//
// Every program asks the same place for its settings, so pointing all three at
// another cluster (Apache Kafka, Redpanda, a remote samsa) means changing only
// the environment, never the code:
//
//   SAMSA_BOOTSTRAP_SERVERS=broker1:9092 ./example_producer
//
// Defaults: bootstrap.servers=127.0.0.1:9092 (what `samsa serve` listens on).
#pragma once

#include <cstdlib>
#include <iostream>
#include <string>

#include "client/client_config.h"

namespace example {

// The topic all three programs use unless told otherwise.
inline const std::string default_topic = "payments";

// Loads defaults, then $SAMSA_CLIENT_CONFIG (a properties file), then
// SAMSA_* environment variables, and validates the result. On a bad setting
// it prints what is wrong and how to fix it, and exits.
inline samsa::client::client_config load_config(const std::string& client_id) {
  samsa::client::client_flags flags;
  flags.client_id = client_id;  // shows up in `samsa group describe`
  auto config = samsa::client::load_client_config(flags);
  if (!config) {
    std::cerr << "configuration error: " << config.err().message << "\n";
    std::exit(2);
  }
  return *config;
}

// Prints an error with its hint and exits: examples keep error handling short.
[[noreturn]] inline void die(const samsa::error& e) {
  std::cerr << "error: " << e.message << "\n";
  std::exit(1);
}

}  // namespace example
