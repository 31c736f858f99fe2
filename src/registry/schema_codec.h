// Encodes JSON into Confluent's wire format and decodes it back, with the
// schemas fetched from a registry over its REST API (and cached per id):
// `samsa produce --value-schema FILE | --schema-id N` and
// `samsa consume --decode`. Encoding validates the value against the schema
// (value_codec) and refuses what does not fit, naming the JSON path.
//
// The registry's answers are not trusted: every field is type-checked, an
// answer that is not what the API documents is a clear error (never an
// exception), answers are size-bounded (rest_client) and so is the cache.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "base/result.h"
#include "registry/avro_json.h"
#include "registry/parsed_schema.h"

namespace samsa::registry {

class schema_codec {
 public:
  // Schemas kept per id; past this many, or past this much schema text
  // (references included), the cache starts over (a topic naming ids without
  // end cannot grow it without bound). limit_cache() lowers the text bound.
  static constexpr size_t max_cached_schemas = 1000;
  static constexpr size_t default_cached_text_bytes = size_t{64} << 20;

  // `authorization`: the Authorization header each request to the registry
  // carries (none when empty), for a registry that requires credentials.
  schema_codec(std::string registry_url, std::chrono::milliseconds timeout, std::string authorization = {})
      : url_(std::move(registry_url)), timeout_(timeout), authorization_(std::move(authorization)) {}

  void limit_cache(size_t text_bytes) { max_cached_text_bytes_ = text_bytes; }

  // Registers `text` under `subject` (the registry answers the existing id
  // for a schema it has) and returns the id.
  result<int32_t> register_schema(const std::string& subject, schema_type type, const std::string& text);
  // JSON text -> magic byte, id, [message indexes,] payload. `message`: a
  // Protobuf message's full name ("" = the first). A value that does not fit
  // the schema is refused (std::errc::invalid_argument, the path named).
  result<std::string> encode(int32_t id, const std::string& json_text, const std::string& message = "");
  // A record value in the wire format -> JSON text (Avro: the Avro JSON
  // encoding; `avro_style` plain only for the PostgreSQL sink).
  result<std::string> decode(std::span<const uint8_t> value, avro::json_style avro_style = avro::json_style::spec);

 private:
  result<const parsed_schema*> schema(int32_t id);
  result<std::string> get(const std::string& target);

  std::string url_;
  std::chrono::milliseconds timeout_;
  std::string authorization_;
  std::map<int32_t, parsed_schema> cache_;
  size_t cached_text_bytes_ = 0;
  size_t max_cached_text_bytes_ = default_cached_text_bytes;
};

}  // namespace samsa::registry
