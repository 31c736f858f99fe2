// A fixture for wire tests whose broker settings differ per test and that
// restart the broker after a SIGKILL: start(settings) runs a fresh broker and
// connects; on failure the broker's log tail is printed.
#pragma once

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "broker_process.h"
#include "wire_client.h"

namespace samsa::wire_test {

class restartable_broker_test : public ::testing::Test {
 protected:
  void start(std::map<std::string, std::string> settings = {}) {
    broker_ = std::make_unique<broker_process>(std::move(settings));
    broker_->start();
    connect();
  }
  void connect() { client_ = std::make_unique<wire_client>(broker_->port()); }
  void restart_after_kill() {
    client_.reset();
    broker_->kill_hard();
    broker_->start();
    connect();
  }
  void TearDown() override {
    if (HasFailure() && broker_) std::cerr << "--- broker log (tail) ---\n" << broker_->log_tail() << "\n";
  }

  std::unique_ptr<broker_process> broker_;
  std::unique_ptr<wire_client> client_;
};

}  // namespace samsa::wire_test
