#include "registry/schema_codec.h"

#include <nlohmann/json.hpp>
#include <functional>
#include <set>

#include "registry/avro_schema.h"
#include "registry/protobuf_schema.h"
#include "registry/rest_client.h"
#include "registry/wire_format.h"

namespace samsa::registry {

using nlohmann::json;

namespace {

error registry_error(const rest_answer& a) {
  json j = json::parse(a.body, nullptr, false);
  std::string message = j.is_object() ? j.value("message", a.body) : a.body;
  auto code = a.status == 404 ? std::errc::no_such_file_or_directory : std::errc::operation_not_permitted;
  return make_error(code, "schema registry: " + message);
}

}  // namespace

result<std::string> schema_codec::get(const std::string& target) {
  auto a = rest_call(url_, "GET", target, "", timeout_);
  if (!a) return a.err();
  if (a->status != 200) return registry_error(*a);
  return a->body;
}

result<int32_t> schema_codec::register_schema(const std::string& subject, schema_type type, const std::string& text) {
  json body{{"schema", text}, {"schemaType", std::string(type_name(type))}};
  auto a = rest_call(url_, "POST", "/subjects/" + encode_path_segment(subject) + "/versions", body.dump(), timeout_);
  if (!a) return a.err();
  if (a->status != 200) return registry_error(*a);
  json j = json::parse(a->body, nullptr, false);
  if (!j.is_object() || !j.contains("id") || !j["id"].is_number_integer())
    return make_error(std::errc::bad_message, "schema registry: unexpected answer " + a->body);
  return j["id"].get<int32_t>();
}

result<const parsed_schema*> schema_codec::schema(int32_t id) {
  if (auto it = cache_.find(id); it != cache_.end()) return &it->second;
  auto body = get("/schemas/ids/" + std::to_string(id));
  if (!body) return body.err();
  json j = json::parse(*body, nullptr, false);
  if (!j.is_object() || !j.contains("schema")) return make_error(std::errc::bad_message, "schema registry: unexpected answer for id " + std::to_string(id));
  auto type = parse_type_name(j.value("schemaType", std::string("AVRO")));
  if (!type) return make_error(std::errc::bad_message, "schema registry: unknown schemaType for id " + std::to_string(id));
  // References, depth first (dependencies before what uses them), each once.
  std::vector<resolved_dependency> deps;
  std::set<std::pair<std::string, int>> seen;
  std::function<status(const json&, int)> resolve = [&](const json& refs, int depth) -> status {
    if (!refs.is_array()) return {};
    if (depth > 16) return make_error(std::errc::bad_message, "references nest too deeply");
    for (const auto& r : refs) {
      std::string subject = r.value("subject", std::string());
      int version = r.value("version", -1);
      if (!seen.insert({subject, version}).second) continue;
      auto ref_body = get("/subjects/" + encode_path_segment(subject) + "/versions/" +
                          (version < 0 ? std::string("latest") : std::to_string(version)));
      if (!ref_body) return ref_body.err();
      json rj = json::parse(*ref_body, nullptr, false);
      if (!rj.is_object()) return make_error(std::errc::bad_message, "schema registry: bad answer for " + subject);
      if (auto s = resolve(rj.value("references", json::array()), depth + 1); !s) return s;
      auto rtype = parse_type_name(rj.value("schemaType", std::string("AVRO")));
      deps.push_back({r.value("name", std::string()), rtype.value_or(*type), rj.value("schema", std::string())});
    }
    return {};
  };
  if (auto s = resolve(j.value("references", json::array()), 0); !s) return s.err();
  auto parsed = parse_schema(*type, j["schema"].get<std::string>(), deps);
  if (!parsed) return make_error(std::errc::bad_message, "schema id " + std::to_string(id) + ": " + parsed.err().message);
  return &cache_.emplace(id, std::move(*parsed)).first->second;
}

result<std::string> schema_codec::encode(int32_t id, const std::string& json_text, const std::string& message) {
  auto s = schema(id);
  if (!s) return s.err();
  std::string out = wire_prefix(id);
  switch ((*s)->type()) {
    case schema_type::avro: {
      json v = json::parse(json_text, nullptr, false);
      if (v.is_discarded()) return make_error(std::errc::invalid_argument, "not JSON: " + json_text.substr(0, 80));
      auto bytes = avro_encode(*(*s)->as_avro(), v);
      if (!bytes) return bytes.err();
      return out + *bytes;
    }
    case schema_type::json: {
      json v = json::parse(json_text, nullptr, false);
      if (v.is_discarded()) return make_error(std::errc::invalid_argument, "not JSON: " + json_text.substr(0, 80));
      return out + v.dump();
    }
    case schema_type::protobuf: {
      std::vector<int32_t> indexes;
      auto bytes = protobuf_encode(*(*s)->as_protobuf(), message, json_text, indexes);
      if (!bytes) return bytes.err();
      return out + message_indexes(indexes) + *bytes;
    }
  }
  return make_error(std::errc::invalid_argument, "unknown schema type");
}

result<std::string> schema_codec::decode(std::span<const uint8_t> value) {
  auto header = read_wire_header(value);
  if (!header) return header.err();
  auto s = schema(header->schema_id);
  if (!s) return s.err();
  size_t offset = header->payload_offset;
  switch ((*s)->type()) {
    case schema_type::avro: {
      auto v = avro_decode(*(*s)->as_avro(), value.subspan(offset));
      if (!v) return v.err();
      return v->dump();
    }
    case schema_type::json: {
      std::string text(reinterpret_cast<const char*>(value.data() + offset), value.size() - offset);
      json v = json::parse(text, nullptr, false);
      if (v.is_discarded()) return make_error(std::errc::bad_message, "the payload is not JSON");
      return v.dump();
    }
    case schema_type::protobuf: {
      auto indexes = read_message_indexes(value, offset);
      if (!indexes) return indexes.err();
      return protobuf_decode(*(*s)->as_protobuf(), *indexes, value.subspan(offset));
    }
  }
  return make_error(std::errc::bad_message, "unknown schema type");
}

}  // namespace samsa::registry
