#include "proxy/proxy_body.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/json_depth.h"
#include "security/sasl/crypto.h"

namespace samsa::proxy {

using json = nlohmann::json;

namespace {

problem unprocessable(std::string message) { return problem{422, codes::unprocessable, std::move(message)}; }
problem malformed(std::string message) { return problem{400, codes::bad_request, std::move(message)}; }

// Bodies nest a few levels: deeper input is refused before nlohmann recurses
// into it, far below the services' general bound (base/json_depth.h).
constexpr int max_depth = 64;

bool too_deep(std::string_view text) { return json_nests_deeper_than(text, max_depth); }

outcome<json> parse_object(std::string_view body) {
  if (too_deep(body)) return malformed("the body nests deeper than " + std::to_string(max_depth) + " levels");
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) return malformed("the body is not JSON");
  if (!j.is_object()) return unprocessable("the body must be a JSON object");
  return j;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The media type without parameters, lower case.
std::string media_type(std::string_view content_type) {
  size_t semi = content_type.find(';');
  return lower(trim(content_type.substr(0, semi)));
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::strict); }

// A JSON integer in [lo, hi], or a decimal string holding one (Confluent's
// bodies take both for some fields).
std::optional<int64_t> integer(const json& j, int64_t lo, int64_t hi) {
  int64_t v = 0;
  if (j.is_number_integer()) {
    if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return std::nullopt;
    v = j.get<int64_t>();
  } else {
    return std::nullopt;
  }
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

// binary: base64 text -> bytes; json: the value's text; schema formats: the
// value's text too (encoded later with the schema).
outcome<std::optional<std::string>> embedded_value(const json& j, format f, const char* what, size_t index) {
  if (j.is_null()) return std::optional<std::string>();
  if (f == format::binary) {
    if (!j.is_string())
      return unprocessable(std::string("records[") + std::to_string(index) + "]." + what +
                           ": binary data must be a base64 string");
    auto bytes = sasl::base64_decode(j.get_ref<const std::string&>());
    if (!bytes)
      return unprocessable(std::string("records[") + std::to_string(index) + "]." + what + ": not valid base64");
    return std::optional<std::string>(std::string(bytes->begin(), bytes->end()));
  }
  try {
    return std::optional<std::string>(dump(j));
  } catch (const json::exception&) {
    return unprocessable(std::string("records[") + std::to_string(index) + "]." + what + ": invalid UTF-8");
  }
}

outcome<v2_schema> schema_fields(const json& body, const char* text_key, const char* id_key) {
  v2_schema s;
  if (auto it = body.find(text_key); it != body.end() && !it->is_null()) {
    if (!it->is_string()) return unprocessable(std::string(text_key) + " must be a string (the schema's text)");
    s.text = it->get<std::string>();
  }
  if (auto it = body.find(id_key); it != body.end() && !it->is_null()) {
    auto v = integer(*it, 0, std::numeric_limits<int32_t>::max());
    if (!v) return unprocessable(std::string(id_key) + " must be a schema id (a non-negative integer)");
    s.id = static_cast<int32_t>(*v);
  }
  return s;
}

}  // namespace

std::string_view format_name(format f) {
  switch (f) {
    case format::binary: return "binary";
    case format::json: return "json";
    case format::avro: return "avro";
    case format::jsonschema: return "jsonschema";
    case format::protobuf: return "protobuf";
  }
  return "binary";
}

std::optional<format> parse_format_name(std::string_view name) {
  for (format f : {format::binary, format::json, format::avro, format::jsonschema, format::protobuf})
    if (name == format_name(f)) return f;
  return std::nullopt;
}

bool uses_schema(format f) { return f == format::avro || f == format::jsonschema || f == format::protobuf; }

std::optional<format> v2_produce_format(std::string_view content_type) {
  std::string t = media_type(content_type);
  constexpr std::string_view prefix = "application/vnd.kafka.";
  constexpr std::string_view suffix = ".v2+json";
  if (t.size() <= prefix.size() + suffix.size() || !t.starts_with(prefix) || !t.ends_with(suffix)) return std::nullopt;
  return parse_format_name(std::string_view(t).substr(prefix.size(), t.size() - prefix.size() - suffix.size()));
}

bool v2_plain_type(std::string_view content_type) {
  std::string t = media_type(content_type);
  return t.empty() || t == "application/vnd.kafka.v2+json" || t == "application/json";
}

bool v3_json_type(std::string_view content_type) { return media_type(content_type) == "application/json"; }

outcome<v2_produce_body> parse_v2_produce(std::string_view body, format f, const body_limits& limits) {
  auto j = parse_object(body);
  if (!j) return j.error();
  v2_produce_body out;
  auto records = j->find("records");
  if (records == j->end() || !records->is_array()) return unprocessable("records must be a list of records");
  if (records->empty()) return unprocessable("records may not be empty");
  if (records->size() > limits.max_records)
    return problem{413, codes::payload_too_large,
                   "at most " + std::to_string(limits.max_records) + " records per request, got " +
                       std::to_string(records->size())};
  auto key_schema = schema_fields(*j, "key_schema", "key_schema_id");
  if (!key_schema) return key_schema.error();
  auto value_schema = schema_fields(*j, "value_schema", "value_schema_id");
  if (!value_schema) return value_schema.error();
  out.key_schema = *key_schema;
  out.value_schema = *value_schema;
  bool any_key = false;
  bool any_value = false;
  for (size_t i = 0; i < records->size(); ++i) {
    const json& r = (*records)[i];
    if (!r.is_object()) return unprocessable("records[" + std::to_string(i) + "] must be an object");
    v2_record rec;
    if (auto it = r.find("key"); it != r.end()) {
      auto k = embedded_value(*it, f, "key", i);
      if (!k) return k.error();
      rec.key = std::move(*k);
    }
    if (auto it = r.find("value"); it != r.end()) {
      auto v = embedded_value(*it, f, "value", i);
      if (!v) return v.error();
      rec.value = std::move(*v);
    }
    if (auto it = r.find("partition"); it != r.end() && !it->is_null()) {
      auto p = integer(*it, 0, std::numeric_limits<int32_t>::max());
      if (!p) return unprocessable("records[" + std::to_string(i) + "].partition must be a partition number");
      rec.partition = static_cast<int32_t>(*p);
    }
    any_key = any_key || rec.key.has_value();
    any_value = any_value || rec.value.has_value();
    out.records.push_back(std::move(rec));
  }
  if (uses_schema(f)) {
    if (any_key && !out.key_schema.given())
      return problem{422, codes::key_schema_missing, "Request includes keys but does not include key schema"};
    if (any_value && !out.value_schema.given())
      return problem{422, codes::value_schema_missing, "Request includes values but does not include value schema"};
  }
  return out;
}

namespace {

outcome<std::optional<v3_data>> v3_data_of(const json& j, const char* what) {
  if (j.is_null()) return std::optional<v3_data>();
  if (!j.is_object()) return malformed(std::string(what) + " must be an object {\"type\", \"data\"}");
  v3_data d;
  if (auto it = j.find("schema_id"); it != j.end() && !it->is_null()) {
    auto v = integer(*it, 0, std::numeric_limits<int32_t>::max());
    if (!v) return malformed(std::string(what) + ".schema_id must be a schema id");
    d.schema_id = static_cast<int32_t>(*v);
  }
  if (auto it = j.find("type"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return malformed(std::string(what) + ".type must be a string");
    d.type = it->get<std::string>();
    for (char& c : d.type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  } else {
    d.type = d.schema_id ? "" : "JSON";  // a schema id alone: the schema's own type decides
  }
  static const std::vector<std::string> types = {"BINARY", "JSON", "STRING", "AVRO", "JSONSCHEMA", "PROTOBUF", ""};
  if (std::find(types.begin(), types.end(), d.type) == types.end())
    return malformed(std::string(what) + ".type: BINARY, JSON, STRING, AVRO, JSONSCHEMA or PROTOBUF, got " + d.type);
  const bool schema_type = d.type == "AVRO" || d.type == "JSONSCHEMA" || d.type == "PROTOBUF" || d.type.empty();
  if (schema_type && !d.schema_id) return malformed(std::string(what) + ": " + (d.type.empty() ? "a schema" : d.type) + " data needs a schema_id");
  if (!schema_type && d.schema_id) return malformed(std::string(what) + ": schema_id goes with AVRO, JSONSCHEMA or PROTOBUF");
  auto data = j.find("data");
  if (data == j.end() || data->is_null()) return std::optional<v3_data>(std::move(d));
  if (d.type == "BINARY") {
    if (!data->is_string()) return malformed(std::string(what) + ".data: BINARY data is a base64 string");
    auto bytes = sasl::base64_decode(data->get_ref<const std::string&>());
    if (!bytes) return malformed(std::string(what) + ".data: not valid base64");
    d.bytes = std::string(bytes->begin(), bytes->end());
  } else if (d.type == "STRING") {
    if (!data->is_string()) return malformed(std::string(what) + ".data: STRING data is a string");
    d.bytes = data->get<std::string>();
  } else {
    try {
      d.bytes = dump(*data);
    } catch (const json::exception&) {
      return malformed(std::string(what) + ".data: invalid UTF-8");
    }
  }
  return std::optional<v3_data>(std::move(d));
}

}  // namespace

outcome<v3_record> parse_v3_record(std::string_view text) {
  auto j = parse_object(text);
  if (!j) return problem{400, codes::bad_request, j.error().message};
  v3_record r;
  if (auto it = j->find("partition_id"); it != j->end() && !it->is_null()) {
    auto p = integer(*it, 0, std::numeric_limits<int32_t>::max());
    if (!p) return malformed("partition_id must be a partition number");
    r.partition = static_cast<int32_t>(*p);
  }
  if (auto it = j->find("headers"); it != j->end() && !it->is_null()) {
    if (!it->is_array()) return malformed("headers must be a list of {\"name\", \"value\"}");
    if (it->size() > 1000) return malformed("at most 1000 headers per record");
    for (const auto& h : *it) {
      if (!h.is_object() || !h.contains("name") || !h["name"].is_string())
        return malformed("each header needs a string name");
      v3_header out{h["name"].get<std::string>(), std::nullopt};
      if (auto v = h.find("value"); v != h.end() && !v->is_null()) {
        if (!v->is_string()) return malformed("header " + out.name + ": the value is base64 text");
        auto bytes = sasl::base64_decode(v->get_ref<const std::string&>());
        if (!bytes) return malformed("header " + out.name + ": the value is not valid base64");
        out.value = std::string(bytes->begin(), bytes->end());
      }
      r.headers.push_back(std::move(out));
    }
  }
  for (const char* what : {"key", "value"}) {
    auto it = j->find(what);
    if (it == j->end()) continue;
    auto d = v3_data_of(*it, what);
    if (!d) return d.error();
    (std::string_view(what) == "key" ? r.key : r.value) = std::move(*d);
  }
  if (auto it = j->find("timestamp"); it != j->end() && !it->is_null()) {
    if (!it->is_string()) return malformed("timestamp must be an ISO-8601 time (2026-12-04T01:02:03Z)");
    auto ms = parse_iso8601_utc(it->get_ref<const std::string&>());
    if (!ms) return malformed("timestamp must be an ISO-8601 time in UTC (2026-12-04T01:02:03Z)");
    r.timestamp_ms = *ms;
  }
  return r;
}

std::optional<int64_t> parse_iso8601_utc(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fff...](Z|+00:00)
  auto digits = [&](size_t at, size_t n) -> std::optional<int> {
    if (at + n > t.size()) return std::nullopt;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2), hour = digits(11, 2), minute = digits(14, 2),
       second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || t.size() < 20 || t[4] != '-' || t[7] != '-' ||
      (t[10] != 'T' && t[10] != 't') || t[13] != ':' || t[16] != ':')
    return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60 || *year < 1970)
    return std::nullopt;
  size_t i = 19;
  int64_t millis = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    int n = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
      if (n < 3) millis = millis * 10 + (t[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0 || n > 9) return std::nullopt;
    for (; n < 3; ++n) millis *= 10;
  }
  std::string_view zone = t.substr(i);
  if (zone != "Z" && zone != "z" && zone != "+00:00") return std::nullopt;
  // Days from civil (proleptic Gregorian), no time zone database needed.
  int y = *year - (*month <= 2 ? 1 : 0);
  int era = y / 400;
  int yoe = y - era * 400;
  int m = *month;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + *day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  return ((days * 24 + *hour) * 60 + *minute) * 60'000 + static_cast<int64_t>(*second) * 1000 + millis;
}

