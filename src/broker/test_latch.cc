#include "broker/test_latch.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

namespace samsa::broker {

namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return std::string(value ? value : "");
}

void wait_while_exists(const std::string& path) {
  if (path.empty()) return;
  auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (::access(path.c_str(), F_OK) == 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

void wait_on_validation_latch() {
  static const std::string path = env_or_empty("SAMSA_TEST_HOLD_VALIDATION");
  wait_while_exists(path);
}

void wait_on_topic_config_latch() {
  static const std::string path = env_or_empty("SAMSA_TEST_HOLD_TOPIC_CONFIG");
  wait_while_exists(path);
}

void wait_on_internal_topic_latch() {
  static const std::string path = env_or_empty("SAMSA_TEST_HOLD_INTERNAL_TOPIC");
  wait_while_exists(path);
}

void wait_on_delete_records_latch() {
  static const std::string path = env_or_empty("SAMSA_TEST_HOLD_DELETE_RECORDS");
  wait_while_exists(path);
}

void wait_on_handler_latch(std::string_view client_id) {
  static const std::string path = env_or_empty("SAMSA_TEST_HOLD_HANDLER");
  if (!path.empty() && client_id == handler_latch_client_id) wait_while_exists(path);
}

void wait_on_append_latch() {
  static const std::string path = env_or_empty("SAMSA_TEST_HOLD_APPEND");
  wait_while_exists(path);
}

}  // namespace samsa::broker
