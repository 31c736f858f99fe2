#include "registry/schema_record.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "base/json_depth.h"

namespace samsa::registry {

using nlohmann::json;

namespace {

json subject_json(const std::string& subject) { return subject.empty() ? json(nullptr) : json(subject); }

error bad_schema_record(const std::string& what) { return make_error(std::errc::bad_message, "_schemas record: " + what); }

std::optional<int32_t> int32_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  int64_t v = it->get<int64_t>();
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) return std::nullopt;
  return static_cast<int32_t>(v);
}

// A string field that may be absent (then `fallback`); nullopt when it is
// present with another type, so a crafted record is refused, never thrown on.
std::optional<std::string> string_field_or(const json& j, const char* name, std::string fallback) {
  auto it = j.find(name);
  if (it == j.end()) return fallback;
  if (!it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string subject_of(const json& j) {
  auto it = j.find("subject");
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

log_record encode_schema(const schema_entry& e) {
  json key = {{"keytype", "SCHEMA"}, {"subject", e.subject}, {"version", e.version}, {"magic", 1}};
  json refs = json::array();
  for (const auto& r : e.references) refs.push_back({{"name", r.name}, {"subject", r.subject}, {"version", r.version}});
  json value = {{"subject", e.subject}, {"version", e.version},   {"id", e.id},
                {"schemaType", std::string(type_name(e.type))}, {"schema", e.schema},
                {"references", refs},   {"deleted", e.deleted}};
  return {key.dump(), value.dump()};
}

log_record encode_schema_tombstone(const std::string& subject, int32_t version) {
  json key = {{"keytype", "SCHEMA"}, {"subject", subject}, {"version", version}, {"magic", 1}};
  return {key.dump(), std::nullopt};
}

log_record encode_config(const std::string& subject, const std::optional<std::string>& compatibility) {
  json key = {{"keytype", "CONFIG"}, {"subject", subject_json(subject)}, {"magic", 0}};
  if (!compatibility) return {key.dump(), std::nullopt};
  return {key.dump(), json{{"compatibilityLevel", *compatibility}}.dump()};
}

log_record encode_mode(const std::string& subject, const std::optional<std::string>& mode) {
  json key = {{"keytype", "MODE"}, {"subject", subject_json(subject)}, {"magic", 0}};
  if (!mode) return {key.dump(), std::nullopt};
  return {key.dump(), json{{"mode", *mode}}.dump()};
}

log_record encode_id_watermark(int32_t next_id) {
  json key = {{"keytype", "ID_WATERMARK"}, {"magic", 0}};
  return {key.dump(), json{{"next_id", next_id}}.dump()};
}

result<decoded_record> decode_record(const std::string& key_text, const std::optional<std::string>& value_text) {
  if (key_text.size() > max_schema_bytes || json_nests_deeper_than(key_text, 8)) return bad_schema_record("key too large or deep");
  json key = json::parse(key_text, nullptr, false);
  if (key.is_discarded() || !key.is_object()) return bad_schema_record("key is not a JSON object");
  auto kt = key.find("keytype");
  if (kt == key.end() || !kt->is_string()) return bad_schema_record("key has no keytype");
  std::string keytype = kt->get<std::string>();
  json value;
  if (value_text) {
    if (value_text->size() > 2 * max_schema_bytes || json_nests_deeper_than(*value_text, 16))
      return bad_schema_record("value too large or deep");
    value = json::parse(*value_text, nullptr, false);
    if (value.is_discarded() || !value.is_object()) return bad_schema_record("value is not a JSON object");
  }
  if (keytype == "SCHEMA") {
    schema_key k;
    k.subject = subject_of(key);
    auto version = int32_field(key, "version");
    if (k.subject.empty() || !version || *version < 1) return bad_schema_record("SCHEMA key without subject and version");
    k.version = *version;
    if (!value_text) return decoded_record(k);
    schema_entry e;
    e.subject = k.subject;
    e.version = k.version;
    auto id = int32_field(value, "id");
    if (!id || *id < 1) return bad_schema_record("SCHEMA value without a valid id");
    e.id = *id;
    auto type_name = string_field_or(value, "schemaType", "AVRO");
    if (!type_name) return bad_schema_record("schemaType is not a string");
    auto type = parse_type_name(*type_name);
    if (!type) return bad_schema_record("unknown schemaType");
    e.type = *type;
    auto s = value.find("schema");
    if (s == value.end() || !s->is_string()) return bad_schema_record("SCHEMA value without schema text");
    e.schema = s->get<std::string>();
    if (auto refs = value.find("references"); refs != value.end() && refs->is_array()) {
      for (const auto& r : *refs) {
        if (!r.is_object()) return bad_schema_record("malformed reference");
        schema_reference ref;
        ref.name = string_field_or(r, "name", "").value_or("");
        ref.subject = string_field_or(r, "subject", "").value_or("");
        auto rv = int32_field(r, "version");
        if (ref.name.empty() || ref.subject.empty() || !rv) return bad_schema_record("malformed reference");
        ref.version = *rv;
        e.references.push_back(std::move(ref));
      }
    }
    auto deleted = value.find("deleted");
    e.deleted = deleted != value.end() && deleted->is_boolean() && deleted->get<bool>();
    k.entry = std::move(e);
    return decoded_record(std::move(k));
  }
  if (keytype == "CONFIG") {
    config_key k;
    k.subject = subject_of(key);
    if (value_text) {
      auto level = value.find("compatibilityLevel");
      if (level == value.end() || !level->is_string()) return bad_schema_record("CONFIG value without compatibilityLevel");
      k.compatibility = level->get<std::string>();
    }
    return decoded_record(std::move(k));
  }
  if (keytype == "MODE") {
    mode_key k;
    k.subject = subject_of(key);
    if (value_text) {
      auto mode = value.find("mode");
      if (mode == value.end() || !mode->is_string()) return bad_schema_record("MODE value without mode");
      k.mode = mode->get<std::string>();
    }
    return decoded_record(std::move(k));
  }
  if (keytype == "ID_WATERMARK") {
    if (!value_text) return decoded_record(id_watermark{});
    auto next = int32_field(value, "next_id");
    if (!next || *next < 1) return bad_schema_record("ID_WATERMARK value without next_id");
    return decoded_record(id_watermark{*next});
  }
  return bad_schema_record("unknown keytype " + keytype);
}

}  // namespace samsa::registry
