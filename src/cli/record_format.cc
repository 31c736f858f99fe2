#include "cli/record_format.h"

#include <ctime>

#include <fmt/format.h>

#include "client/kafka_error.h"

namespace samsa::cli {
namespace {

bool known(const std::string& name) {
  return name == "topic" || name == "partition" || name == "offset" || name == "key" || name == "value" ||
         name == "timestamp" || name == "headers" || name == "key_length" || name == "value_length";
}

bool known_modifier(const std::string& name, const std::string& mod) {
  if (mod.empty()) return true;
  if (name == "key" || name == "value" || name == "headers") return mod == "text" || mod == "base64" || mod == "hex";
  if (name == "timestamp") return mod == "ms" || mod == "iso" || mod == "unix";
  return false;
}

std::string bytes(const std::string& s, const std::string& mod) {
  if (mod == "base64") return to_base64(s);
  if (mod == "hex") return to_hex(s);
  return s;
}

std::string field(const std::string& name, const std::string& mod, const client::consumed_message& m) {
  if (name == "topic") return m.topic;
  if (name == "partition") return std::to_string(m.partition);
  if (name == "offset") return std::to_string(m.offset);
  if (name == "key") return bytes(m.key.value_or(""), mod);
  if (name == "value") return bytes(m.value.value_or(""), mod);
  if (name == "key_length") return std::to_string(m.key ? static_cast<int64_t>(m.key->size()) : -1);
  if (name == "value_length") return std::to_string(m.value ? static_cast<int64_t>(m.value->size()) : -1);
  if (name == "timestamp") {
    if (mod == "iso") return m.timestamp_ms < 0 ? "-" : iso_time(m.timestamp_ms);
    if (mod == "unix") return std::to_string(m.timestamp_ms < 0 ? -1 : m.timestamp_ms / 1000);
    return std::to_string(m.timestamp_ms);
  }
  std::string out;
  for (const auto& h : m.headers) out += (out.empty() ? "" : ",") + h.key + "=" + bytes(h.value.value_or(""), mod);
  return out;
}

// Splits "{name:mod}" contents.
std::pair<std::string, std::string> split_placeholder(const std::string& inside) {
  auto colon = inside.find(':');
  if (colon == std::string::npos) return {inside, ""};
  return {inside.substr(0, colon), inside.substr(colon + 1)};
}

// Walks the template once; `on_placeholder` gets name and modifier, `on_text` literal text.
template <typename Text, typename Placeholder>
status walk(const std::string& format, Text on_text, Placeholder on_placeholder) {
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c == '\\' && i + 1 < format.size()) {
      char n = format[++i];
      on_text(n == 'n' ? '\n' : n == 't' ? '\t' : n);
    } else if ((c == '{' || c == '}') && i + 1 < format.size() && format[i + 1] == c) {
      on_text(c);  // "{{" and "}}" are literal braces
      ++i;
    } else if (c == '{') {
      auto close = format.find('}', i);
      if (close == std::string::npos)
        return client::make_usage_error("--format", "unclosed '{' in \"" + format + "\"",
                                        "write e.g. {key}={value}, or {{ for a literal brace");
      auto [name, mod] = split_placeholder(format.substr(i + 1, close - i - 1));
      if (auto s = on_placeholder(name, mod); !s) return s;
      i = close;
    } else {
      on_text(c);
    }
  }
  return {};
}

}  // namespace

status check_record_format(const std::string& format) {
  return walk(
      format, [](char) {},
      [](const std::string& name, const std::string& mod) -> status {
        if (!known(name))
          return client::make_usage_error(
              "--format", "unknown placeholder {" + name + "}",
              "use {topic} {partition} {offset} {key} {value} {timestamp} {headers} {key_length} {value_length}");
        if (!known_modifier(name, mod))
          return client::make_usage_error("--format", "unknown modifier {" + name + ":" + mod + "}",
                                          "key/value/headers take :text :base64 :hex; timestamp takes :ms :iso :unix");
        return {};
      });
}

std::string render_record(const std::string& format, const client::consumed_message& m) {
  std::string out;
  (void)walk(
      format, [&](char c) { out += c; },
      [&](const std::string& name, const std::string& mod) -> status {
        out += field(name, mod, m);
        return {};
      });
  return out;
}

namespace {

// Sets j[name] to the text, or to base64 plus a marker when it is not UTF-8.
void put_bytes(nlohmann::json& j, const std::string& name, const std::optional<std::string>& v) {
  if (!v) {
    j[name] = nullptr;
  } else if (is_valid_utf8(*v)) {
    j[name] = *v;
  } else {
    j[name] = to_base64(*v);
    j[name + "_encoding"] = "base64";
  }
}

}  // namespace

nlohmann::json record_document(const client::consumed_message& m) {
  // Headers are a list: Kafka allows the same header name more than once.
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& h : m.headers) {
    nlohmann::json one = nlohmann::json::object();
    put_bytes(one, "key", h.key);
    put_bytes(one, "value", h.value);
    headers.push_back(std::move(one));
  }
  nlohmann::json j{{"topic", m.topic}, {"partition", m.partition}, {"offset", m.offset}, {"timestamp", m.timestamp_ms}};
  put_bytes(j, "key", m.key);
  put_bytes(j, "value", m.value);
  j["headers"] = std::move(headers);
  return j;
}

std::string record_json(const client::consumed_message& m) { return record_document(m).dump(); }

bool is_valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

std::string to_base64(const std::string& bytes) {
  static const char* const table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += {table[v >> 18], table[(v >> 12) & 63], table[(v >> 6) & 63], table[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {table[v >> 18], table[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {table[v >> 18], table[(v >> 12) & 63], table[(v >> 6) & 63], '='};
  }
  return out;
}

std::optional<std::string> from_base64(const std::string& text) {
  if (text.size() % 4 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + static_cast<size_t>(k)];
      bool last_group = i + 4 == text.size();
      if (c == '=' && last_group && k >= 2 && (k == 3 || text[i + 3] == '=')) {
        v[k] = 0;
        ++pad;
      } else if ((v[k] = value(c)) < 0 || pad > 0) {
        return std::nullopt;
      }
    }
    uint32_t n = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) |
                 (static_cast<uint32_t>(v[2]) << 6) | static_cast<uint32_t>(v[3]);
    out += static_cast<char>(n >> 16);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(n & 0xFF);
  }
  return out;
}

std::string to_hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

std::string iso_time(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

}  // namespace samsa::cli
