// Column-aligned tables for human output. Headers are bold on a terminal.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/cli_context.h"

namespace samsa::cli {

class table {
 public:
  explicit table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  void print(std::ostream& out, const cli_context& ctx) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "1,2,3" for lists of ids.
std::string join_ints(const std::vector<int32_t>& v);
// "-" for unknown (-1) numbers.
std::string or_dash(int64_t v);

}  // namespace samsa::cli
