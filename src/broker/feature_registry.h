// Feature levels the broker advertises in ApiVersions v3+ (KIP-584): each
// part of the broker that gates behaviour on a feature (transactions, the
// KIP-848 consumer protocol, share groups) declares it here when it registers
// its handlers, instead of editing the ApiVersions handler:
//
//   apis.features().register_feature("group.version", 0, 1, 1);
//
// A single broker has no controller to finalize levels, so the finalized
// level is fixed when the feature is declared.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace samsa::broker {

struct feature_level {
  std::string name;
  int16_t min_version = 0;      // lowest level this broker supports
  int16_t max_version = 0;      // highest level this broker supports
  int16_t finalized_level = 0;  // the level in force; 0 = disabled (not listed as finalized)
};

class feature_registry {
 public:
  // Declares (or re-declares, replacing the old levels) a feature. Aborts on
  // levels that cannot be advertised (min > max, finalized outside min..max
  // while not 0, a negative level, an empty name): a programming error.
  void register_feature(const std::string& name, int16_t min_version, int16_t max_version,
                        int16_t finalized_level);

  // Every declared feature, by name.
  std::vector<feature_level> all() const;

  // What an ApiVersions response at `api_version` lists as supported. Below v4
  // a feature whose minimum is 0 is left out, as Kafka does
  // (KAFKA-17011: clients before v4 reject a 0 minimum).
  std::vector<feature_level> supported_for(int16_t api_version) const;

  // What is listed as finalized: features at a level above 0.
  std::vector<feature_level> finalized() const;

 private:
  std::map<std::string, feature_level> features_;
};

}  // namespace samsa::broker
