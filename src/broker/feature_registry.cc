#include "broker/feature_registry.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace samsa::broker {

void feature_registry::register_feature(const std::string& name, int16_t min_version, int16_t max_version,
                                        int16_t finalized_level) {
  const bool finalized_ok =
      finalized_level == 0 || (finalized_level >= min_version && finalized_level <= max_version);
  if (name.empty() || min_version < 0 || min_version > max_version || finalized_level < 0 || !finalized_ok) {
    spdlog::critical("feature '{}' declared with levels min {} max {} finalized {}: cannot be advertised", name,
                     min_version, max_version, finalized_level);
    std::abort();
  }
  features_[name] = feature_level{name, min_version, max_version, finalized_level};
}

std::vector<feature_level> feature_registry::all() const {
  std::vector<feature_level> out;
  out.reserve(features_.size());
  for (const auto& [name, level] : features_) out.push_back(level);
  return out;
}

std::vector<feature_level> feature_registry::supported_for(int16_t api_version) const {
  std::vector<feature_level> out;
  for (const auto& [name, level] : features_) {
    if (api_version < 4 && level.min_version == 0) continue;
    out.push_back(level);
  }
  return out;
}

std::vector<feature_level> feature_registry::finalized() const {
  std::vector<feature_level> out;
  for (const auto& [name, level] : features_) {
    if (level.finalized_level > 0) out.push_back(level);
  }
  return out;
}

}  // namespace samsa::broker
