// `samsa_load create-topics` / `delete-topics`: the admin steps a run needs,
// through librdkafka's admin API (the mock cluster creates topics itself).
#pragma once

#include "load_common.h"

namespace samsa::bench {

struct topics_options {
  std::vector<std::string> names;
  int partitions = 1;
  int timeout_s = 120;
};

int run_create_topics(const common_options& common, const topics_options& opt);
int run_delete_topics(const common_options& common, const topics_options& opt);

// `samsa_load watermarks`: messages between low and high watermarks, summed over partitions.
int run_watermarks(const common_options& common);

}  // namespace samsa::bench