std::string format_iso8601_utc(int64_t ms) {
  if (ms < 0) ms = 0;
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

outcome<consumer_config> parse_consumer_create(std::string_view body) {
  consumer_config c;
  if (trim(body).empty()) return c;
  auto j = parse_object(body);
  if (!j) return j.error();
  auto invalid = [](std::string m) { return problem{422, codes::invalid_consumer_config, "Invalid consumer configuration: " + std::move(m)}; };
  // Confluent's config values are strings; booleans and numbers are taken too.
  auto text = [](const json& v) -> std::optional<std::string> {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    return std::nullopt;
  };
  if (auto it = j->find("name"); it != j->end() && !it->is_null()) {
    if (!it->is_string() || !valid_name(it->get_ref<const std::string&>()))
      return invalid("name: 1 to 249 letters, digits, '.', '_' or '-'");
    c.name = it->get<std::string>();
  }
  if (auto it = j->find("format"); it != j->end() && !it->is_null()) {
    auto t = text(*it);
    auto f = t ? parse_format_name(lower(*t)) : std::nullopt;
    if (!f) return invalid("format: binary, json, avro, jsonschema or protobuf");
    c.embedded = *f;
  }
  if (auto it = j->find("auto.offset.reset"); it != j->end() && !it->is_null()) {
    auto t = text(*it);
    if (t == "earliest" || t == "smallest") c.reset_earliest = true;
    else if (t == "latest" || t == "largest") c.reset_earliest = false;
    else return invalid("auto.offset.reset: earliest or latest");
  }
  if (auto it = j->find("auto.commit.enable"); it != j->end() && !it->is_null()) {
    auto t = text(*it);
    if (t == "true") c.auto_commit = true;
    else if (t == "false") c.auto_commit = false;
    else return invalid("auto.commit.enable: true or false");
  }
  return c;
}

outcome<std::vector<std::string>> parse_subscription(std::string_view body, const body_limits& limits) {
  auto j = parse_object(body);
  if (!j) return j.error();
  if (j->contains("topic_pattern"))
    return unprocessable("topic_pattern subscriptions are not supported by this proxy; list the topics");
  auto topics = j->find("topics");
  if (topics == j->end() || !topics->is_array() || topics->empty())
    return unprocessable("topics must be a non-empty list of topic names");
  if (topics->size() > limits.max_topics)
    return unprocessable("at most " + std::to_string(limits.max_topics) + " topics per subscription");
  std::vector<std::string> out;
  for (const auto& t : *topics) {
    if (!t.is_string() || !valid_name(t.get_ref<const std::string&>()))
      return unprocessable("each topic must be a topic name");
    if (std::find(out.begin(), out.end(), t.get<std::string>()) == out.end()) out.push_back(t.get<std::string>());
  }
  return out;
}

outcome<std::optional<std::vector<partition_offset>>> parse_commit(std::string_view body, const body_limits& limits) {
  if (trim(body).empty()) return std::optional<std::vector<partition_offset>>();
  auto j = parse_object(body);
  if (!j) return j.error();
  auto offsets = j->find("offsets");
  if (offsets == j->end() || offsets->is_null()) return std::optional<std::vector<partition_offset>>();
  if (!offsets->is_array()) return unprocessable("offsets must be a list of {\"topic\", \"partition\", \"offset\"}");
  if (offsets->size() > limits.max_offsets)
    return unprocessable("at most " + std::to_string(limits.max_offsets) + " offsets per commit");
  std::vector<partition_offset> out;
  for (const auto& o : *offsets) {
    if (!o.is_object()) return unprocessable("each offset is an object {\"topic\", \"partition\", \"offset\"}");
    partition_offset p;
    auto topic = o.find("topic");
    if (topic == o.end() || !topic->is_string() || !valid_name(topic->get_ref<const std::string&>()))
      return unprocessable("each offset needs a topic name");
    p.topic = topic->get<std::string>();
    auto part = o.find("partition");
    auto pv = part == o.end() ? std::nullopt : integer(*part, 0, std::numeric_limits<int32_t>::max());
    if (!pv) return unprocessable("each offset needs a partition number");
    p.partition = static_cast<int32_t>(*pv);
    auto off = o.find("offset");
    auto ov = off == o.end() ? std::nullopt : integer(*off, 0, std::numeric_limits<int64_t>::max() - 1);
    if (!ov) return unprocessable("each offset needs a non-negative offset");
    p.offset = *ov;
    if (auto m = o.find("metadata"); m != o.end() && !m->is_null()) {
      if (!m->is_string()) return unprocessable("metadata must be a string");
      p.metadata = m->get<std::string>();
    }
    out.push_back(std::move(p));
  }
  return std::optional<std::vector<partition_offset>>(std::move(out));
}

outcome<std::vector<topic_partition>> parse_partitions(std::string_view body, const body_limits& limits) {
  auto j = parse_object(body);
  if (!j) return j.error();
  auto parts = j->find("partitions");
  if (parts == j->end() || !parts->is_array()) return unprocessable("partitions must be a list of {\"topic\", \"partition\"}");
  if (parts->size() > limits.max_offsets)
    return unprocessable("at most " + std::to_string(limits.max_offsets) + " partitions per request");
  std::vector<topic_partition> out;
  for (const auto& o : *parts) {
    if (!o.is_object()) return unprocessable("each partition is an object {\"topic\", \"partition\"}");
    auto topic = o.find("topic");
    if (topic == o.end() || !topic->is_string() || !valid_name(topic->get_ref<const std::string&>()))
      return unprocessable("each partition needs a topic name");
    auto part = o.find("partition");
    auto pv = part == o.end() ? std::nullopt : integer(*part, 0, std::numeric_limits<int32_t>::max());
    if (!pv) return unprocessable("each partition needs a partition number");
    out.push_back({topic->get<std::string>(), static_cast<int32_t>(*pv)});
  }
  return out;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace samsa::proxy
