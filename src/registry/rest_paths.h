// How the REST API's paths name their subject, version and id. Shared by the
// router (registry_service.cc) and the permission checks
// (registry_permissions.cc), so what is authorized is exactly what is acted on.
//
// Subjects may contain '/' (percent-encoded, decoded by the HTTP server), so
// the known suffixes are matched from the right.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace samsa::registry {

// The part of `path` under `prefix`: "/subjects" -> "", "/subjects/a" -> "a",
// anything else -> nullopt.
std::optional<std::string> path_under(const std::string& path, const std::string& prefix);

// Splits on '/', keeping empty parts ("1/" -> "1", "").
std::vector<std::string> split_slash(const std::string& s);

// What /subjects/<rest> names.
struct subject_path {
  enum class shape {
    list,      // /subjects
    versions,  // /subjects/S/versions
    version,   // /subjects/S/versions/V, .../V/schema, .../V/referencedby
    subject,   // /subjects/S (lookup, delete)
  };
  shape what = shape::list;
  std::string subject;
  std::string version;  // shape::version: as written ("latest", "3")
  std::string leaf;     // shape::version: "", "schema" or "referencedby"
};
subject_path parse_subject_path(const std::string& rest);

// What /compatibility/<rest> names: subjects/S/versions (every version) or
// subjects/S/versions/V; nullopt for anything else.
struct compatibility_path {
  std::string subject;
  std::optional<std::string> version;
};
std::optional<compatibility_path> parse_compatibility_path(const std::string& rest);

}  // namespace samsa::registry
