// The console: the broker's HTTP listener (http.listeners) serving the page,
// /metrics and /api/v1. Started by `samsa serve` through
// broker::serve_options::start_console.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "broker/serve.h"

namespace samsa::broker {
class api_table;
class broker_state;
}  // namespace samsa::broker

namespace samsa::registry {
class schema_directory;
}

namespace samsa::http {

struct console_settings {
  // "http://127.0.0.1:8080" by default; nullopt = `none` (off).
  std::optional<std::string> listener = "http://127.0.0.1:8080";
  // Whether the setting was given (a busy default port only warns; a busy
  // chosen one stops the start).
  bool listener_explicit = false;
  // Produce (and topic creation) from the page or API.
  bool write_enabled = false;
  // How often each group's lag is sampled for its lag history
  // (http.lag.sample.ms, 100 ms .. 1 h).
  int64_t lag_sample_ms = 5000;
};

// http.listeners / http.write.enabled from the broker's settings.
result<console_settings> console_settings_from(const std::map<std::string, std::string>& raw);

// `schemas`: the embedded Schema Registry's schemas (null = none), with which
// the message browser and search decode records in Confluent's wire format.
result<std::unique_ptr<broker::side_service>> start_console(
    broker::broker_state& broker, broker::api_table& apis, const std::optional<std::string>& port_file,
    std::shared_ptr<const registry::schema_directory> schemas = nullptr);

}  // namespace samsa::http
