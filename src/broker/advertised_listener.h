// Which address a client is told to use: the advertised address of the
// listener it connected to, so a client that came in over SSL keeps using
// SSL (Metadata, DescribeCluster, FindCoordinator). Internal callers (the
// console) get the first listener's.
#pragma once

#include <string>
#include <vector>

#include "broker/broker_config.h"

namespace samsa::broker {

inline const listener_address* advertised_for(const std::vector<listener_address>& all,
                                              const std::string& listener_name) {
  for (const auto& l : all) {
    if (l.name == listener_name) return &l;
  }
  return all.empty() ? nullptr : &all.front();
}

}  // namespace samsa::broker
