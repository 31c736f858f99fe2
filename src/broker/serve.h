// Entry point of `samsa serve`: loads the broker configuration and runs the
// broker until SIGTERM/SIGINT. The CLI parses flags and calls serve().
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace samsa::broker {

struct serve_options {
  std::optional<std::string> config_file;  // Java-style properties file (--config)
  std::vector<std::string> overrides;      // "key=value" pairs (--set), applied after the file and SAMSA_ env vars
  std::optional<std::string> port_file;    // if set, the bound port of the first listener is written here (tests use port 0)
};

// Runs the broker in the calling thread; returns the process exit code.
int serve(const serve_options& options);

}  // namespace samsa::broker
