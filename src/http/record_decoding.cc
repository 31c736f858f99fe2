#include "http/record_decoding.h"

#include <span>

#include "base/json_depth.h"
#include "registry/value_codec.h"
#include "registry/wire_format.h"

namespace samsa::http {

using nlohmann::json;

const std::optional<registry::schema_directory::entry>& record_decoder::lookup(int32_t id) {
  if (auto it = seen_.find(id); it != seen_.end()) return it->second;
  if (seen_.size() >= max_cached) seen_.clear();
  return seen_.emplace(id, directory_->find(id)).first->second;
}

std::optional<json> record_decoder::describe(const std::string& bytes) {
  auto value = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (value.size() < 5 || value[0] != 0) return std::nullopt;  // not the wire format: shown as it is
  auto header = registry::read_wire_header(value);
  if (!header) return std::nullopt;
  json out{{"id", header->schema_id}};
  const auto& found = lookup(header->schema_id);
  if (!found) {
    out["note"] = "starts like a schema-registry record, but the registry has no schema " +
                  std::to_string(header->schema_id) + ": shown as it is";
    return out;
  }
  out["type"] = std::string(registry::type_name(found->type));
  json subjects = json::array();
  for (const auto& [subject, version] : found->subjects) subjects.push_back({{"subject", subject}, {"version", version}});
  out["subjects"] = std::move(subjects);
  if (!found->schema) {
    out["note"] = "schema " + std::to_string(found->id) + " no longer parses: shown as it is";
    return out;
  }
  auto decoded = registry::decode_value(*found->schema, value, header->payload_offset);
  json parsed = decoded ? parse_json_bounded<json>(*decoded) : json();
  if (!decoded || parsed.is_discarded()) {
    out["note"] = "not decoded with schema " + std::to_string(found->id) + ": " +
                  (decoded ? std::string("the decoder's output is not JSON") : decoded.err().message);
    return out;
  }
  out["decoded"] = std::move(parsed);
  return out;
}

void record_decoder::annotate(const read_record& r, json& j) {
  if (!directory_ || !directory_->attached()) return;
  if (r.key)
    if (auto d = describe(*r.key)) j["key_schema"] = std::move(*d);
  if (r.value)
    if (auto d = describe(*r.value)) j["value_schema"] = std::move(*d);
}

}  // namespace samsa::http
