// `samsa_load first-message`: how long a consumer in a brand-new group waits
// for its first message (group join, assignment, offset look-up, first fetch).
#pragma once

#include "load_common.h"

namespace samsa::bench {

struct first_message_options {
  int repeat = 5;
  int timeout_s = 30;
};

int run_first_message(const common_options& common, const first_message_options& opt);

}  // namespace samsa::bench
