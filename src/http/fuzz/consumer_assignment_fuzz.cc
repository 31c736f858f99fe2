// Fuzz target for the consumer-protocol assignment bytes the console decodes
// (they come from a group leader's SyncGroup): any input is rejected or
// decoded, never read past its end, and what decodes never claims more
// partitions than the input could hold.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "http/consumer_assignment.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = samsa::http::decode_consumer_assignment(std::span<const uint8_t>(data, size));
  if (decoded) {
    size_t partitions = 0;
    for (const auto& t : *decoded) partitions += t.partitions.size();
    if (partitions * 4 > size) abort();
  }
  return 0;
}
