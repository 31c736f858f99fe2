#include "registry/rest_paths.h"

#include <string_view>

namespace samsa::registry {

namespace {
constexpr std::string_view versions_suffix = "/versions";
constexpr std::string_view versions_infix = "/versions/";

bool ends_with_versions(const std::string& s) {
  return s.size() > versions_suffix.size() &&
         s.compare(s.size() - versions_suffix.size(), versions_suffix.size(), versions_suffix) == 0;
}
}  // namespace

std::optional<std::string> path_under(const std::string& path, const std::string& prefix) {
  if (path == prefix) return std::string();
  if (path.rfind(prefix + "/", 0) == 0) return path.substr(prefix.size() + 1);
  return std::nullopt;
}

std::vector<std::string> split_slash(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t slash = s.find('/', start);
    if (slash == std::string::npos) slash = s.size();
    out.push_back(s.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

subject_path parse_subject_path(const std::string& rest) {
  subject_path p;
  if (rest.empty()) return p;
  if (ends_with_versions(rest)) {
    p.what = subject_path::shape::versions;
    p.subject = rest.substr(0, rest.size() - versions_suffix.size());
    return p;
  }
  if (size_t at = rest.rfind(versions_infix); at != std::string::npos && at > 0) {
    auto tail = split_slash(rest.substr(at + versions_infix.size()));
    std::string leaf = tail.size() > 1 ? tail[1] : "";
    if (tail.size() <= 2 && (leaf.empty() || leaf == "schema" || leaf == "referencedby") &&
        !(tail.size() == 2 && leaf.empty())) {
      p.what = subject_path::shape::version;
      p.subject = rest.substr(0, at);
      p.version = tail[0];
      p.leaf = leaf;
      return p;
    }
  }
  // Anything else is a subject of that whole name (lookup or delete).
  p.what = subject_path::shape::subject;
  p.subject = rest;
  return p;
}

std::optional<compatibility_path> parse_compatibility_path(const std::string& rest) {
  constexpr std::string_view head = "subjects/";
  if (rest.rfind(head, 0) != 0) return std::nullopt;
  std::string tail = rest.substr(head.size());
  if (ends_with_versions(tail)) return compatibility_path{tail.substr(0, tail.size() - versions_suffix.size()), std::nullopt};
  if (size_t at = tail.rfind(versions_infix); at != std::string::npos && at > 0)
    return compatibility_path{tail.substr(0, at), tail.substr(at + versions_infix.size())};
  return std::nullopt;
}

}  // namespace samsa::registry
