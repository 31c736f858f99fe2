// Entry point of `samsa serve`: loads the broker configuration and runs the
// broker until SIGTERM/SIGINT. The CLI parses flags and calls serve().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::broker {

class api_table;
class broker_state;

// A service started beside the broker once its listeners are up (the HTTP
// console, src/http): it runs on its own threads and is stopped before the
// broker's storage closes.
class side_service {
 public:
  virtual ~side_service() = default;
  // Where it listens, for the start-up line ("" = not listening).
  virtual std::string url() const = 0;
  virtual void stop() = 0;
};

// Starts a side service, given the broker (what it reads, on the handler
// thread) and the api table (the Kafka requests it makes, as a client would).
using side_service_starter = std::function<result<std::unique_ptr<side_service>>(
    broker_state&, api_table&, const std::optional<std::string>& port_file)>;

struct serve_options {
  std::optional<std::string> config_file;  // Java-style properties file (--config)
  std::vector<std::string> overrides;      // "key=value" pairs (--set), applied after the file and SAMSA_ env vars
  std::optional<std::string> port_file;    // if set, the bound port of the first listener is written here (tests use port 0)
  // Starts the console (set by `samsa serve`; null = none). Given the port
  // file, writes the HTTP port to "<port_file>.http" itself.
  side_service_starter start_console;
  // Starts the Schema Registry (src/registry; null = none), like the console;
  // writes its port to "<port_file>.registry".
  side_service_starter start_registry;
  // Starts the HTTP REST proxy (src/proxy; null = none), after the registry;
  // writes its port to "<port_file>.proxy".
  side_service_starter start_proxy;
};

// Runs the broker in the calling thread; returns the process exit code.
int serve(const serve_options& options);

// Writes `port` to `path` through a temporary name and a rename, so a reader
// (a test, the tour) never sees half a number. Used for the Kafka and the
// console port files.
[[nodiscard]] status write_port_file(const std::string& path, uint16_t port);

}  // namespace samsa::broker
