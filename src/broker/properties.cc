#include "broker/properties.h"

#include <fstream>
#include <sstream>

namespace samsa::broker {
namespace {

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\f')) s.remove_prefix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A line continues when it ends in an odd number of backslashes.
bool continues(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[line.size() - 1 - n] == '\\') ++n;
  return n % 2 == 1;
}

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 't': out.push_back('\t'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 'f': out.push_back('\f'); break;
      default: out.push_back(c); break;
    }
  }
  return out;
}

}  // namespace

result<property_map> parse_properties(std::string_view text, std::string_view origin) {
  property_map props;
  std::string logical;
  size_t line_number = 0;
  size_t start_line = 0;
  std::istringstream in{std::string(text)};
  std::string raw;
  while (std::getline(in, raw)) {
    ++line_number;
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (logical.empty()) {
      std::string_view body = trim_left(line);
      if (body.empty() || body.front() == '#' || body.front() == '!') continue;
      start_line = line_number;
      line = body;
    } else {
      line = trim_left(line);
    }
    if (continues(line)) {
      logical.append(line.substr(0, line.size() - 1));
      continue;
    }
    logical.append(line);
    // The key ends at the first unescaped '=', ':' or whitespace.
    size_t i = 0;
    while (i < logical.size()) {
      char c = logical[i];
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '=' || c == ':' || c == ' ' || c == '\t') break;
      ++i;
    }
    std::string key = unescape(std::string_view(logical).substr(0, std::min(i, logical.size())));
    std::string_view rest = i < logical.size() ? std::string_view(logical).substr(i) : std::string_view{};
    rest = trim_left(rest);
    if (!rest.empty() && (rest.front() == '=' || rest.front() == ':')) rest = trim_left(rest.substr(1));
    if (key.empty()) {
      return make_error(std::errc::invalid_argument,
                        std::string(origin) + ":" + std::to_string(start_line) + ": line has a value but no key");
    }
    props[key] = unescape(trim(rest));
    logical.clear();
  }
  return props;
}

result<property_map> load_properties_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(std::errc::no_such_file_or_directory, "cannot open config file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_properties(buffer.str(), path);
}

result<std::pair<std::string, std::string>> parse_override(std::string_view assignment) {
  size_t eq = assignment.find('=');
  // Blanks around the key are trimmed, so " =v" has no key either.
  if (eq == std::string_view::npos || trim(assignment.substr(0, eq)).empty()) {
    return make_error(std::errc::invalid_argument,
                      "setting '" + std::string(assignment) + "' must look like key=value");
  }
  return std::pair{std::string(trim(assignment.substr(0, eq))), std::string(trim(assignment.substr(eq + 1)))};
}

property_map properties_from_environment(char** environ_list) {
  property_map props;
  constexpr std::string_view prefix = "SAMSA_";
  for (char** e = environ_list; e && *e; ++e) {
    std::string_view entry = *e;
    if (entry.substr(0, prefix.size()) != prefix) continue;
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == prefix.size()) continue;
    std::string key(entry.substr(prefix.size(), eq - prefix.size()));
    for (char& c : key) c = c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    props[key] = std::string(entry.substr(eq + 1));
  }
  return props;
}

}  // namespace samsa::broker
