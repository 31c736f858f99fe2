#include "cli/config_args.h"

#include "client/kafka_error.h"

namespace samsa::cli {

result<std::vector<std::pair<std::string, std::string>>> parse_pairs(const std::vector<std::string>& items,
                                                                     const std::string& flag,
                                                                     const std::string& example) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return client::make_usage_error(flag, "\"" + item + "\" is not name=value", "e.g. " + flag + " " + example);
    out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return out;
}

result<std::map<std::string, std::string>> parse_assignments(const std::vector<std::string>& items,
                                                             const std::string& flag, const std::string& example) {
  auto pairs = parse_pairs(items, flag, example);
  if (!pairs) return pairs.err();
  std::map<std::string, std::string> out;
  for (auto& [k, v] : *pairs) out[k] = v;
  return out;
}

}  // namespace samsa::cli
