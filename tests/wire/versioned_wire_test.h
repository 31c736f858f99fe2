// A fixture for wire tests that walk every version the broker advertises:
// a fresh broker per test, one client, the advertised version ranges, and
// the broker's log tail printed when the test failed.
#pragma once

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "broker_process.h"
#include "protocol/api_keys.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {

class versioned_wire_test : public ::testing::Test {
 protected:
  // `settings`: the broker's, as Kafka property names.
  explicit versioned_wire_test(std::map<std::string, std::string> settings = {}) : broker_(std::move(settings)) {}

  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    versions_ = advertised_versions(*client_);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }
  std::pair<int16_t, int16_t> range(protocol::api_key key) { return versions_.at(static_cast<int16_t>(key)); }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
  std::map<int16_t, std::pair<int16_t, int16_t>> versions_;
};

}  // namespace samsa::wire_test
