#include "registry/value_codec.h"

#include <nlohmann/json.hpp>

#include "base/json_depth.h"
#include "registry/avro_json.h"
#include "registry/json_validate.h"
#include "registry/wire_format.h"

namespace samsa::registry {

using nlohmann::json;

namespace {

// The Avro and JSON Schema walks recurse over the value: refuse deep
// nesting before parsing.
constexpr int max_value_depth = avro::max_depth;

result<json> parse_value(const std::string& text) {
  if (text.size() > max_value_json_bytes)
    return make_error(std::errc::invalid_argument, "the value is larger than " + std::to_string(max_value_json_bytes >> 20) + " MiB");
  if (json_nests_deeper_than(text, max_value_depth))
    return make_error(std::errc::invalid_argument, "the value nests more than " + std::to_string(max_value_depth) + " deep");
  json v = json::parse(text, nullptr, false);
  if (v.is_discarded()) return make_error(std::errc::invalid_argument, "not JSON: " + text.substr(0, 80));
  return v;
}

std::string dump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

result<std::string> encode_value(const parsed_schema& s, int32_t id, const std::string& json_text,
                                 const std::string& message) {
  std::string out = wire_prefix(id);
  auto refuse = [&](const error& e) {
    return make_error(std::errc::invalid_argument,
                      "the value does not fit schema " + std::to_string(id) + " (" + std::string(type_name(s.type())) +
                          "): " + e.message);
  };
  switch (s.type()) {
    case schema_type::avro: {
      auto v = parse_value(json_text);
      if (!v) return v.err();
      auto bytes = avro::encode_from_json(*s.as_avro(), *v);
      if (!bytes) return refuse(bytes.err());
      return out + *bytes;
    }
    case schema_type::json: {
      auto v = parse_value(json_text);
      if (!v) return v.err();
      if (auto st = json_schema::validate_value(*s.as_json(), *v); !st) return refuse(st.err());
      return out + dump(*v);
    }
    case schema_type::protobuf: {
      if (json_text.size() > max_value_json_bytes || json_nests_deeper_than(json_text, max_value_depth))
        return make_error(std::errc::invalid_argument, "the value is too large or nests too deeply");
      std::vector<int32_t> indexes;
      auto bytes = protobuf_encode(*s.as_protobuf(), message, json_text, indexes);
      if (!bytes) return refuse(bytes.err());
      return out + message_indexes(indexes) + *bytes;
    }
  }
  return make_error(std::errc::invalid_argument, "unknown schema type");
}

result<std::string> decode_value(const parsed_schema& s, std::span<const uint8_t> value, size_t payload_offset,
                                 avro::json_style avro_style) {
  if (payload_offset > value.size()) return make_error(std::errc::bad_message, "the value is shorter than its header");
  size_t offset = payload_offset;
  switch (s.type()) {
    case schema_type::avro: {
      auto v = avro::decode_to_json(*s.as_avro(), value.subspan(offset), avro_style);
      if (!v) return v.err();
      return v->dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    }
    case schema_type::json: {
      std::string text(reinterpret_cast<const char*>(value.data() + offset), value.size() - offset);
      if (json_nests_deeper_than(text, max_value_depth)) return make_error(std::errc::bad_message, "the payload nests too deeply");
      json v = json::parse(text, nullptr, false);
      if (v.is_discarded()) return make_error(std::errc::bad_message, "the payload is not JSON");
      return dump(v);
    }
    case schema_type::protobuf: {
      auto indexes = read_message_indexes(value, offset);
      if (!indexes) return indexes.err();
      return protobuf_decode(*s.as_protobuf(), *indexes, value.subspan(offset));
    }
  }
  return make_error(std::errc::bad_message, "unknown schema type");
}

}  // namespace samsa::registry
