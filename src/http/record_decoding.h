// Schema-registry records in the console: a key or value in Confluent's wire
// format (magic byte 0, a 4-byte schema id) is decoded with the embedded
// registry's schema, looked up in-process (registry::schema_directory, no
// REST call), and shown as JSON beside the raw bytes:
//   "value_schema": {"id", "type", "subjects": [{subject, version}], "decoded": <JSON>}
// An id the registry does not know, or a payload that does not decode, gets
// a "note" instead of "decoded" and the raw bytes stay as they are: never an
// error for the page. Nothing is added when the registry is off.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "http/partition_records.h"
#include "registry/schema_directory.h"

namespace samsa::http {

class record_decoder {
 public:
  // `directory`: null (or detached) when the registry is off or not embedded.
  explicit record_decoder(const registry::schema_directory* directory) : directory_(directory) {}

  // Adds "key_schema" / "value_schema" to `j` (a record as record_json
  // writes it) for a key / value in the wire format.
  void annotate(const read_record& r, nlohmann::json& j);

 private:
  static constexpr size_t max_cached = 256;

  std::optional<nlohmann::json> describe(const std::string& bytes);
  const std::optional<registry::schema_directory::entry>& lookup(int32_t id);

  const registry::schema_directory* directory_;
  // Ids looked up for this reply (or stream): a page of records with one
  // schema takes the directory's lock once.
  std::map<int32_t, std::optional<registry::schema_directory::entry>> seen_;
};

}  // namespace samsa::http
