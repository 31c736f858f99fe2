#include "cli/record_format.h"

#include <nlohmann/json.hpp>

#include "client/kafka_error.h"

namespace samsa::cli {
namespace {

bool known(const std::string& name) {
  return name == "topic" || name == "partition" || name == "offset" || name == "key" || name == "value" ||
         name == "timestamp" || name == "headers";
}

std::string field(const std::string& name, const client::consumed_message& m) {
  if (name == "topic") return m.topic;
  if (name == "partition") return std::to_string(m.partition);
  if (name == "offset") return std::to_string(m.offset);
  if (name == "key") return m.key.value_or("");
  if (name == "value") return m.value.value_or("");
  if (name == "timestamp") return std::to_string(m.timestamp_ms);
  std::string out;
  for (const auto& h : m.headers) out += (out.empty() ? "" : ",") + h.key + "=" + h.value.value_or("");
  return out;
}

}  // namespace

status check_record_format(const std::string& format) {
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '{') continue;
    auto close = format.find('}', i);
    if (close == std::string::npos)
      return client::make_usage_error("--format", "unclosed '{' in \"" + format + "\"", "write e.g. {key}={value}");
    std::string name = format.substr(i + 1, close - i - 1);
    if (!known(name))
      return client::make_usage_error("--format", "unknown placeholder {" + name + "}",
                                      "use {topic} {partition} {offset} {key} {value} {timestamp} {headers}");
    i = close;
  }
  return {};
}

std::string render_record(const std::string& format, const client::consumed_message& m) {
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c == '\\' && i + 1 < format.size()) {
      char n = format[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else if (c == '{') {
      auto close = format.find('}', i);
      if (close == std::string::npos) {
        out += format.substr(i);
        break;
      }
      out += field(format.substr(i + 1, close - i - 1), m);
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

std::string record_json(const client::consumed_message& m) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& h : m.headers) headers[h.key] = h.value ? nlohmann::json(*h.value) : nullptr;
  nlohmann::json j{{"topic", m.topic},
                   {"partition", m.partition},
                   {"offset", m.offset},
                   {"timestamp", m.timestamp_ms},
                   {"key", m.key ? nlohmann::json(*m.key) : nullptr},
                   {"value", m.value ? nlohmann::json(*m.value) : nullptr},
                   {"headers", headers}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace samsa::cli
