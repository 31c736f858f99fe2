#include "broker/test_latch.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

namespace samsa::broker {

namespace {

const std::string& latch_path() {
  static const std::string path = [] {
    const char* value = std::getenv("SAMSA_TEST_HOLD_VALIDATION");
    return std::string(value ? value : "");
  }();
  return path;
}

}  // namespace

void wait_on_validation_latch() {
  const std::string& path = latch_path();
  if (path.empty()) return;
  auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (::access(path.c_str(), F_OK) == 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace samsa::broker
