// What `samsa sink postgres` was asked to do, as its flags set it.
#pragma once

#include <string>

#include "connect/postgres_sink.h"

namespace samsa::cli {

struct sink_args {
  connect::sink_options options;
  std::string group;
  std::string upsert_key;
  bool decode = false;
  std::string registry;
};

}  // namespace samsa::cli
