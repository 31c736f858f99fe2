#include "cli/progress.h"

#include <cstdio>

#include <fmt/format.h>

namespace samsa::cli {

progress_bar::progress_bar(uint64_t total_bytes, bool enabled)
    : total_(total_bytes), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_draw_() {}

std::string progress_bar::render(uint64_t total, uint64_t done, uint64_t records, double seconds, int width) {
  double rate = seconds > 0 ? static_cast<double>(records) / seconds : 0.0;
  std::string text;
  if (total > 0) {
    double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    int filled = static_cast<int>(fraction * width);
    std::string bar = std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '.');
    double byte_rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
    double eta = byte_rate > 0 ? static_cast<double>(total - std::min(done, total)) / byte_rate : 0.0;
    text = fmt::format("[{}] {:3.0f}%  {} records  {:.0f} rec/s  ETA {:.0f}s", bar, fraction * 100, records, rate, eta);
  } else {
    text = fmt::format("{} records  {:.0f} rec/s", records, rate);
  }
  return text;
}

void progress_bar::update(uint64_t done, uint64_t records) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r%s\033[K", render(total_, done, records, seconds, 30).c_str());
}

void progress_bar::finish(uint64_t done, uint64_t records) {
  if (!enabled_) return;
  last_draw_ = {};
  update(done, records);
  std::fprintf(stderr, "\n");
}

}  // namespace samsa::cli
