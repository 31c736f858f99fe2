// The records of the `_schemas` topic: a JSON key naming what the record
// is about, and a JSON value (null = a tombstone, which compaction keeps
// until it removes the key). The layout follows Confluent's (keytype
// SCHEMA / CONFIG / MODE), plus our ID_WATERMARK: the next id to hand out,
// written before a schema with a new id, so ids are never reused even when
// compaction removes every record of a permanently deleted schema.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"
#include "registry/schema.h"

namespace samsa::registry {

struct log_record {
  std::string key;
  std::optional<std::string> value;  // nullopt = tombstone
};

struct schema_entry {
  std::string subject;
  int32_t version = 0;
  int32_t id = 0;
  schema_type type = schema_type::avro;
  std::string schema;
  std::vector<schema_reference> references;
  bool deleted = false;
};

// Decoded records. `subject` empty = the global setting.
struct schema_key {
  std::string subject;
  int32_t version = 0;
  std::optional<schema_entry> entry;  // nullopt = permanently deleted
};
struct config_key {
  std::string subject;
  std::optional<std::string> compatibility;  // nullopt = setting removed
};
struct mode_key {
  std::string subject;
  std::optional<std::string> mode;
};
struct id_watermark {
  int32_t next_id = 1;
};
using decoded_record = std::variant<schema_key, config_key, mode_key, id_watermark>;

log_record encode_schema(const schema_entry& entry);
log_record encode_schema_tombstone(const std::string& subject, int32_t version);
log_record encode_config(const std::string& subject, const std::optional<std::string>& compatibility);
log_record encode_mode(const std::string& subject, const std::optional<std::string>& mode);
log_record encode_id_watermark(int32_t next_id);

// Errors for anything malformed (replay skips such records and says so).
result<decoded_record> decode_record(const std::string& key, const std::optional<std::string>& value);

}  // namespace samsa::registry
