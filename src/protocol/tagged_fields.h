// Tagged fields (KIP-482) that a decoder did not recognise. They are kept
// verbatim so that decoding and re-encoding a message gives the same bytes.
#pragma once

#include <cstdint>
#include <vector>

namespace samsa::protocol {

struct unknown_tag {
  uint32_t tag = 0;
  std::vector<uint8_t> data;
  bool operator==(const unknown_tag&) const = default;
};

using unknown_tags = std::vector<unknown_tag>;

}  // namespace samsa::protocol
