// The Schema Registry inside `samsa serve`: `_schemas` in the broker's own
// partition, the REST API on schema.registry.listeners. Started by serve()
// through serve_options::start_registry once the broker's listeners are up.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "broker/serve.h"
#include "registry/schema_directory.h"

namespace samsa::broker {
class api_table;
class broker_state;
}  // namespace samsa::broker

namespace samsa::registry {

// Null when schema.registry.listeners=none (or its default port is busy,
// which only warns). Writes the port to "<port_file>.registry". With a
// `directory`, the registry's schemas are readable through it in-process
// (the console decodes records with them).
result<std::unique_ptr<broker::side_service>> start_embedded_registry(
    broker::broker_state& broker, broker::api_table& apis, const std::optional<std::string>& port_file,
    std::shared_ptr<schema_directory> directory = nullptr);

}  // namespace samsa::registry
