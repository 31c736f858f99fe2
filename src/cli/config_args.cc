#include "cli/config_args.h"

#include "client/kafka_error.h"

namespace samsa::cli {

result<std::map<std::string, std::string>> parse_assignments(const std::vector<std::string>& items,
                                                             const std::string& flag) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return client::make_usage_error(flag, "\"" + item + "\" is not name=value", "e.g. " + flag + " retention.ms=60000");
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

}  // namespace samsa::cli
