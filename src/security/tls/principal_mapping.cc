#include "security/tls/principal_mapping.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

namespace samsa::security::tls {

namespace {

void skip_space(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
}

// Reads up to the next unescaped '/', keeping escapes as written (the
// pattern goes to RE2, which understands them). Fails at the end of input.
bool read_field(std::string_view& s, std::string& out) {
  while (!s.empty()) {
    char c = s.front();
    if (c == '/') {
      s.remove_prefix(1);
      return true;
    }
    if (c == '\\' && s.size() >= 2) {
      out.push_back(c);
      out.push_back(s[1]);
      s.remove_prefix(2);
      continue;
    }
    out.push_back(c);
    s.remove_prefix(1);
  }
  return false;
}

// Java's replacement syntax ($1, \$ for a literal) to RE2's rewrite (\1, \\).
result<std::string> to_rewrite(std::string_view java, int groups) {
  std::string out;
  for (size_t i = 0; i < java.size(); ++i) {
    char c = java[i];
    if (c == '\\' && i + 1 < java.size()) {
      char next = java[++i];
      if (next == '\\') out += "\\\\";
      else out.push_back(next);
    } else if (c == '$' && i + 1 < java.size() && std::isdigit(static_cast<unsigned char>(java[i + 1]))) {
      int group = java[++i] - '0';
      if (group > groups) {
        return make_error(std::errc::invalid_argument, "ssl.principal.mapping.rules: replacement '" +
                                                           std::string(java) + "' refers to group $" +
                                                           std::to_string(group) + " the pattern does not have");
      }
      out.push_back('\\');
      out.push_back(static_cast<char>('0' + group));
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

principal_mapper::principal_mapper(principal_mapper&&) noexcept = default;
principal_mapper& principal_mapper::operator=(principal_mapper&&) noexcept = default;
principal_mapper::~principal_mapper() = default;

result<principal_mapper> principal_mapper::parse(std::string_view text) {
  principal_mapper mapper;
  std::string_view rest = text;
  for (;;) {
    skip_space(rest);
    while (!rest.empty() && (rest.front() == ',' || rest.front() == '\n')) {
      rest.remove_prefix(1);
      skip_space(rest);
    }
    if (rest.empty()) break;
    rule r;
    if (rest.substr(0, 7) == "DEFAULT") {
      rest.remove_prefix(7);
      r.is_default = true;
    } else if (rest.substr(0, 5) == "RULE:") {
      std::string_view start = rest;
      rest.remove_prefix(5);
      std::string pattern;
      std::string replacement;
      if (!read_field(rest, pattern) || !read_field(rest, replacement)) {
        return make_error(std::errc::invalid_argument,
                          "ssl.principal.mapping.rules: '" + std::string(start.substr(0, start.find('\n'))) +
                              "' must look like RULE:pattern/replacement/ (optionally followed by L or U)");
      }
      if (!rest.empty() && (rest.front() == 'L' || rest.front() == 'U')) {
        r.case_fold = rest.front();
        rest.remove_prefix(1);
      }
      RE2::Options options;
      options.set_log_errors(false);
      r.pattern = std::make_shared<re2::RE2>(pattern, options);
      if (!r.pattern->ok()) {
        return make_error(std::errc::invalid_argument, "ssl.principal.mapping.rules: pattern '" + pattern +
                                                           "' is not a valid regular expression: " +
                                                           r.pattern->error());
      }
      auto rewrite = to_rewrite(replacement, r.pattern->NumberOfCapturingGroups());
      if (!rewrite) return rewrite.err();
      r.rewrite = std::move(*rewrite);
    } else {
      return make_error(std::errc::invalid_argument, "ssl.principal.mapping.rules: '" +
                                                         std::string(rest.substr(0, rest.find_first_of(",\n"))) +
                                                         "' is neither DEFAULT nor RULE:pattern/replacement/[LU]");
    }
    skip_space(rest);
    if (!rest.empty() && rest.front() != ',' && rest.front() != '\n') {
      return make_error(std::errc::invalid_argument, "ssl.principal.mapping.rules: unexpected '" +
                                                         std::string(rest.substr(0, rest.find_first_of(",\n"))) +
                                                         "' after a rule");
    }
    mapper.rules_.push_back(std::move(r));
  }
  if (mapper.rules_.empty()) {
    rule r;
    r.is_default = true;
    mapper.rules_.push_back(std::move(r));
  }
  return mapper;
}

result<std::string> principal_mapper::map(std::string_view subject) const {
  for (const auto& r : rules_) {
    if (r.is_default) return std::string(subject);
    if (!RE2::FullMatch(subject, *r.pattern)) continue;
    std::string name(subject);
    RE2::Replace(&name, *r.pattern, r.rewrite);
    if (r.case_fold == 'L') {
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    } else if (r.case_fold == 'U') {
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    }
    return name;
  }
  return make_error(std::errc::permission_denied,
                    "no ssl.principal.mapping.rules rule applies to the certificate subject '" + std::string(subject) +
                        "'");
}

}  // namespace samsa::security::tls
