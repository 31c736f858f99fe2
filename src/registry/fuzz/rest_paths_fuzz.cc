// The registry's REST paths come from any HTTP client: read the part after
// /subjects/ and /compatibility/ as the router and the permission checks
// do, and check the pieces put back together give the path again (so the
// subject that is authorized is exactly the one acted on).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "registry/rest_paths.h"

using namespace samsa::registry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string rest(reinterpret_cast<const char*>(data), size);
  subject_path p = parse_subject_path(rest);
  std::string again;
  switch (p.what) {
    case subject_path::shape::list:
      again = "";
      break;
    case subject_path::shape::versions:
      again = p.subject + "/versions";
      break;
    case subject_path::shape::version:
      again = p.subject + "/versions/" + p.version + (p.leaf.empty() ? "" : "/" + p.leaf);
      break;
    case subject_path::shape::subject:
      again = p.subject;
      break;
  }
  if (again != rest) std::abort();
  if (p.what != subject_path::shape::list && p.what != subject_path::shape::subject && p.subject.empty()) std::abort();
  if (auto c = parse_compatibility_path(rest)) {
    std::string back = "subjects/" + c->subject + "/versions" + (c->version ? "/" + *c->version : "");
    if (back != rest || c->subject.empty()) std::abort();
  }
  (void)path_under("/" + rest, "/subjects");
  (void)split_slash(rest);
  return 0;
}
