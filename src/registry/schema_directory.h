// The embedded registry's schemas, readable in-process from other threads:
// what the console needs to decode a record in Confluent's wire format
// without a (blocking) REST call to its own registry. The registry attaches
// its state and holds mutex() whenever it changes that state; readers look
// an id up under the same mutex, briefly. Shared (shared_ptr) between the
// registry and its readers, so either may stop first: a detached directory
// finds nothing.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "registry/parsed_schema.h"
#include "registry/schema.h"

namespace samsa::registry {

class registry_state;

class schema_directory {
 public:
  struct entry {
    int32_t id = 0;
    schema_type type = schema_type::avro;
    std::optional<parsed_schema> schema;  // nullopt: stored, but it no longer parses
    std::vector<std::pair<std::string, int32_t>> subjects;  // (subject, version) of live versions using it
  };

  // nullopt: no registry attached, or no schema with that id.
  std::optional<entry> find(int32_t id) const;
  bool attached() const;

  // The registry's side: its state (on its own thread) and the lock it holds
  // while changing it.
  void attach(const registry_state* state);
  void detach() { attach(nullptr); }
  std::mutex& mutex() const { return mutex_; }

 private:
  mutable std::mutex mutex_;
  const registry_state* state_ = nullptr;
};

}  // namespace samsa::registry
