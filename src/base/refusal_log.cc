#include "base/refusal_log.h"

#include <spdlog/spdlog.h>

#include <array>
#include <mutex>

#include "base/rate_window.h"

namespace samsa {

namespace {

constexpr uint32_t lines_per_second = 5;

struct kind_state {
  std::atomic<uint64_t> total{0};
  std::mutex mu;  // guards the window; taken only when logging is considered
  rate_window window{lines_per_second};
};

std::array<kind_state, static_cast<size_t>(refusal::count_)>& states() {
  static std::array<kind_state, static_cast<size_t>(refusal::count_)> all;
  return all;
}

}  // namespace

const char* refusal_name(refusal kind) {
  switch (kind) {
    case refusal::frame: return "malformed request";
    case refusal::unsupported: return "unsupported request";
    case refusal::connection: return "connection limit";
    case refusal::stalled: return "stalled connection";
    case refusal::tls: return "TLS handshake";
    case refusal::unauthenticated: return "unauthenticated request";
    case refusal::sasl: return "failed SASL authentication";
    case refusal::group_limit: return "group limit";
    case refusal::cross_origin: return "cross-origin HTTP request";
    case refusal::count_: break;
  }
  return "refusal";
}

void log_refusal(refusal kind, const std::string& message) {
  auto& s = states()[static_cast<size_t>(kind)];
  s.total.fetch_add(1, std::memory_order_relaxed);
  uint64_t left_out = 0;
  {
    std::lock_guard lock(s.mu);
    if (!s.window.admit(steady_second(), left_out)) return;
  }
  if (left_out > 0) {
    spdlog::warn("{} more refusal(s) of kind '{}' were not logged (at most {} lines per second)", left_out,
                 refusal_name(kind), lines_per_second);
  }
  spdlog::warn("{}", message);
}

uint64_t refusal_count(refusal kind) {
  return states()[static_cast<size_t>(kind)].total.load(std::memory_order_relaxed);
}

}  // namespace samsa
