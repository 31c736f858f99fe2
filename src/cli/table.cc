#include "cli/table.h"

#include <algorithm>

namespace samsa::cli {
namespace {

// Display width: count UTF-8 code points, not bytes, so "—" lines up.
size_t width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

void table::print(std::ostream& out, const cli_context& ctx) const {
  std::vector<size_t> widths(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) widths[i] = width(headers_[i]);
  for (const auto& r : rows_) {
    for (size_t i = 0; i < r.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], width(r[i]));
  }
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string text;
    for (size_t i = 0; i < widths.size(); ++i) {
      std::string cell = i < cells.size() ? cells[i] : "";
      bool last = i + 1 == widths.size();
      if (!last) cell += std::string(widths[i] - width(cell) + 2, ' ');
      text += cell;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << (header ? bold(ctx, text) : text) << "\n";
  };
  line(headers_, true);
  for (const auto& r : rows_) line(r, false);
}

std::string join_ints(const std::vector<int32_t>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out;
}

std::string or_dash(int64_t v) { return v < 0 ? "-" : std::to_string(v); }

}  // namespace samsa::cli
