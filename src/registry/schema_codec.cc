#include "registry/schema_codec.h"

#include <nlohmann/json.hpp>
#include <functional>
#include <limits>
#include <optional>
#include <set>

#include "base/json_depth.h"
#include "registry/rest_client.h"
#include "registry/value_codec.h"
#include "registry/wire_format.h"

namespace samsa::registry {

using nlohmann::json;

namespace {

std::string brief(const std::string& text) {
  std::string out = text.substr(0, 120);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return out + (text.size() > 120 ? "..." : "");
}

error unexpected(const std::string& what, const std::string& body) {
  return make_error(std::errc::bad_message, "schema registry: unexpected answer " + what + ": " + brief(body));
}

// The answer's body as a JSON object, or nullopt.
std::optional<json> object_of(const std::string& body) {
  json j = parse_json_bounded<json>(body);
  if (!j.is_object()) return std::nullopt;
  return j;
}

// Typed reads: nullopt when the field is absent or of another type.
std::optional<std::string> string_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}
std::optional<int32_t> int32_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned() ? it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())
                               : (it->get<int64_t>() < std::numeric_limits<int32_t>::min() ||
                                  it->get<int64_t>() > std::numeric_limits<int32_t>::max()))
    return std::nullopt;
  return static_cast<int32_t>(it->get<int64_t>());
}

error registry_error(const rest_answer& a) {
  auto j = object_of(a.body);
  std::string message = j ? string_field(*j, "message").value_or(brief(a.body)) : brief(a.body);
  if (j)
    if (auto code = int32_field(*j, "error_code")) message += " (error_code " + std::to_string(*code) + ")";
  // 401 and 403 are the credentials' fault (the caller's, when a proxy
  // passes them on), not a registry failure.
  // 422 is the schema (or version) itself refused as invalid.
  auto code = a.status == 404                      ? std::errc::no_such_file_or_directory
              : a.status == 401 || a.status == 403 ? std::errc::permission_denied
              : a.status == 422                    ? std::errc::invalid_argument
                                                   : std::errc::operation_not_permitted;
  return make_error(code, "schema registry: " + message);
}

}  // namespace

result<std::string> schema_codec::get(const std::string& target) {
  auto a = rest_call(url_, "GET", target, "", timeout_, authorization_);
  if (!a) return a.err();
  if (a->status != 200) return registry_error(*a);
  return a->body;
}

result<int32_t> schema_codec::register_schema(const std::string& subject, schema_type type, const std::string& text) {
  json body{{"schema", text}, {"schemaType", std::string(type_name(type))}};
  auto a = rest_call(url_, "POST", "/subjects/" + encode_path_segment(subject) + "/versions",
                     body.dump(-1, ' ', false, json::error_handler_t::replace), timeout_, authorization_);
  if (!a) return a.err();
  if (a->status != 200) return registry_error(*a);
  auto j = object_of(a->body);
  auto id = j ? int32_field(*j, "id") : std::nullopt;
  if (!id || *id < 0) return unexpected("to a registration (no 32-bit \"id\")", a->body);
  return *id;
}

result<const parsed_schema*> schema_codec::schema(int32_t id) {
  if (auto it = cache_.find(id); it != cache_.end()) return &it->second;
  std::string what = "for schema id " + std::to_string(id);
  auto body = get("/schemas/ids/" + std::to_string(id));
  if (!body) return body.err();
  auto j = object_of(*body);
  if (!j) return unexpected(what + " (not a JSON object)", *body);
  auto text = string_field(*j, "schema");
  if (!text) return unexpected(what + " (no \"schema\" string)", *body);
  auto type_text = j->contains("schemaType") ? string_field(*j, "schemaType") : std::optional<std::string>("AVRO");
  auto type = type_text ? parse_type_name(*type_text) : std::nullopt;
  if (!type) return unexpected(what + " (\"schemaType\" is not AVRO, JSON or PROTOBUF)", *body);
  // References, depth first (dependencies before what uses them), each once,
  // at most max_references in all: a registry answering references without
  // end cannot keep us fetching.
  std::vector<resolved_dependency> deps;
  std::set<std::pair<std::string, int>> seen;
  std::function<status(const json&, int)> resolve = [&](const json& holder, int depth) -> status {
    auto refs = holder.find("references");
    if (refs == holder.end() || refs->is_null()) return {};
    if (!refs->is_array()) return unexpected(what + " (\"references\" is not an array)", holder.dump());
    if (depth > 16) return make_error(std::errc::bad_message, "schema registry: references " + what + " nest more than 16 deep");
    for (const auto& r : *refs) {
      auto name = r.is_object() ? string_field(r, "name") : std::nullopt;
      auto subject = r.is_object() ? string_field(r, "subject") : std::nullopt;
      auto version = r.is_object() ? int32_field(r, "version") : std::nullopt;
      if (!name || !subject || !version) return unexpected(what + " (a reference without name, subject and version)", r.dump());
      if (!seen.insert({*subject, *version}).second) continue;
      if (seen.size() > max_references)
        return make_error(std::errc::bad_message, "schema registry: more than " + std::to_string(max_references) + " references " + what);
      auto ref_body = get("/subjects/" + encode_path_segment(*subject) + "/versions/" +
                          (*version < 0 ? std::string("latest") : std::to_string(*version)));
      if (!ref_body) return ref_body.err();
      auto rj = object_of(*ref_body);
      auto rtext = rj ? string_field(*rj, "schema") : std::nullopt;
      if (!rtext) return unexpected("for reference " + *subject + " (no \"schema\" string)", *ref_body);
      if (auto s = resolve(*rj, depth + 1); !s) return s;
      auto rtype_text = rj->contains("schemaType") ? string_field(*rj, "schemaType") : std::optional<std::string>("AVRO");
      auto rtype = rtype_text ? parse_type_name(*rtype_text) : std::nullopt;
      if (!rtype) return unexpected("for reference " + *subject + " (bad \"schemaType\")", *ref_body);
      deps.push_back({*name, *rtype, *rtext});
    }
    return {};
  };
  if (auto s = resolve(*j, 0); !s) return s.err();
  auto parsed = parse_schema(*type, *text, deps);
  if (!parsed)
    return make_error(std::errc::bad_message,
                      "schema registry: schema id " + std::to_string(id) + " does not parse: " + parsed.err().message);
  size_t text_bytes = text->size();
  for (const auto& d : deps) text_bytes += d.text.size();
  if (cache_.size() >= max_cached_schemas || cached_text_bytes_ + text_bytes > max_cached_text_bytes_) {
    cache_.clear();
    cached_text_bytes_ = 0;
  }
  cached_text_bytes_ += text_bytes;
  return &cache_.emplace(id, std::move(*parsed)).first->second;
}

result<std::string> schema_codec::encode(int32_t id, const std::string& json_text, const std::string& message) {
  auto s = schema(id);
  if (!s) return s.err();
  return encode_value(**s, id, json_text, message);
}

result<std::string> schema_codec::decode(std::span<const uint8_t> value, avro::json_style avro_style) {
  auto header = read_wire_header(value);
  if (!header) return header.err();
  auto s = schema(header->schema_id);
  if (!s) return s.err();
  return decode_value(**s, value, header->payload_offset, avro_style);
}

}  // namespace samsa::registry
