// Encodes JSON into Confluent's wire format and decodes it back, with the
// schemas fetched from a registry over its REST API (and cached per id):
// `samsa produce --value-schema FILE | --schema-id N` and
// `samsa consume --decode`.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "base/result.h"
#include "registry/parsed_schema.h"

namespace samsa::registry {

class schema_codec {
 public:
  schema_codec(std::string registry_url, std::chrono::milliseconds timeout)
      : url_(std::move(registry_url)), timeout_(timeout) {}

  // Registers `text` under `subject` (the registry answers the existing id
  // for a schema it has) and returns the id.
  result<int32_t> register_schema(const std::string& subject, schema_type type, const std::string& text);
  // JSON text -> magic byte, id, [message indexes,] payload. `message`: a
  // Protobuf message's full name ("" = the first).
  result<std::string> encode(int32_t id, const std::string& json_text, const std::string& message = "");
  // A record value in the wire format -> JSON text.
  result<std::string> decode(std::span<const uint8_t> value);

 private:
  result<const parsed_schema*> schema(int32_t id);
  result<std::string> get(const std::string& target);

  std::string url_;
  std::chrono::milliseconds timeout_;
  std::map<int32_t, parsed_schema> cache_;
};

}  // namespace samsa::registry
