#include "group/member.h"

namespace samsa::group {

const bytes* member::metadata_for(const std::string& protocol) const {
  for (const auto& p : protocols) {
    if (p.name == protocol) return &p.metadata;
  }
  return nullptr;
}

std::optional<std::string> member::vote(const std::set<std::string>& candidates) const {
  for (const auto& p : protocols) {
    if (candidates.count(p.name) != 0) return p.name;
  }
  return std::nullopt;
}

}  // namespace samsa::group
