// The CLI's name for the shared murmur2 partitioner (base/key_hash.h).
#pragma once

#include "base/key_hash.h"

namespace samsa::cli {

using samsa::murmur2;
using samsa::partition_for_key;

}  // namespace samsa::cli
